"""A number's reference period: when it is true, given the span its sentence names.

SDMX gives every observation one time period. Ours is decided by the series' basis, the
observation's kind and the span of the written expression:

- no written period: null;
- an open start (到2018年底) or a single day (目前): `as_of` its end;
- a flow basis (flow, year_to_date, growth_yoy, growth_average_annual): `span`, as written;
- a level basis (annual, stock, share, rank, class) written with several years (过去5年,
  未来5年): `as_of` the end for an actual, `horizon` the end for a target;
- otherwise (one year, quarter(s) or month): `span`, as written.

A level "reached in the past five years" (总量突破3000亿元) is true by the end of 2020, not in
2016; a level targeted "in the next five years" (迈上5000亿元台阶) is a goal for 2025. A flow over
the same words (突破关键核心技术140余项) keeps the span: it counts what happened during it.
"""

import re

from app.dataset.periods import ResolvedPeriod
from app.models import Bilingual, Period
from app.vocabulary import FLOW_BASES, Basis, MetricKind, PeriodType, Precision


def reference_period(
    written: ResolvedPeriod, as_written: str, basis: Basis, kind: MetricKind
) -> Period:
    """The reference period of a number of this basis and kind written with this period."""
    kind_of_span = PeriodType.span
    if written.start is None or written.start == written.end:
        kind_of_span = PeriodType.as_of
    elif basis not in FLOW_BASES and written.precision is Precision.years:
        kind_of_span = PeriodType.horizon if kind is MetricKind.target else PeriodType.as_of
    start, precision, label = written.start, written.precision, (written.label_zh, written.label_en)
    if kind_of_span is not PeriodType.span:
        start = None
        if written.precision is Precision.years and written.end is not None:
            precision = Precision.year
            label = _at_end(written, kind_of_span)
    return Period(
        type=kind_of_span,
        start=start,
        end=written.end,
        precision=precision,
        label=Bilingual(zh=label[0], en=label[1]),
        as_written=as_written,
        written_start=written.start,
        written_end=written.end,
    )


def _at_end(written: ResolvedPeriod, kind: PeriodType) -> tuple[str, str]:
    """The label of a level at the end of a span of years, with the span as written:
    "By the end of 2020 (past five years, 2016–2020)"."""
    assert written.end is not None
    y = written.end.year
    zh = _INNER_ZH.sub(r"，\1", written.label_zh)
    en = _INNER_EN.sub(r", \1", written.label_en[0].lower() + written.label_en[1:])
    if kind is PeriodType.horizon:
        return f"到{y}年（{zh}）", f"By {y} ({en})"
    return f"截至{y}年底（{zh}）", f"By the end of {y} ({en})"


_INNER_ZH = re.compile(r"（(.*)）$")  # the dates of a written label, inlined
_INNER_EN = re.compile(r" \((.*)\)$")
