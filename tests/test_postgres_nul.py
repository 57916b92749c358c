"""NUL in a text parameter or a path id: every backend answers the same request the same way.

PostgreSQL text cannot hold 0x00, so NUL must never reach it: a text parameter with a control
character is a 422 and a path id that is not a slug a 404, both before any query
(app/api/params.py, app/store/queries.py).
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.dataset.build import BuiltDataset
from app.dataset.load import write_dataset
from app.main import create_app
from tests.postgres_helpers import fresh_database

pytestmark = pytest.mark.postgres

NUL_URLS = [
    "/v1/metrics?q=%00",
    "/v1/metrics?q=GDP%00",
    "/v1/metrics/a%00b",
    "/v1/indicators?q=%00",
    "/v1/indicators/a%00b",
    "/v1/industry-chains?q=%00",
    "/v1/industry-chains/a%00b",
    "/v1/timeline?q=%00",
    "/v1/timeline/a%00b",
    "/v1/entities?q=%00",
    "/v1/entities/a%00b",
    "/v1/documents/a%00b",
    "/v1/documents/a%00b/text",
    "/v1/search?q=%00%00",
]


@pytest.fixture(scope="module")
def pg_client(built: BuiltDataset) -> Iterator[TestClient]:
    with fresh_database("zf_nul") as url:
        write_dataset(url, built)
        with TestClient(create_app(Settings(database_url=url, auto_seed=False))) as client:
            yield client


@pytest.mark.parametrize("url", NUL_URLS)
def test_nul_gets_the_same_answer_on_postgresql_as_on_sqlite(
    pg_client: TestClient, client: TestClient, url: str
) -> None:
    ours, theirs = pg_client.get(url), client.get(url)
    assert theirs.status_code in (404, 422), url
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
