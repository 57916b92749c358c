"""The badge: plain SVG with explicit size, text measured right for Latin and CJK."""

import json
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from app.api.embed import badge
from app.api.embed.badge import WIDTHS_FILE, char_em, render_badge, text_width
from tests.conftest import require_service
from tests.embed_shapes import metric

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SVG = "{http://www.w3.org/2000/svg}"

# The characters whose DejaVu Sans advances the table keeps: printable ASCII and Latin-1, and
# the punctuation, symbols and Roman numerals our labels and values use.
TABLE_CHARS = (
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x100)]
    + list("–—‘’“”…‰€≥≤≈·×÷²³№")
    + [chr(c) for c in range(0x2160, 0x216C)]
)


def dejavu_widths() -> dict[str, Any]:
    """The table in badge_widths.json, computed from the installed DejaVu Sans."""
    from fontTools.ttLib import TTFont

    font = TTFont(DEJAVU)
    per_em = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    advances = {c: round(hmtx[cmap[ord(c)]][0] / per_em, 4) for c in TABLE_CHARS if ord(c) in cmap}
    return {
        "font": f"DejaVu Sans {font['name'].getDebugName(5)}",
        "how": "advance width / unitsPerEm from the font's hmtx table (fontTools); "
        "regenerate with: python -m tests.test_embed_badge",
        "advance_em": advances,
    }


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_cjk_characters_measure_one_em_and_latin_uses_the_font_table() -> None:
    assert char_em("地") == 1.0
    assert char_em("，") == 1.0  # fullwidth punctuation
    assert text_width("地区生产总值") == pytest.approx(6 * 11)
    assert char_em("m") > char_em("i") > 0
    assert text_width("GDP") == pytest.approx(11 * (char_em("G") + char_em("D") + char_em("P")))


def test_a_chinese_label_is_wider_than_a_latin_one_of_the_same_length() -> None:
    assert text_width("地区生产总值") > text_width("GDP Q1") * 1.3


def test_the_badge_is_plain_svg_with_explicit_size_and_no_script_or_external_reference() -> None:
    svg = render_badge(metric(), lang="zh")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    width, height = int(root.get("width", "0")), int(root.get("height", "0"))
    assert height == 20 and width > 100
    assert root.get("viewBox") == f"0 0 {width} 20"
    assert "<script" not in svg and "href" not in svg and "@import" not in svg
    # Every url() points inside the document.
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", svg))
    assert root.find(f"{SVG}title") is not None


def test_the_badge_width_is_the_sum_of_its_measured_texts_and_padding() -> None:
    root = parse(render_badge(metric(), lang="zh"))
    label, value = "地区生产总值 · 2021年第1–3季度", "2487.1亿元"
    expected = round(text_width(label) + 12) + round(text_width(value) + 12)
    assert int(root.get("width", "0")) == expected
    lengths = [t.get("textLength") for t in root.iter(f"{SVG}text")]
    assert lengths[1] == str(round(round(text_width(label), 1) * 10))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == [label, label, value, value]


def test_english_badge_says_the_qualifier_and_scales_the_money() -> None:
    raw = metric(
        id="gdp-past-5-years",
        as_written="突破3000亿元",
        value=300000000000.0,
        qualifier="more_than",
    )
    texts = [t.text for t in parse(render_badge(raw, lang="en")).iter(f"{SVG}text")]
    assert texts[2] == "> 300 billion yuan"
    assert texts[0] == "Gross regional product (GDP) · Q1–Q3 2021"
    title = parse(render_badge(raw, lang="en")).find(f"{SVG}title")
    assert title is not None and "First three quarters of 2021" in (title.text or "")


def test_a_target_badge_has_the_target_colour_and_says_target() -> None:
    svg = render_badge(metric(kind="target"), lang="en")
    assert badge.VALUE_COLOUR["target"] in svg
    assert parse(svg).find(f"{SVG}title").text.endswith("target")  # type: ignore[union-attr]


def test_markup_in_labels_is_escaped() -> None:
    svg = render_badge(metric(name={"zh": "<b>&", "en": "<b>&"}), lang="en")
    parse(svg)  # well-formed
    assert "<b>" not in svg


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", [badge.LABEL_COLOUR, *badge.VALUE_COLOUR.values()])
def test_white_text_on_each_badge_colour_meets_wcag_aa(colour: str) -> None:
    ratio = (1.0 + 0.05) / (_luminance(colour) + 0.05)
    assert ratio >= 4.5


def test_the_width_table_matches_the_installed_dejavu_sans() -> None:
    pytest.importorskip("fontTools")
    if not DEJAVU.exists():
        require_service("DejaVu Sans not installed (Debian: fonts-dejavu-core)")
    stored = json.loads(WIDTHS_FILE.read_text(encoding="utf-8"))
    assert stored["advance_em"] == dejavu_widths()["advance_em"]


def test_noto_sans_cjk_sets_every_cjk_character_of_our_labels_at_one_em() -> None:
    ttlib = pytest.importorskip("fontTools.ttLib")
    if not NOTO_CJK.exists():
        require_service("Noto Sans CJK not installed (Debian: fonts-noto-cjk)")
    font = next(
        f
        for f in ttlib.TTCollection(NOTO_CJK).fonts
        if f["name"].getDebugName(4) == "Noto Sans CJK SC"
    )
    per_em = font["head"].unitsPerEm
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    sample = "地区生产总值前季度亿元万美天平方公里全省第一类，：（）、％"
    wide = [c for c in sample if unicodedata.east_asian_width(c) in ("W", "F")]
    assert len(wide) == len(sample)
    assert {hmtx[cmap[ord(c)]][0] for c in wide} == {per_em}


if __name__ == "__main__":
    table = dejavu_widths()
    WIDTHS_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {len(table['advance_em'])} widths to {WIDTHS_FILE}", file=sys.stderr)
