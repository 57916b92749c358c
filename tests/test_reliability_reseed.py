"""SQLite reseeds under load, on a real server: every response is all of one dataset version or
all of the other (ETag and body), none fails, and /readyz and /openapi.json follow."""

from pathlib import Path

import pytest

from app.dataset.build import BuiltDataset, build
from app.dataset.files import load_seed
from app.dataset.load import write_dataset
from tests.live import serving
from tests.reseed_load import assert_never_mixed, references, relabel, run


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory: pytest.TempPathFactory) -> BuiltDataset:
    return build(load_seed(relabel(tmp_path_factory.mktemp("relabelled") / "seed")))


def test_sqlite_reseeds_under_load_never_mix_versions(
    tmp_path: Path, built: BuiltDataset, relabelled: BuiltDataset
) -> None:
    db = tmp_path / "facts.sqlite3"
    url = f"sqlite:///{db}"
    datasets = {built.version: built, relabelled.version: relabelled}
    write_dataset(url, built)
    # No response cache: every request runs its route, the path where a swap could fall between
    # the version check and the reads (it did: 9 of 1,225 responses mixed before).
    with serving(tmp_path, DATABASE_URL=url, AUTO_SEED="false", RESPONSE_CACHE_SIZE="0") as live:
        refs = {}
        for version, dataset in datasets.items():
            write_dataset(url, dataset)
            refs[version] = references(live.base, version, list(refs.values()))
        tally = run(live.base, refs, lambda v: write_dataset(url, datasets[v]), seconds=3)
        log = live.output()
    assert_never_mixed(tally)
    assert "Traceback" not in log
