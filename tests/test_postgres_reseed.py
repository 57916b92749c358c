"""PostgreSQL reseeds under load, on a real server that reads as a SELECT-only role: a reseed is
one transaction and a request one snapshot, so no response mixes two dataset versions."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import text

from app.dataset.build import BuiltDataset, build
from app.dataset.files import load_seed
from app.dataset.load import write_dataset
from app.store.engines import readonly_engine
from app.store.info import dataset_version
from app.store.reader import Reader, snapshot
from app.store.state import DatasetState
from tests.live import serving
from tests.postgres_helpers import admin_url, drop_role, fresh_database, with_user
from tests.reseed_load import assert_never_mixed, references, relabel, run

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory: pytest.TempPathFactory) -> BuiltDataset:
    return build(load_seed(relabel(tmp_path_factory.mktemp("relabelled") / "seed")))


@pytest.fixture(scope="module")
def role() -> Iterator[str]:
    admin_url()
    name = f"zf_reader_{secrets.token_hex(4)}"
    yield name
    drop_role(name)


@pytest.mark.parametrize("cache", ["on", "off"])
def test_postgres_reseeds_under_load_never_mix_versions(
    tmp_path: Path, built: BuiltDataset, relabelled: BuiltDataset, role: str, cache: str
) -> None:
    datasets = {built.version: built, relabelled.version: relabelled}
    settings = {"RESPONSE_CACHE_SIZE": "0"} if cache == "off" else {}
    with fresh_database("zf_reseed") as owner:
        write_dataset(owner, built, role)
        reader = with_user(owner, role)
        with serving(tmp_path, DATABASE_URL=reader, **settings) as live:
            refs = {}
            for version, dataset in datasets.items():
                write_dataset(owner, dataset, role)
                refs[version] = references(live.base, version, list(refs.values()))
            reseed = lambda v: write_dataset(owner, datasets[v], role)  # noqa: E731
            tally = run(live.base, refs, reseed, seconds=3, hold=2 * DatasetState.check_interval)
            log = live.output()
    assert_never_mixed(tally)
    assert "Traceback" not in log


def test_a_requests_reads_share_one_read_only_repeatable_read_transaction(
    built: BuiltDataset, role: str
) -> None:
    with fresh_database("zf_snapshot") as owner:
        write_dataset(owner, built, role)
        reader = Reader(readonly_engine(with_user(owner, role)))
        show = (
            "SELECT current_setting('transaction_isolation'), "
            "current_setting('transaction_read_only'), pg_backend_pid()"
        )

        async def one_request() -> tuple[list[tuple[object, ...]], str | None]:
            async with snapshot() as read:
                first = await reader.run(lambda db: db.rows("show", lambda: text(show)))
                version = await reader.run(dataset_version)
                second = await reader.run(lambda db: db.rows("show", lambda: text(show)))
            assert version == read.version == built.version
            return first + second, read.version

        try:
            rows, _ = anyio.run(one_request)
        finally:
            reader.engine.dispose()
    assert rows[0] == rows[1]  # the same backend, so the same transaction
    assert rows[0][:2] == ("repeatable read", "on")
