"""PostgreSQL reseeds under load, on a real server that reads as a SELECT-only role: a reseed is
one transaction and a request one snapshot, so no response mixes two dataset versions."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.dataset.build import BuiltDataset, build
from app.dataset.files import load_seed
from app.dataset.load import write_dataset
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
                # With the cache on, wait out the one-second version check, so that no response
                # cached before is taken for this version's.
                settle = 1.2 if cache == "on" else 0
                refs[version] = references(live.base, version, settle=settle)
            tally = run(
                live.base, refs, lambda v: write_dataset(owner, datasets[v], role), seconds=3
            )
            log = live.output()
    assert_never_mixed(tally)
    assert "Traceback" not in log
