"""The fact card: one metric as an HTML page sized for an iframe, checkable against its source."""

from collections.abc import Mapping
from typing import Any

from . import numbers, urls
from .page import render_page
from .quotes import highlight
from .view import Lang, Metric, Text, Theme
from .words import CATEGORY, KIND, PERIOD_TYPE, ui, word


def card_context(
    raw: Mapping[str, Any],
    *,
    lang: Lang,
    base_url: str,
    subject_name: Mapping[str, Any] | None = None,
    document_title: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a card shows, in `lang`: every string the template and the dashboard need."""
    metric = Metric.of(raw)
    name, name_lang = metric.name.pick(lang, metric.id)
    subject, subject_lang = Text.of(subject_name).pick(lang, metric.subject)
    title, title_lang = Text.of(document_title).pick(lang, metric.source.document)
    segments, occurrences = highlight(metric.source.quote, metric.as_written)
    note, note_lang = metric.note.pick(lang)
    period = metric.period
    return {
        "id": metric.id,
        "name": name,
        "name_lang": name_lang,
        "subject": subject,
        "subject_lang": subject_lang,
        "category": word(CATEGORY, metric.category, lang),
        "kind": metric.kind,
        "kind_label": word(KIND, metric.kind, lang),
        "value_main": numbers.readable(metric, lang),
        "as_written": metric.as_written,
        "normalised": numbers.normalised(metric, lang),
        "value": numbers.plain_number(metric.value).replace(",", ""),
        "unit": metric.unit,
        "qualifier": metric.qualifier,
        "qualifier_words": numbers.qualifier_words(metric, lang),
        "period": None
        if period is None
        else {
            "label": numbers.period_label(period, lang),
            "type": period.type,
            "type_label": word(PERIOD_TYPE, period.type, lang),
            "as_written": period.as_written,
            "start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat() if period.end else None,
        },
        "quote_segments": segments,
        "quote_ambiguous": ui("ambiguous_highlight", lang, n=occurrences)
        if occurrences > 1
        else None,
        "document": metric.source.document,
        "document_title": title,
        "document_title_lang": title_lang,
        "paragraph": ui("paragraph", lang, n=metric.source.paragraph),
        "characters": ui("characters", lang, start=metric.source.start, end=metric.source.end),
        "note": note or None,
        "note_lang": note_lang,
        "note_label": ui("note" if note_lang == lang else "note_in_english", lang),
        "record_url": urls.metric_json_url(base_url, metric.id),
        "text_url": urls.document_text_url(base_url, metric.source.document, metric.source.quote),
    }


def render_card(
    raw: Mapping[str, Any],
    *,
    lang: Lang = "zh",
    theme: Theme = "light",
    base_url: str,
    subject_name: Mapping[str, Any] | None = None,
    document_title: Mapping[str, Any] | None = None,
) -> str:
    """The card page for `/embed/metrics/{id}` from the metric's public JSON.

    `base_url` is the public origin (`https://host`, no trailing slash): links and the oEmbed
    discovery link are absolute, so a copied card still points home. `subject_name` and
    `document_title` are `{zh, en}` labels when the caller has them; ids are shown otherwise.
    """
    card = card_context(
        raw, lang=lang, base_url=base_url, subject_name=subject_name, document_title=document_title
    )
    page_url = urls.card_url(base_url, card["id"], lang, theme)
    return render_page(
        "embed/card.html", lang=lang, theme=theme, base_url=base_url, page_url=page_url, card=card
    )
