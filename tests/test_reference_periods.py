"""Reference periods: every metric's indicator, the indicator's basis, and when the number is true.

The expected results of issue 8's rule (seed/README.md, "Reference periods"), written by hand from
the text, one row per metric, so a new metric cannot go unpinned:

- no written period: no reference period;
- a written period with an open start (到2018年底) or a point (目前): `as_of` its end;
- a flow, year-to-date value or growth rate: a `span` as written;
- a level, share, rank or class over several years: `as_of` the span's end for an actual value,
  `horizon` at the span's end for a target;
- otherwise (one year, quarters, a month): a `span` of that period.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.dataset.files import SeedBundle
from app.dataset.periods import resolve_period

Reference = tuple[str, str | None, str] | None  # (type, start, end) or None

# (metric, indicator, basis, reference period), in the order of metrics.toml.
EXPECTED: list[tuple[str, str, str, Reference]] = [
    ("sany-smart-steel-city-investment", "project-investment", "flow", None),
    ("national-industrial-bases", "national-industrial-bases", "stock", None),
    ("qingshuitang-area", "area", "stock", None),
    (
        "qingshuitang-industrial-wastewater-share",
        "industrial-wastewater-share-of-city",
        "share",
        None,
    ),
    (
        "qingshuitang-heavy-metal-emissions-share",
        "heavy-metal-emissions-share-of-city",
        "share",
        None,
    ),
    (
        "qingshuitang-drinking-water-population-threatened",
        "population-drinking-water-threatened",
        "stock",
        None,
    ),
    (
        "national-old-industrial-zone-relocation-pilots",
        "old-industrial-zone-relocation-pilots",
        "stock",
        None,
    ),
    (
        "qingshuitang-relocation-people-involved-rank",
        "relocation-pilot-people-involved-rank",
        "rank",
        None,
    ),
    ("qingshuitang-relocation-cadres-stationed", "relocation-cadres-stationed", "stock", None),
    # 到2018年底: an open start, true as of its end
    (
        "qingshuitang-enterprises-closed-relocated-2018",
        "enterprises-closed-or-relocated",
        "flow",
        ("as_of", None, "2018-12-31"),
    ),
    # the sentence's 到2018年底 covers every clause
    (
        "qingshuitang-workers-resettled-2018",
        "workers-resettled",
        "flow",
        ("as_of", None, "2018-12-31"),
    ),
    (
        "qingshuitang-residents-resettled-2018",
        "residents-resettled",
        "flow",
        ("as_of", None, "2018-12-31"),
    ),
    ("polluting-enterprises-closed", "polluting-enterprises-closed", "flow", None),
    ("livestock-poultry-farms-closed", "livestock-poultry-farms-closed", "flow", None),
    ("emerging-industrial-chains-count", "industrial-chains", "stock", None),
    (
        "air-quality-good-days-2020",
        "air-quality-good-days",
        "annual",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    # the year that opens the sentence
    (
        "air-quality-ranking-key-cities-2020",
        "air-quality-ranking-key-cities",
        "stock",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    (
        "air-quality-improvement-rank-national-2020",
        "air-quality-improvement-rank-national",
        "rank",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    (
        "air-quality-improvement-rank-provincial-2020",
        "air-quality-improvement-rank-provincial",
        "rank",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    # judgement: 2016年 dates the change, not the class before it
    ("xiangjiang-water-class-before-2016", "surface-water-quality-class", "class", None),
    (
        "xiangjiang-water-class-2016",
        "surface-water-quality-class",
        "class",
        ("span", "2016-01-01", "2016-12-31"),
    ),
    (
        "lujiang-water-class-2020",
        "surface-water-quality-class",
        "class",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    # judgement: the clause's 2020年 (实现 states the result)
    (
        "zhuzhou-water-class-citywide",
        "surface-water-quality-class",
        "class",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    ("academicians", "academicians", "stock", None),
    ("technical-talent", "technical-talent", "stock", None),
    ("innovation-platforms", "innovation-platforms", "stock", None),
    (
        "hunan-national-manufacturing-innovation-centres",
        "national-manufacturing-innovation-centres",
        "stock",
        None,
    ),
    # the next sentence's 2020年 is not carried back
    ("rd-intensity", "rd-intensity", "share", None),
    (
        "hunan-cities-with-rd-intensity-above-3-percent",
        "cities-with-rd-intensity-above-3-percent",
        "stock",
        None,
    ),
    (
        "high-tech-value-added-2020",
        "high-tech-value-added",
        "annual",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    (
        "high-tech-share-of-gdp-2020",
        "high-tech-share-of-gdp",
        "share",
        ("span", "2020-01-01", "2020-12-31"),
    ),
    # the previous sentence's 2020年 is not carried over
    ("innovation-competitiveness-rank", "innovation-competitiveness-rank", "rank", None),
    # a flow keeps its span
    (
        "key-core-technology-breakthroughs-past-5-years",
        "key-core-technology-breakthroughs",
        "flow",
        ("span", "2016-01-01", "2020-12-31"),
    ),
    (
        "first-in-china-products-past-5-years",
        "first-in-china-products",
        "flow",
        ("span", "2016-01-01", "2020-12-31"),
    ),
    ("clothing-cluster-scale", "industrial-cluster-scale", "class", None),
    ("clothing-cluster-order", "hundred-billion-cluster-order", "rank", None),
    ("rail-cluster-scale", "industrial-cluster-scale", "class", None),
    ("high-tech-zone-nev-enterprises", "cluster-enterprises", "stock", None),
    ("rail-cluster-enterprises", "cluster-enterprises", "stock", None),
    ("rail-local-supporting-rate", "local-supporting-rate", "share", None),
    ("rail-export-destinations", "export-destinations", "stock", None),
    (
        "great-wall-computer-output-2021-q1-q3",
        "enterprise-output-value",
        "year_to_date",
        ("span", "2021-01-01", "2021-09-30"),
    ),
    (
        "great-wall-computer-output-growth-2021-q1-q3",
        "enterprise-output-growth",
        "growth_yoy",
        ("span", "2021-01-01", "2021-09-30"),
    ),
    ("industrial-enterprises", "industrial-enterprises", "stock", None),
    ("little-giant-enterprises-national", "little-giant-enterprises-national", "stock", None),
    ("little-giant-enterprises-provincial", "little-giant-enterprises-provincial", "stock", None),
    (
        "little-giant-enterprises-rank-provincial",
        "little-giant-enterprises-rank-provincial",
        "rank",
        None,
    ),
    # no period written (过去5年 opens the next paragraph)
    (
        "industrial-value-added-average-growth",
        "industrial-value-added-growth-average-annual",
        "growth_average_annual",
        None,
    ),
    (
        "gdp-average-growth-past-5-years",
        "gdp-growth-average-annual",
        "growth_average_annual",
        ("span", "2016-01-01", "2020-12-31"),
    ),
    # a level reached within the span: true as of its end
    ("gdp-past-5-years", "gdp", "annual", ("as_of", None, "2020-12-31")),
    ("gdp-per-capita-past-5-years", "gdp-per-capita", "annual", ("as_of", None, "2020-12-31")),
    # the previous sentence's 过去5年 is not carried over
    ("best-prefecture-level-city-rank", "best-prefecture-level-city-rank", "rank", None),
    ("most-successful-cities-rank", "most-successful-cities-rank", "rank", None),
    # 目前: a point
    (
        "industry-classes-present",
        "industry-classes-present",
        "stock",
        ("as_of", None, "2021-11-09"),
    ),
    ("industry-classes-total", "industry-classes-total", "stock", ("as_of", None, "2021-11-09")),
    # 目前 opens the sentence
    (
        "industrial-category-completeness-rank-provincial",
        "industrial-category-completeness-rank-provincial",
        "rank",
        ("as_of", None, "2021-11-09"),
    ),
    # added over the span: a flow keeps it
    (
        "target-new-100-billion-clusters",
        "new-100-billion-clusters",
        "flow",
        ("span", "2021-01-01", "2025-12-31"),
    ),
    # a level to reach: at the horizon
    (
        "target-st-progress-contribution-rate",
        "st-progress-contribution-rate",
        "share",
        ("horizon", None, "2025-12-31"),
    ),
    (
        "target-foreign-trade-dependence",
        "foreign-trade-dependence",
        "share",
        ("horizon", None, "2025-12-31"),
    ),
    ("target-gdp", "gdp", "annual", ("horizon", None, "2025-12-31")),
    # cumulative January to September
    ("gdp-2021-q1-q3", "gdp-year-to-date", "year_to_date", ("span", "2021-01-01", "2021-09-30")),
    ("gdp-growth-2021-q1-q3", "gdp-growth", "growth_yoy", ("span", "2021-01-01", "2021-09-30")),
    (
        "gdp-growth-two-year-average-2021-q1-q3",
        "gdp-growth-two-year-average",
        "growth_average_annual",
        ("span", "2021-01-01", "2021-09-30"),
    ),
    (
        "industrial-value-added-growth-2021-q1-q3",
        "industrial-value-added-growth",
        "growth_yoy",
        ("span", "2021-01-01", "2021-09-30"),
    ),
    (
        "manufacturing-growth-2021-q1-q3",
        "manufacturing-growth",
        "growth_yoy",
        ("span", "2021-01-01", "2021-09-30"),
    ),
]

YEARS = range(2010, 2031)


def true_in(reference: Reference, year: int) -> bool:
    """Whether a reference period overlaps a year: a point (as_of, horizon) at its end."""
    if reference is None:
        return False
    kind, start, end = reference
    if kind in ("as_of", "horizon"):
        return int(end[:4]) == year
    assert start is not None
    return int(start[:4]) <= year <= int(end[:4])


def curated(seed_bundle: SeedBundle) -> dict[str, Any]:
    """The curated metrics by id."""
    return {m.id: m for b in seed_bundle.documents for m in b.metrics}


def test_every_curated_metric_is_pinned_exactly_once(seed_bundle: SeedBundle) -> None:
    pinned = [row[0] for row in EXPECTED]
    assert len(pinned) == len(set(pinned))
    assert sorted(pinned) == sorted(curated(seed_bundle))


def test_the_table_agrees_with_the_curated_indicators_and_bases(seed_bundle: SeedBundle) -> None:
    metrics = curated(seed_bundle)
    bases = {i.id: i.basis for i in seed_bundle.indicators}
    for metric_id, indicator, basis, reference in EXPECTED:
        assert metrics[metric_id].indicator == indicator, metric_id
        assert bases[indicator] == basis, metric_id
        assert (metrics[metric_id].period is None) == (reference is None), metric_id


@pytest.mark.parametrize(("metric_id", "indicator", "basis", "reference"), EXPECTED)
def test_a_metric_is_served_with_its_basis_and_reference_period(
    client: TestClient,
    seed_bundle: SeedBundle,
    metric_id: str,
    indicator: str,
    basis: str,
    reference: Reference,
) -> None:
    metric = client.get(f"/v1/metrics/{metric_id}").json()
    assert metric["indicator"] == indicator
    assert client.get(f"/v1/indicators/{indicator}").json()["basis"] == basis
    period = metric["period"]
    served = None if period is None else (period["type"], period["start"], period["end"])
    assert served == reference
    written = curated(seed_bundle)[metric_id].period
    if written is not None:
        resolved = resolve_period(written, seed_bundle.documents[0].meta.published)
        assert period["as_written"] == written
        assert (period["written_start"], period["written_end"]) == (
            None if resolved.start is None else resolved.start.isoformat(),
            None if resolved.end is None else resolved.end.isoformat(),
        )


@pytest.mark.parametrize("year", YEARS)
def test_year_returns_exactly_the_metrics_true_in_that_year(client: TestClient, year: int) -> None:
    body = client.get("/v1/metrics", params={"year": year, "limit": 500}).json()
    expected = sorted(row[0] for row in EXPECTED if true_in(row[3], year))
    assert sorted(item["id"] for item in body["items"]) == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize(
    ("reference", "year", "expected"),
    [
        (None, 2021, False),
        (("as_of", None, "2020-12-31"), 2016, False),
        (("as_of", None, "2020-12-31"), 2020, True),
        (("horizon", None, "2025-12-31"), 2022, False),
        (("horizon", None, "2025-12-31"), 2025, True),
        (("span", "2016-01-01", "2020-12-31"), 2016, True),
        (("span", "2016-01-01", "2020-12-31"), 2021, False),
    ],
)
def test_true_in_reads_a_point_at_its_end_and_a_span_whole(
    reference: Reference, year: int, expected: bool
) -> None:
    assert true_in(reference, year) is expected
