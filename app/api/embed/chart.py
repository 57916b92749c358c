"""The series chart: an indicator's observations at their reference periods, drawn by Plot."""

from collections.abc import Mapping
from typing import Any

from . import numbers, urls
from .page import render_page
from .quotes import highlight
from .view import Indicator, Lang, Metric, Text, Theme
from .words import BASIS, KIND, PERIOD_TYPE, PUNCTUATION, ui, word

# Qualifiers that make a value a bound, and the direction the true value lies in.
BOUND_DIRECTION = {"more_than": 1, "at_least": 1, "at_most": -1}


def observation(
    metric: Metric,
    *,
    lang: Lang,
    axis: numbers.Axis,
    base_url: str,
    subject_label: str,
) -> dict[str, Any]:
    """One observation as chart.js draws it and the data table lists it."""
    period = metric.period
    segments, occurrences = highlight(metric.source.quote, metric.as_written)
    value_text = numbers.readable(metric, lang)
    short = numbers.readable(metric, lang, compact=True)
    p = PUNCTUATION[lang]
    # The label states the reference period's dates, in both languages.
    when = ui("undated", lang) if period is None else numbers.period_label(period, lang)
    tip_lines = [
        f"{value_text}" + ("" if lang == "zh" else f"{p['open']}{metric.as_written}{p['close']}"),
        when,
        f"{word(KIND, metric.kind, lang)}{p['comma']}{numbers.qualifier_words(metric, lang)}",
    ]
    if subject_label:
        tip_lines.insert(0, subject_label)
    written = None if period is None else period.written_span
    note, note_lang = metric.note.pick(lang)
    return {
        "id": metric.id,
        "subject": metric.subject,
        "subject_label": subject_label,
        "kind": metric.kind,
        "kind_label": word(KIND, metric.kind, lang),
        "qualifier": metric.qualifier,
        "qualifier_words": numbers.qualifier_words(metric, lang),
        "bound": BOUND_DIRECTION.get(metric.qualifier, 0),
        "y": metric.value / axis.divisor,
        "y_high": None if metric.value_high is None else metric.value_high / axis.divisor,
        "dated": period is not None,
        "x": None if period is None else period.reference.isoformat(),
        "x1": None
        if period is None or not period.is_span or period.start is None
        else period.start.isoformat(),
        "written": None if written is None else [written[0].isoformat(), written[1].isoformat()],
        "period_type": None if period is None else period.type,
        "period_type_label": None if period is None else word(PERIOD_TYPE, period.type, lang),
        "period_label": when,
        "as_written": metric.as_written,
        # The curator's caveat (how a period or a reading was decided), as the card shows it.
        "note": note or None,
        "note_lang": note_lang,
        "note_label": ui("note" if note_lang == lang else "note_in_english", lang),
        "value_text": value_text,
        "label": short,
        "normalised": numbers.normalised(metric, lang),
        "quote": [[s.text, s.mark] for s in segments],
        "quote_ambiguous": ui("ambiguous_highlight", lang, n=occurrences)
        if occurrences > 1
        else None,
        "record_url": urls.metric_json_url(base_url, metric.id),
        "text_url": urls.document_text_url(base_url, metric.source.document, metric.source.quote),
        "tip": "\n".join(tip_lines),
        "aria": p["comma"].join(line for line in tip_lines if line),
    }


def chart_context(
    raw: Mapping[str, Any],
    *,
    lang: Lang,
    base_url: str,
    subject_names: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the chart page shows and what chart.js draws, in `lang`."""
    indicator = Indicator.of(raw)
    axis = numbers.axis(indicator.unit, lang)
    names = subject_names or {}
    labels = {s: Text.of(names.get(s)).pick(lang, s)[0] for s in indicator.subjects}
    subjects = [
        {"id": s, "label": label, "index": i} for i, (s, label) in enumerate(labels.items())
    ]
    several = len(subjects) > 1
    observations = [
        observation(
            m,
            lang=lang,
            axis=axis,
            base_url=base_url,
            subject_label=labels[m.subject] if several else "",
        )
        for m in indicator.observations
    ]
    name, name_lang = indicator.name.pick(lang, indicator.id)
    description, description_lang = indicator.description.pick(lang)
    return {
        "id": indicator.id,
        "name": name,
        "name_lang": name_lang,
        "description": description or None,
        "description_lang": description_lang,
        "unit_label": axis.label,
        "basis": word(BASIS, indicator.basis, lang) or None,
        "desc": _describe(name, indicator.observations, lang),
        "subjects": subjects,
        "several_subjects": several,
        "observations": observations,
        "has": {
            "actual": any(m.kind == "actual" for m in indicator.observations),
            "target": any(m.kind == "target" for m in indicator.observations),
            "bound": any(o["bound"] for o in observations),
            "range": any(o["y_high"] is not None for o in observations),
            "span": any(o["x1"] for o in observations),
            "written": any(o["written"] for o in observations),
            "undated": any(not o["dated"] for o in observations),
        },
        "json_url": urls.indicator_json_url(base_url, indicator.id),
        "plot": {
            "lang": lang,
            "axis": {
                "label": axis.label,
                "reverse": axis.reverse,
                "zero": axis.zero,
                "ticks": axis.ticks,
                "integer": axis.integer,
            },
            "several_subjects": several,
            "subjects": subjects,
            "observations": observations,
            "strings": {
                "undated": ui("undated", lang),
                "undated_note": ui("undated_note", lang),
                "title": name,
                "desc": _describe(name, indicator.observations, lang),
                "selected": ui("selected", lang),
                "record_json": ui("record_json", lang),
                "document_text": ui("document_text", lang),
                "rank_prefix": "第" if lang == "zh" else "No. ",
                "year_suffix": "年" if lang == "zh" else "",
            },
        },
    }


def _describe(name: str, metrics: tuple[Metric, ...], lang: Lang) -> str:
    """The chart's text alternative: what it shows, how many, over when, of which kinds."""
    dated = sorted(m.period.reference for m in metrics if m.period is not None)
    span = ""
    if dated:
        first, last = str(dated[0].year), str(dated[-1].year)
        if lang == "zh":
            first, last = f"{first}年", f"{last}年"
        span = ui("chart_desc_range", lang, first=first, last=last) if first != last else ""
    kinds = ui(
        "chart_desc_kinds",
        lang,
        actual=sum(m.kind == "actual" for m in metrics),
        target=sum(m.kind == "target" for m in metrics),
    )
    return ui("chart_desc", lang, name=name, count=len(metrics), range=span, kinds=kinds)


def render_chart_page(
    raw: Mapping[str, Any],
    *,
    lang: Lang = "zh",
    theme: Theme = "light",
    base_url: str,
    subject_names: Mapping[str, Any] | None = None,
) -> str:
    """The chart page for `/embed/indicators/{id}/chart` from the indicator's public JSON.

    The observations are embedded in the page as JSON (no second request); chart.js draws them
    with the vendored Observable Plot, and a server-rendered table holds the same data for
    readers without script. `subject_names` maps subject ids to `{zh, en}` names.
    """
    chart = chart_context(raw, lang=lang, base_url=base_url, subject_names=subject_names)
    page_url = urls.chart_url(base_url, chart["id"], lang, theme)
    return render_page(
        "embed/chart.html",
        lang=lang,
        theme=theme,
        base_url=base_url,
        page_url=page_url,
        chart=chart,
    )
