"""Invariants of the curated dataset: every served fact is traceable, derived and bilingual."""

import re
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from app.dataset.build import BuiltDataset
from app.dataset.files import SeedBundle
from app.store.tables import Document, Entity, Event, Indicator, IndustryChain, Metric
from app.vocabulary import Basis, ParagraphRole, Unit
from tests.conftest import SEED_DIR

HAN = re.compile(r"[\u3400-\u9fff]")
SOURCED = (Metric, Event, Entity, IndustryChain)


def rows(built: BuiltDataset, model: type) -> list:  # type: ignore[type-arg]
    return [r for r in built.rows if isinstance(r, model)]


def test_the_stored_document_is_the_shared_source_byte_for_byte() -> None:
    ours = SEED_DIR / "documents" / "zhuzhou-2021-11-09" / "source.txt"
    shared = SEED_DIR.parent.parent / "shared" / "seed-documents" / "000_b1ca4e0c2efdd5ff.txt"
    if not shared.exists():
        pytest.skip("the shared seed document is not beside this checkout")
    assert ours.read_bytes() == shared.read_bytes()


def test_the_document_has_44_body_paragraphs_between_header_and_footer(
    built: BuiltDataset,
) -> None:
    paras = built.paragraphs["zhuzhou-2021-11-09"]
    roles = [p.role for p in paras]
    body = [p for p in paras if p.role is ParagraphRole.body]
    assert len(body) == 44
    assert [p.number for p in body] == list(range(1, 45))
    assert roles.index(ParagraphRole.title) < roles.index(ParagraphRole.dateline)
    text = built.texts["zhuzhou-2021-11-09"]
    assert text[body[0].start : body[0].end].startswith("时值深秋")
    footer = [text[p.start : p.end] for p in paras if p.role is ParagraphRole.footer]
    assert "010-68703033" in footer


def test_every_quote_is_verbatim_at_its_offsets_and_inside_its_body_paragraph(
    built: BuiltDataset,
) -> None:
    checked = 0
    for model in SOURCED:
        for r in rows(built, model):
            text = built.texts[r.document]
            assert text[r.start : r.end] == r.quote, r.id
            para = next(p for p in built.paragraphs[r.document] if p.number == r.paragraph)
            assert para.role is ParagraphRole.body
            assert para.start <= r.start and r.end <= para.end, r.id
            checked += 1
    assert checked > 100


def test_every_as_written_lies_in_its_quote(built: BuiltDataset) -> None:
    for model in (Metric, Entity, IndustryChain):
        for r in rows(built, model):
            assert r.as_written in r.quote, r.id


ARABIC = re.compile(r"(\d+(?:\.\d+)?)[余多]?(千亿|亿|万)?")
SCALE = {None: 1, "万": 10**4, "亿": 10**8, "千亿": 10**11}


def test_arabic_values_match_their_digits_by_an_independent_reading(built: BuiltDataset) -> None:
    """A second, simpler derivation: the first Arabic number times its multiplier."""
    seen = 0
    for m in rows(built, Metric):
        found = ARABIC.search(m.as_written)
        if found is None:
            continue
        expected = Decimal(found.group(1)) * SCALE[found.group(2)]
        assert Decimal(repr(m.value)) == expected, (m.id, m.as_written, m.value)
        seen += 1
    assert seen >= 45


def test_there_are_at_least_50_observations_with_targets(built: BuiltDataset) -> None:
    metrics = rows(built, Metric)
    assert len(metrics) >= 50
    assert {m.kind for m in metrics} == {"actual", "target"}


def test_every_record_has_chinese_and_english_labels(built: BuiltDataset) -> None:
    labelled = [
        (r.id, r.name_zh, r.name_en)
        for model in (Metric, Entity, IndustryChain, Indicator)
        for r in rows(built, model)
    ]
    labelled += [(e.id, e.title_zh, e.title_en) for e in rows(built, Event)]
    for rid, zh, en in labelled:
        assert zh.strip() and HAN.search(zh), rid
        assert en.strip() and not HAN.search(en), (rid, en)


def test_a_period_is_served_only_where_the_text_states_one(built: BuiltDataset) -> None:
    for m in rows(built, Metric):
        if m.period_start or m.period_end:
            assert m.period_as_written, m.id
            para = next(p for p in built.paragraphs[m.document] if p.number == m.paragraph)
            assert m.period_as_written in built.texts[m.document][para.start : para.end]
        else:
            assert m.period_as_written is None and m.period_label_en is None, m.id
    for e in rows(built, Event):
        assert (e.date_as_written is None) == (e.date_start is None and e.date_end is None)


def test_observations_of_an_indicator_share_its_unit(built: BuiltDataset) -> None:
    units = {i.id: i.unit for i in rows(built, Indicator)}
    for m in rows(built, Metric):
        assert m.unit == units[m.indicator], m.id


def test_every_indicator_states_its_basis(seed_bundle: SeedBundle) -> None:
    missing = [i.id for i in seed_bundle.indicators if i.basis is None]
    assert missing == []


PERCENT_BASES = {Basis.share, Basis.growth_yoy, Basis.growth_average_annual}


def test_an_indicators_basis_agrees_with_its_unit(seed_bundle: SeedBundle) -> None:
    for ind in seed_bundle.indicators:
        assert (ind.basis is Basis.rank) == (ind.unit is Unit.rank), ind.id
        assert (ind.basis in PERCENT_BASES) == (ind.unit is Unit.percent), ind.id
        if ind.unit is Unit.water_class:
            assert ind.basis is Basis.class_, ind.id


def test_a_part_year_or_growth_series_has_a_period_on_every_observation(
    seed_bundle: SeedBundle,
) -> None:
    dated = {
        i.id for i in seed_bundle.indicators if i.basis in (Basis.year_to_date, Basis.growth_yoy)
    }
    for bundle in seed_bundle.documents:
        for m in bundle.metrics:
            if m.indicator in dated:
                assert m.period is not None, m.id


def test_payloads_are_the_public_json_of_their_rows(built: BuiltDataset) -> None:
    for model in (*SOURCED, Indicator, Document):
        for r in rows(built, model):
            data = orjson.loads(r.payload)
            assert data["id"] == r.id


def test_gdp_of_the_first_three_quarters_is_served_exactly(built: BuiltDataset) -> None:
    gdp = next(m for m in rows(built, Metric) if m.as_written == "2487.1亿元")
    data = orjson.loads(gdp.payload)
    text = built.texts["zhuzhou-2021-11-09"]
    assert text[data["source"]["start"] : data["source"]["end"]] == data["source"]["quote"]
    assert data | {
        "source": None,
        "name": None,
        "entities": None,
        "industry_chains": None,
        "note": None,
        "indicator": None,
        "id": None,
    } == {
        "id": None,
        "indicator": None,
        "name": None,
        "subject": "zhuzhou",
        "subject_type": "entity",
        "kind": "actual",
        "as_written": "2487.1亿元",
        "category": "economy",
        "basis": "year_to_date",
        "value": 248710000000.0,
        "value_high": None,
        "unit": "CNY",
        "qualifier": "exact",
        "period": {
            "type": "span",
            "start": "2021-01-01",
            "end": "2021-09-30",
            "precision": "quarters",
            "label": {"zh": "2021年前3季度（1—9月累计）", "en": data["period"]["label"]["en"]},
            "as_written": "前3季度",
            "written_start": "2021-01-01",
            "written_end": "2021-09-30",
        },
        "source": None,
        "entities": None,
        "industry_chains": None,
        "note": None,
    }
    assert "2021" in data["period"]["label"]["en"]


@pytest.mark.parametrize(
    ("as_written", "value", "value_high", "unit", "qualifier", "start", "end"),
    [
        ("1000多万人", 1e7, None, "count", "more_than", None, None),
        ("突破3000亿元", 3e11, None, "CNY", "more_than", None, "2020-12-31"),
        ("突破1万美元", 1e4, None, "USD", "more_than", None, "2020-12-31"),
        ("873.85亿元", 87385000000.0, None, "CNY", "exact", "2020-01-01", "2020-12-31"),
        ("2至3个", 2.0, 3.0, "count", "range", "2021-01-01", "2025-12-31"),
        ("迈上5000亿元台阶", 5e11, None, "CNY", "at_least", None, "2025-12-31"),
        ("达到80%以上", 80.0, None, "percent", "at_least", None, None),
        ("全国第十", 10.0, None, "rank", "exact", "2020-01-01", "2020-12-31"),
        ("百强", 100.0, None, "rank", "at_most", None, None),
        ("7.0%", 7.0, None, "percent", "exact", None, None),
        ("43.9亿", 4.39e9, None, "CNY", "exact", "2021-01-01", "2021-09-30"),
        ("261家", 261.0, None, "count", "exact", None, "2018-12-31"),
    ],
)
def test_key_observations_are_derived_correctly(
    built: BuiltDataset,
    as_written: str,
    value: float,
    value_high: float | None,
    unit: str,
    qualifier: str,
    start: str | None,
    end: str | None,
) -> None:
    matches = [m for m in rows(built, Metric) if m.as_written == as_written]
    assert len(matches) == 1
    data = orjson.loads(matches[0].payload)
    period = data["period"] or {}
    assert (
        data["value"],
        data["value_high"],
        data["unit"],
        data["qualifier"],
        period.get("start"),
        period.get("end"),
    ) == (value, value_high, unit, qualifier, start, end)


def test_the_seventeen_chains_are_counted_but_never_named(built: BuiltDataset) -> None:
    sets = [c for c in rows(built, IndustryChain) if c.kind == "chain_set"]
    assert len(sets) == 1
    assert "17" in sets[0].as_written
    assert not any(c.parent == sets[0].id for c in rows(built, IndustryChain))


def test_the_three_plus_three_plus_two_system_has_eight_members(built: BuiltDataset) -> None:
    chains = rows(built, IndustryChain)
    system = next(c for c in chains if c.kind == "system" and "3+3+2" in c.name_zh)
    groups = [c for c in chains if c.parent == system.id]
    members = [c for c in chains if c.parent in {g.id for g in groups}]
    assert len(groups) == 3
    assert len(members) == 8
    assert {m.as_written for m in members} >= {
        "轨道交通",
        "航空动力",
        "先进硬质材料",
        "电子信息",
        "新能源装备",
        "汽车与零部件",
    }


def test_no_file_under_seed_contains_code() -> None:
    assert not list(Path(SEED_DIR).rglob("*.py"))
