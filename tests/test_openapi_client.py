"""A client generated from /openapi.json by openapi-python-client calls every route and parses
every answer: the document promises what the server does."""

import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.api_helpers import DOCUMENT, GDP_Q1_Q3

# A value for every path and required query parameter the operations take.
ARGUMENTS = {
    "metric_id": GDP_Q1_Q3,
    "indicator_id": "gdp",
    "chain_id": "rail-transit-equipment-cluster",
    "event_id": "rail-cluster-national-advanced-manufacturing-cluster",
    "entity_id": "zhuzhou",
    "document_id": DOCUMENT,
    "q": "GDP",
}


@pytest.fixture(scope="module")
def generated(live_url: str, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The client package, generated from the live server's document into a temporary folder."""
    folder = tmp_path_factory.mktemp("client")
    spec = folder / "openapi.json"
    spec.write_bytes(httpx.get(f"{live_url}/openapi.json").content)
    config = folder / "config.yaml"
    config.write_text("project_name_override: zhuzhou_facts_client\npost_hooks: []\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", str(spec), "--meta", "none"]
    command += ["--output-path", str(folder / "pkg"), "--config", str(config)]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout  # nothing of the document was skipped
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("pkg")
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
            del sys.modules[name]


def _operations(package: ModuleType) -> list[ModuleType]:
    api = importlib.import_module(f"{package.__name__}.api")
    found = []
    for tag in pkgutil.iter_modules(api.__path__):
        group = importlib.import_module(f"{api.__name__}.{tag.name}")
        for op in pkgutil.iter_modules(group.__path__):
            found.append(importlib.import_module(f"{group.__name__}.{op.name}"))
    return found


def test_every_operation_is_called_and_its_answer_parsed(
    generated: ModuleType, live_url: str
) -> None:
    problem = importlib.import_module(f"{generated.__name__}.models.problem").Problem
    operations = _operations(generated)
    assert len(operations) >= 16
    # oEmbed's `url` (the generated client calls it url_query) is a page of this server.
    arguments = {**ARGUMENTS, "url_query": f"{live_url}/embed/metrics/{GDP_Q1_Q3}"}
    with generated.Client(base_url=live_url, raise_on_unexpected_status=True) as client:
        _call_every_operation(client, operations, problem, arguments)


def _call_every_operation(
    client: Any, operations: list[ModuleType], problem: type, arguments: dict[str, str]
) -> None:
    for op in operations:
        params = inspect.signature(op.sync_detailed).parameters
        kwargs: dict[str, Any] = {
            name: arguments[name]
            for name, p in params.items()
            if name != "client" and p.default is inspect.Parameter.empty
        }
        response = op.sync_detailed(client=client, **kwargs)
        assert response.status_code == 200, (op.__name__, response.content[:200])
        parsed = response.parsed
        assert parsed is not None and not isinstance(parsed, problem), op.__name__
        if op.__name__.endswith("get_document_text"):
            assert isinstance(parsed, str) and "株洲" in parsed
        elif hasattr(parsed, "items") and not isinstance(parsed, str):
            assert isinstance(parsed.items, list), op.__name__
        else:
            assert parsed.to_dict(), op.__name__


def test_a_documented_error_is_parsed_as_a_problem(generated: ModuleType, live_url: str) -> None:
    module = importlib.import_module(f"{generated.__name__}.api.metrics.get_metric")
    problem = importlib.import_module(f"{generated.__name__}.models.problem").Problem
    with generated.Client(base_url=live_url) as client:
        parsed = module.sync(client=client, metric_id="no-such-metric")
    assert isinstance(parsed, problem) and parsed.status == 404
