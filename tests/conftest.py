"""Shared fixtures: one migrated and seeded SQLite database for all read tests."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT, Settings
from app.dataset.build import BuiltDataset, build
from app.dataset.files import SeedBundle, load_seed
from app.dataset.load import SeedResult, seed_database
from app.main import create_app
from tests.live import uvicorn_server

SEED_DIR = PROJECT_ROOT / "seed"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(reason: str) -> None:
    """Skip locally when a service is absent; under CI=true, fail instead."""
    if IN_CI:
        pytest.fail(f"CI=true and a required service is missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def seed_bundle() -> SeedBundle:
    """The curated files, validated."""
    return load_seed(SEED_DIR)


@pytest.fixture(scope="session")
def built(seed_bundle: SeedBundle) -> BuiltDataset:
    """The curated files, resolved into records and rows (no database)."""
    return build(seed_bundle)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SeedResult]]:
    """A migrated and seeded SQLite database, shared by every read test."""
    path = tmp_path_factory.mktemp("db") / "facts.sqlite3"
    url = f"sqlite:///{path}"
    result = seed_database(url, SEED_DIR)
    yield url, result


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of seed/ that a test may break."""
    dest = tmp_path / "seed"
    shutil.copytree(SEED_DIR, dest)
    return dest


@pytest.fixture(scope="session")
def api_settings(seeded_db: tuple[str, SeedResult]) -> Settings:
    """Settings pointing at the shared seeded database (no auto-seed)."""
    url, _ = seeded_db
    return Settings(database_url=url, auto_seed=False)


@pytest.fixture(scope="session")
def client(api_settings: Settings) -> Iterator[TestClient]:
    """A TestClient over the app on the shared seeded database, lifespan included."""
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def failing_client(api_settings: Settings) -> Iterator[TestClient]:
    """An app on the shared database with one extra route, /v1/explode, that always raises."""
    app = create_app(api_settings)

    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/v1/explode", explode)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_url(seeded_db: tuple[str, SeedResult]) -> Iterator[str]:
    """A real uvicorn serving the shared seeded database on a loopback port."""
    url, _ = seeded_db
    with uvicorn_server(url) as base:
        yield base


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `uvicorn app.main:app` on a loopback port, on a database it builds itself at
    startup (AUTO_SEED on a path that does not exist yet); its base URL."""
    database = tmp_path_factory.mktemp("live") / "facts.sqlite3"
    with uvicorn_server(f"sqlite:///{database}", AUTO_SEED="true") as base:
        yield base
