"""The static files: vendored libraries as recorded, licences present, nothing from outside."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from app.api.embed import csp
from app.api.embed.assets import STATIC_DIR, TEMPLATES_DIR, json_script, static_url
from app.api.embed.badge import WIDTHS_FILE as WIDTHS

VENDOR = STATIC_DIR / "vendor"
MANIFEST = json.loads((VENDOR / "vendor.json").read_text(encoding="utf-8"))
OURS = [p for p in STATIC_DIR.rglob("*") if p.is_file() and VENDOR not in p.parents]


@pytest.mark.parametrize("package", MANIFEST["packages"], ids=lambda p: p["name"])
def test_each_vendored_file_is_the_recorded_one_with_its_licences(
    package: dict[str, object],
) -> None:
    path = VENDOR / str(package["file"])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == package["sha256"]
    assert f"-{package['version']}/" in str(package["file"])
    licences = package["licenses"]
    assert isinstance(licences, dict) and licences
    for file in licences.values():
        assert (VENDOR / file).read_text(encoding="utf-8").strip()


def test_the_vendored_versions_are_the_ones_in_their_banners() -> None:
    for package in MANIFEST["packages"]:
        head = (VENDOR / package["file"]).read_text(encoding="utf-8")[:200]
        assert f"v{package['version']}" in head


def test_every_vendored_file_is_in_the_manifest() -> None:
    listed = {p["file"] for p in MANIFEST["packages"]} | {
        f for p in MANIFEST["packages"] for f in p["licenses"].values()
    }
    present = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file()}
    assert present - {"vendor.json"} == listed


@pytest.mark.parametrize("path", OURS + list(TEMPLATES_DIR.rglob("*.*")), ids=lambda p: str(p.name))
def test_our_pages_and_assets_load_nothing_from_another_host(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # Namespaces and comments may name URLs; nothing may be fetched from one.
    code = re.sub(r"//[^\n]*|/\*.*?\*/|\{#.*?#\}", "", text, flags=re.S)
    code = code.replace("http://www.w3.org/2000/svg", "")
    assert not re.search(r"(src|href|url)\s*[=(:]\s*[\"']?(https?:)?//", code)
    assert "@import" not in code


def test_static_urls_carry_a_fingerprint_except_versioned_vendor_files() -> None:
    digest = hashlib.sha256((STATIC_DIR / "embed/chart.js").read_bytes()).hexdigest()[:12]
    assert static_url("embed/chart.js") == f"/static/embed/chart.js?v={digest}"
    assert static_url("vendor/d3-7.9.2/d3.min.js") == "/static/vendor/d3-7.9.2/d3.min.js"


def test_json_for_a_script_element_cannot_end_it() -> None:
    text = str(json_script({"a": "</script><!-- & \u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_plots_stylesheet_hash_is_in_the_chart_policy_only() -> None:
    digest = csp.plot_style_hash()
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", digest)
    assert digest in csp.CHART and digest not in csp.CARD + csp.DASHBOARD


@pytest.mark.parametrize(
    ("page", "ancestors"),
    [("card", "*"), ("chart", "*"), ("dashboard", "'none'")],
)
def test_only_the_embeds_may_be_framed(page: str, ancestors: str) -> None:
    policy = csp.HEADERS[page]["Content-Security-Policy"]
    assert f"frame-ancestors {ancestors}" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert ("X-Frame-Options" in csp.HEADERS[page]) == (page == "dashboard")


def test_the_badge_policy_lets_nothing_run() -> None:
    assert csp.BADGE == "default-src 'none'; sandbox"


def test_a_wheel_ships_every_template_static_file_and_data_file() -> None:
    """pyproject's package-data covers every file the pages read, and every folder of code is a
    package (find_packages skips a folder without __init__.py, and its files with it)."""
    import tomllib
    from fnmatch import fnmatch

    from app.config import PROJECT_ROOT

    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns: dict[str, list[str]] = config["tool"]["setuptools"]["package-data"]
    app_dir = PROJECT_ROOT / "app"
    for folder in {p.parent for p in app_dir.rglob("*.py")} - {app_dir / "__pycache__"}:
        assert (folder / "__init__.py").exists(), folder
    read = [*STATIC_DIR.rglob("*"), *TEMPLATES_DIR.rglob("*"), *WIDTHS.parent.glob("*.json")]
    for path in (p for p in read if p.is_file()):
        package = next(
            name
            for name in sorted(patterns, key=len, reverse=True)
            if path.is_relative_to(app_dir.joinpath(*name.split(".")[1:]))
        )
        relative = path.relative_to(app_dir.joinpath(*package.split(".")[1:])).as_posix()
        # glob's `**/` also matches no folder at all
        globs = [g for p in patterns[package] for g in (p, p.replace("**/", ""))]
        assert any(fnmatch(relative, pattern) for pattern in globs), relative
