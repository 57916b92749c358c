"""The series chart page: every indicator renders, every observation reaches chart.js."""

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from app.api.embed.chart import chart_context, render_chart_page

BASE = "https://facts.example"


def chart_data(html: str) -> dict[str, Any]:
    """The JSON the page hands to chart.js."""
    found = re.search(
        r'<script type="application/json" id="zf-chart-data">(.*?)</script>', html, re.S
    )
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.fixture(scope="module")
def indicators(client: TestClient) -> list[dict[str, Any]]:
    """Every indicator with its observations."""
    ids = [i["id"] for i in client.get("/v1/indicators", params={"limit": 500}).json()["items"]]
    return [client.get(f"/v1/indicators/{i}").json() for i in ids]


def by_id(indicators: list[dict[str, Any]], indicator_id: str) -> dict[str, Any]:
    return next(i for i in indicators if i["id"] == indicator_id)


def test_every_indicator_hands_every_observation_to_the_chart(
    indicators: list[dict[str, Any]],
) -> None:
    for indicator in indicators:
        for lang in ("zh", "en"):
            data = chart_data(render_chart_page(indicator, lang=lang, base_url=BASE))
            ids = [o["id"] for o in data["observations"]]
            assert ids == [m["id"] for m in indicator["items"]], indicator["id"]


def test_a_span_sits_at_its_end_and_is_drawn_from_its_start(
    indicators: list[dict[str, Any]],
) -> None:
    data = chart_context(by_id(indicators, "gdp-year-to-date"), lang="zh", base_url=BASE)["plot"]
    placed = {o["id"]: (o["x1"], o["x"], o["written"]) for o in data["observations"]}
    assert placed == {"gdp-2021-q1-q3": ("2021-01-01", "2021-09-30", None)}


def test_as_of_and_horizon_are_placed_at_the_end_with_no_span(
    indicators: list[dict[str, Any]],
) -> None:
    data = chart_context(by_id(indicators, "gdp"), lang="en", base_url=BASE)
    placed = {o["id"]: (o["x1"], o["x"], o["written"]) for o in data["observations"]}
    assert placed == {
        # 过去5年 总量突破3000亿元: a level reached by the end of 2020, written as 2016–2020
        "gdp-past-5-years": (None, "2020-12-31", ["2016-01-01", "2020-12-31"]),
        # 未来5年 迈上5000亿元台阶: a target for 2025, written as 2021–2025
        "target-gdp": (None, "2025-12-31", ["2021-01-01", "2025-12-31"]),
    }
    assert data["basis"] == "annual"


@pytest.mark.parametrize(("indicator_id", "written"), [("gdp", True), ("gdp-year-to-date", False)])
def test_the_legend_explains_the_written_period_exactly_when_one_is_drawn(
    indicators: list[dict[str, Any]], indicator_id: str, written: bool
) -> None:
    for lang, words in (("en", "the period the text names"), ("zh", "原文所写的时期")):
        page = render_chart_page(by_id(indicators, indicator_id), lang=lang, base_url=BASE)
        assert ("sw-written" in page) is written
        assert (words in page) is written


def test_bounds_point_where_the_value_lies_and_ranges_carry_both_ends(
    indicators: list[dict[str, Any]],
) -> None:
    def observation(indicator: str) -> dict[str, Any]:
        data = chart_context(by_id(indicators, indicator), lang="en", base_url=BASE)
        first: dict[str, Any] = data["observations"][0]
        return first

    assert observation("gdp-per-capita")["bound"] == 1  # more than
    assert observation("innovation-competitiveness-rank")["bound"] == -1  # within the top 100
    clusters = observation("new-100-billion-clusters")
    assert (clusters["bound"], clusters["y"], clusters["y_high"]) == (0, 2.0, 3.0)


def test_money_is_charted_in_the_units_a_reader_uses(indicators: list[dict[str, Any]]) -> None:
    gdp = by_id(indicators, "gdp")
    zh = chart_context(gdp, lang="zh", base_url=BASE)
    en = chart_context(gdp, lang="en", base_url=BASE)
    assert zh["unit_label"] == "亿元" and en["unit_label"] == "billion yuan"
    y = {o["id"]: o["y"] for o in zh["observations"]}
    assert y["gdp-past-5-years"] == pytest.approx(3000)
    ytd = chart_context(by_id(indicators, "gdp-year-to-date"), lang="zh", base_url=BASE)
    assert ytd["observations"][0]["y"] == pytest.approx(2487.1)
    assert {o["id"]: o["y"] for o in en["observations"]}["target-gdp"] == pytest.approx(500)


def test_several_subjects_get_their_names_and_a_legend(indicators: list[dict[str, Any]]) -> None:
    water = by_id(indicators, "surface-water-quality-class")
    names = {
        "xiangjiang-zhuzhou-section": {"zh": "湘江株洲段", "en": "Xiang River (Zhuzhou)"},
        "lujiang": {"zh": "渌江", "en": "Lu River"},
        "zhuzhou": {"zh": "株洲市", "en": "Zhuzhou"},
    }
    html = render_chart_page(water, lang="en", base_url=BASE, subject_names=names)
    data = chart_data(html)
    assert data["several_subjects"] is True
    assert [s["label"] for s in data["subjects"]] == [
        "Xiang River (Zhuzhou)",
        "Lu River",
        "Zhuzhou",
    ]
    assert 'class="sw sw-subject series-2"' in html and "Lu River" in html
    assert any(not o["dated"] for o in data["observations"])  # drawn in the undated panel


def test_the_page_has_an_accessible_title_description_and_data_table(
    indicators: list[dict[str, Any]],
) -> None:
    gdp = by_id(indicators, "gdp")
    html = render_chart_page(gdp, lang="en", base_url=BASE)
    data = chart_data(html)
    assert data["strings"]["title"] == "Gross regional product (GDP), annual"
    assert data["strings"]["desc"].startswith("Gross regional product (GDP), annual: 2 observ")
    assert "1 actual, 1 target" in data["strings"]["desc"]
    assert html.count('<tr id="obs-') == 2
    assert html.count("<mark>") == 2


def test_the_embedded_json_cannot_close_its_script_element(
    indicators: list[dict[str, Any]],
) -> None:
    gdp = by_id(indicators, "gdp")
    hostile = gdp | {"name": {"zh": "</script><script>alert(1)</script>", "en": "x"}}
    html = render_chart_page(hostile, lang="zh", base_url=BASE)
    assert "</script><script>alert" not in html
    assert chart_data(html)["strings"]["title"] == "</script><script>alert(1)</script>"


def test_the_chart_page_loads_only_our_static_files(indicators: list[dict[str, Any]]) -> None:
    html = render_chart_page(by_id(indicators, "gdp"), base_url=BASE)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts == [
        f"{BASE}/static/vendor/d3-7.9.2/d3.min.js",
        f"{BASE}/static/vendor/plot-0.6.17/plot.umd.min.js",
        *[s for s in scripts if s.startswith(f"{BASE}/static/embed/chart.js?v=")],
        *[s for s in scripts if s.startswith(f"{BASE}/static/embed/resize.js?v=")],
    ]
    assert 'type="application/json+oembed"' in html


def test_every_note_reaches_the_table_and_the_chart_in_both_languages(
    indicators: list[dict[str, Any]],
) -> None:
    """A curator's caveat (how a period or a reading was decided) travels with its value."""
    noted = 0
    for indicator in indicators:
        for lang in ("zh", "en"):
            page = render_chart_page(indicator, lang=lang, base_url=BASE)
            data = {o["id"]: o for o in chart_data(page)["observations"]}
            for metric in indicator["items"]:
                note = metric["note"]
                if note is None:
                    assert data[metric["id"]]["note"] is None
                    continue
                noted += 1
                shown = note["zh"] if lang == "zh" and note.get("zh") else note["en"]
                assert data[metric["id"]]["note"] == shown
                assert str(escape(shown)) in page
    assert noted >= 40
