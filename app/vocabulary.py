"""The controlled vocabularies, declared once: units, qualifiers, periods, kinds, sorts, paths."""

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import StringConstraints

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG = re.compile(SLUG_PATTERN)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]
Text = Annotated[str, StringConstraints(min_length=1)]


class RecordType(StrEnum):
    """The kinds of record, as named in links and search hits."""

    metric = "metric"
    indicator = "indicator"
    industry_chain = "industry_chain"
    event = "event"
    entity = "entity"
    document = "document"


# Where each kind of record is served; a record's URL is its prefix, "/" and its id.
RESOURCE_PATHS: dict[RecordType, str] = {
    RecordType.metric: "/v1/metrics",
    RecordType.indicator: "/v1/indicators",
    RecordType.industry_chain: "/v1/industry-chains",
    RecordType.event: "/v1/timeline",
    RecordType.entity: "/v1/entities",
    RecordType.document: "/v1/documents",
}


class MetricKind(StrEnum):
    """Whether an observation is a reported fact or a stated goal."""

    actual = "actual"
    target = "target"


class Category(StrEnum):
    """Controlled vocabulary of metric categories."""

    economy = "economy"
    industry = "industry"
    enterprise = "enterprise"
    innovation = "innovation"
    environment = "environment"
    relocation = "relocation"
    investment = "investment"
    trade = "trade"


class Unit(StrEnum):
    """Units of metric values (base units: yuan, not 亿元)."""

    CNY = "CNY"
    USD = "USD"
    percent = "percent"
    count = "count"  # type: ignore[assignment]  # shadows str.count, harmlessly
    day = "day"
    km2 = "km2"
    rank = "rank"
    water_class = "water_class"


class Qualifier(StrEnum):
    """How the value relates to the true quantity."""

    exact = "exact"
    more_than = "more_than"
    at_least = "at_least"
    at_most = "at_most"
    approximately = "approximately"
    range = "range"


class Precision(StrEnum):
    """What a period or date is known to: one day, month, quarter or year, or several
    consecutive quarters or years taken together (前3季度: nine months, January–September)."""

    day = "day"
    month = "month"
    quarter = "quarter"
    quarters = "quarters"
    year = "year"
    years = "years"


class PeriodType(StrEnum):
    """How a number relates to its reference period (start..end)."""

    span = "span"  # a flow, average or growth over the whole period, or a value for it
    as_of = "as_of"  # a level or stock true at `end` (start is null: "on or before end")
    horizon = "horizon"  # a target to be reached by `end` (start is null)


class Basis(StrEnum):
    """What an indicator measures over time (SDMX: part of the series key, never mixed)."""

    annual = "annual"  # the value for one calendar year (GDP, value added, good-air days)
    year_to_date = "year_to_date"  # cumulative from 1 January to the end of the period
    stock = "stock"  # a level or count at a moment (enterprises, platforms, area)
    flow = "flow"  # the total over the period (added, closed, achieved during it)
    growth_yoy = "growth_yoy"  # % change on the same period a year earlier
    growth_average_annual = "growth_average_annual"  # average yearly % change over the period
    share = "share"  # % of a total, at or for the period
    rank = "rank"  # a place in a ranking (1 = first)
    class_ = "class"  # a classification, e.g. a surface-water quality class


# Bases whose value accrues over the period: the reference period is the span as written.
FLOW_BASES = frozenset(
    {Basis.flow, Basis.year_to_date, Basis.growth_yoy, Basis.growth_average_annual}
)


class EntityType(StrEnum):
    """Kinds of named things."""

    organisation = "organisation"
    person = "person"
    place = "place"
    programme = "programme"


class ChainKind(StrEnum):
    """Kinds of industry records."""

    system = "system"
    group = "group"
    industry = "industry"
    cluster = "cluster"
    chain_set = "chain_set"


class ParagraphRole(StrEnum):
    """Where a paragraph sits on the scraped page."""

    header = "header"
    title = "title"  # type: ignore[assignment]  # shadows str.title, harmlessly
    dateline = "dateline"
    body = "body"
    footer = "footer"


# The orders GET /v1/metrics offers (`sort`); app/store/queries.py maps each to its columns.
MetricSort = Literal["period", "-period", "value", "-value", "id", "-id", "document"]
# The metric columns a list can be filtered on by equality (each is indexed with the order).
METRIC_FILTERS = ("indicator", "category", "basis", "subject", "kind", "unit")
# The kinds of record search finds.
SearchableType = Literal["metric", "industry_chain", "event", "entity"]
