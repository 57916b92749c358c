"""The fixed words of the embeds in zh and en: qualifiers, units, kinds, bases and page labels."""

from .view import Lang

# Qualifier names as a reader says them; the values themselves are placed by numbers.py.
QUALIFIER: dict[str, dict[Lang, str]] = {
    "exact": {"zh": "确数", "en": "exact"},
    "more_than": {"zh": "超过", "en": "more than"},
    "at_least": {"zh": "以上", "en": "at least"},
    "at_most": {"zh": "以内", "en": "at most"},
    "approximately": {"zh": "约", "en": "about"},
    "range": {"zh": "区间", "en": "a range"},
}

KIND: dict[str, dict[Lang, str]] = {
    "actual": {"zh": "实际值", "en": "actual"},
    "target": {"zh": "目标值", "en": "target"},
}

# Issue 8's vocabulary of series bases.
BASIS: dict[str, dict[Lang, str]] = {
    "annual": {"zh": "年度值", "en": "annual"},
    "year_to_date": {"zh": "年初至今累计", "en": "year to date"},
    "stock": {"zh": "存量", "en": "stock"},
    "flow": {"zh": "流量（期间合计）", "en": "flow over the period"},
    "growth_yoy": {"zh": "同比增长", "en": "year-on-year growth"},
    "growth_average_annual": {"zh": "年均增长", "en": "average annual growth"},
    "share": {"zh": "占比", "en": "share"},
    "rank": {"zh": "排名", "en": "rank"},
    "class": {"zh": "类别", "en": "class"},
}

CATEGORY: dict[str, dict[Lang, str]] = {
    "economy": {"zh": "经济", "en": "economy"},
    "industry": {"zh": "产业", "en": "industry"},
    "enterprise": {"zh": "企业", "en": "enterprises"},
    "innovation": {"zh": "创新", "en": "innovation"},
    "environment": {"zh": "环境", "en": "environment"},
    "relocation": {"zh": "搬迁", "en": "relocation"},
    "investment": {"zh": "投资", "en": "investment"},
    "trade": {"zh": "贸易", "en": "trade"},
}

PERIOD_TYPE: dict[str, dict[Lang, str]] = {
    "span": {"zh": "期间", "en": "over the period"},
    "as_of": {"zh": "截至", "en": "as of"},
    "horizon": {"zh": "目标期限", "en": "by the horizon"},
}

# Page labels, one table so zh and en cannot drift apart.
UI: dict[str, dict[Lang, str]] = {
    "value": {"zh": "数值", "en": "Value"},
    "as_written": {"zh": "原文写法", "en": "As written"},
    "normalised": {"zh": "规范值", "en": "Normalised"},
    "qualifier": {"zh": "限定", "en": "Qualifier"},
    "period": {"zh": "时期", "en": "Period"},
    "no_period": {"zh": "原文未注明时期", "en": "No period stated in the text"},
    "kind": {"zh": "类型", "en": "Kind"},
    "subject": {"zh": "对象", "en": "Subject"},
    "source": {"zh": "原文", "en": "Source"},
    "paragraph": {"zh": "第{n}段", "en": "paragraph {n}"},
    "characters": {"zh": "字符 {start}–{end}", "en": "characters {start}–{end}"},
    "record_json": {"zh": "记录（JSON）", "en": "Record (JSON)"},
    "document_text": {"zh": "原文全文", "en": "Document text"},
    "chart_json": {"zh": "序列（JSON）", "en": "Series (JSON)"},
    "note": {"zh": "注", "en": "Note"},
    "note_in_english": {"zh": "注（英文）", "en": "Note"},
    "translation_note": {
        "zh": "引文为原文。",
        "en": "English labels are our translations; the quote is the source's own words.",
    },
    "ambiguous_highlight": {
        "zh": "该写法在引文中出现{n}次，均已标出。",
        "en": "This expression occurs {n} times in the quote; all are marked.",
    },
    "undated": {"zh": "未注明时期", "en": "no period stated"},
    "undated_note": {
        "zh": "不在时间轴上（原文未注明时期）",
        "en": "off the time axis (no period in the text)",
    },
    "observations": {"zh": "观测值", "en": "observations"},
    "data_and_sources": {"zh": "数据与来源", "en": "Data and sources"},
    "click_hint": {
        "zh": "悬停查看数值，点击查看原文引文。",
        "en": "Hover for the value; click for the source quote.",
    },
    "legend_actual": {"zh": "实际值（实心、实线）", "en": "actual (filled, solid)"},
    "legend_target": {"zh": "目标值（空心、虚线）", "en": "target (hollow, dashed)"},
    "legend_bound": {
        "zh": "界限：数值在箭头一侧（超过、以上、前N名以内）",
        "en": "bound: the value lies where the arrow points (more than, at least, top N)",
    },
    "legend_range": {"zh": "区间（竖线）", "en": "range (bar)"},
    "legend_span": {"zh": "浅色横条：数值所指期间", "en": "pale bar: the period a value covers"},
    "legend_written": {
        "zh": "轴上点线：原文所写的时期（数值只在其末尾成立）",
        "en": "dotted line on the axis: the period the text names (the value holds at its end)",
    },
    "selected": {"zh": "所选观测值", "en": "Selected observation"},
    "basis": {"zh": "口径", "en": "Basis"},
    "unit": {"zh": "单位", "en": "Unit"},
    "provider": {"zh": "株洲数据", "en": "Zhuzhou facts"},
    "chart_desc": {
        "zh": "{name}：{count}个观测值{range}。{kinds}",
        "en": "{name}: {count} observation(s){range}. {kinds}",
    },
    "chart_desc_kinds": {
        "zh": "实际值{actual}个，目标值{target}个。",
        "en": "{actual} actual, {target} target.",
    },
    "chart_desc_range": {"zh": "，{first}至{last}", "en": ", {first} to {last}"},
    "embed_this": {"zh": "嵌入", "en": "Embed this"},
}

# Punctuation between labels: full-width in zh, ASCII with spaces in en.
PUNCTUATION: dict[Lang, dict[str, str]] = {
    "zh": {"comma": "，", "colon": "：", "open": "（", "close": "）", "dash": "——"},
    "en": {"comma": ", ", "colon": ": ", "open": " (", "close": ")", "dash": "—"},
}


def ui(key: str, lang: Lang, **values: object) -> str:
    """A page label in `lang`, with `{placeholders}` filled."""
    text = UI[key][lang]
    return text.format(**values) if values else text


def word(table: dict[str, dict[Lang, str]], key: str | None, lang: Lang) -> str:
    """A vocabulary word in `lang`; an unknown key is shown as itself, never dropped."""
    if key is None:
        return ""
    entry = table.get(key)
    return entry[lang] if entry else key
