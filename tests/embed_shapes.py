"""Hand-made records in the served shape (checked against the public models), for the embeds'
unit tests that need a value or a label the dataset does not have."""

from typing import Any

from app.models import IndicatorDetail, MetricPublic


def metric(**changes: Any) -> dict[str, Any]:
    """`gdp-2021-q1-q3` as served, with `changes` on top; validated as a MetricPublic."""
    base: dict[str, Any] = {
        "id": "gdp-2021-q1-q3",
        "indicator": "gdp-year-to-date",
        "subject": "zhuzhou",
        "kind": "actual",
        "as_written": "2487.1亿元",
        "category": "economy",
        "basis": "year_to_date",
        "subject_type": "entity",
        "value": 248710000000.0,
        "value_high": None,
        "unit": "CNY",
        "qualifier": "exact",
        "name": {"zh": "地区生产总值", "en": "Gross regional product (GDP)"},
        "period": {
            "type": "span",
            "start": "2021-01-01",
            "end": "2021-09-30",
            "precision": "quarters",
            "label": {"zh": "前3季度", "en": "First three quarters of 2021"},
            "as_written": "前3季度",
            "written_start": "2021-01-01",
            "written_end": "2021-09-30",
        },
        "source": {
            "document": "d",
            "paragraph": 43,
            "start": 3558,
            "end": 3578,
            "quote": "前3季度实现地区生产总值2487.1亿元",
        },
        "entities": [],
        "industry_chains": [],
        "note": None,
    }
    record = base | changes
    MetricPublic.model_validate(record)
    return record


def indicator(*items: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A series as served with `items` as its observations; validated as an IndicatorDetail."""
    base: dict[str, Any] = {
        "id": "gdp-year-to-date",
        "category": "economy",
        "unit": "CNY",
        "basis": "year_to_date",
        "name": {"zh": "地区生产总值(年内累计)", "en": "GDP, year to date"},
        "description": None,
        "observations": len(items),
        "latest": [],
        "items": list(items),
    }
    record = base | changes
    IndicatorDetail.model_validate(record)
    return record
