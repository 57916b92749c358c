"""The words of the Data Package (/v1/datapackage.json) in English and Chinese: what each list
and each field of the public models means, and the unit codes.

Keyed by a field's path in its public model (`period.start`, `source.quote`), optionally after
the record type for a meaning of its own (`indicator/unit`). A `{zh, en}` label's two columns
share the label's entry and say which language they hold. The fields, types, keys and
constraints are derived from the models (app/api/datapackage.py), not written here;
tests/test_datapackage.py checks that every column has an entry and every entry a column.
"""

Words = tuple[str, str]  # (en, zh)

RESOURCES: dict[str, Words] = {
    "metric": (
        "Observations: one number each, in base units, with its unit, qualifier, reference "
        "period and the verbatim quote it comes from.",
        "观测值：每条一个数字（基本单位），附单位、限定词、参考期和原文引文。",
    ),
    "indicator": (
        "Series: one concept, unit and basis each, with the number of observations.",
        "指标序列：每个序列只有一个概念、单位和统计口径，附观测值个数。",
    ),
    "industry_chain": (
        "Industrial systems, groups, industries, clusters and sets of chains named in the text.",
        "文中提到的产业体系、产业群、产业、产业集群和产业链。",
    ),
    "event": (
        "Dated or datable events, in date order; undated ones last.",
        "有日期或可确定日期的事件，按日期排列；未注明日期的排在最后。",
    ),
    "entity": (
        "Organisations, people, places and programmes, with what mentions them.",
        "机构、人物、地点和项目，附提及它们的记录。",
    ),
    "document": (
        "The source documents: metadata and paragraph offsets (the text is at /text).",
        "来源文件：元数据和段落位置（全文见 /text）。",
    ),
}

# How the two columns of a bilingual label are described: after the label's own words.
BILINGUAL: dict[str, Words] = {
    "zh": ("in Chinese: our label in the source's terms", "中文，按原文用语拟定的标签"),
    "en": ("in English: our translation, not the source's", "英文，为译文而非原文"),
}
# The two columns of a curator's note (neither is the source's words).
NOTE_LANGUAGE: dict[str, Words] = {"zh": ("in Chinese", "中文"), "en": ("in English", "英文")}

FIELDS: dict[str, Words] = {
    "id": (
        "Stable readable id; URLs use it and a reseed never changes it.",
        "稳定的可读标识，URL使用它，重新导入不会改变。",
    ),
    "name": ("Name", "名称"),
    "title": ("Title", "标题"),
    "as_written": ("The expression verbatim, as the source writes it.", "原文中的原样表述。"),
    "parent": (
        "Id of the record this one belongs to, in the same list.",
        "所属上级记录的标识（同一列表中）。",
    ),
    "children": (
        "Ids of the records that belong to this one, separated by |.",
        "下级记录的标识，以 | 分隔。",
    ),
    "entities": ("Ids of the entities it mentions, separated by |.", "提及的实体标识，以 | 分隔。"),
    "metrics": ("Ids of the related metrics, separated by |.", "相关观测值的标识，以 | 分隔。"),
    "events": ("Ids of the related events, separated by |.", "相关事件的标识，以 | 分隔。"),
    "industry_chains": (
        "Ids of the related industry chains, separated by |.",
        "相关产业链的标识，以 | 分隔。",
    ),
    "related": (
        "Ids of the industry chains it is related to, separated by |.",
        "相关产业链的标识，以 | 分隔。",
    ),
    "category": (
        "Category: economy, industry, enterprise, innovation, environment, relocation, "
        "investment or trade.",
        "类别：经济、产业、企业、创新、环境、搬迁、投资或贸易。",
    ),
    "basis": (
        "What the series measures over time: annual (a calendar year's value), year_to_date "
        "(cumulative from 1 January), stock (a level at a moment), flow (the total over the "
        "period), growth_yoy (% change on a year earlier), growth_average_annual, share, rank "
        "or class.",
        "序列的统计口径：annual（年度值）、year_to_date（年初至今累计）、stock（时点存量）、"
        "flow（期间合计）、growth_yoy（同比增长%）、growth_average_annual（年均增长%）、"
        "share（占比）、rank（排名）或 class（类别）。",
    ),
    "unit": (
        "Unit of `value` and `value_high` (base units): CNY and USD in yuan and dollars (not "
        "亿元), percent (28.1 for 28.1 %), count, day, km2, rank (1 = first), water_class "
        "(surface-water class, Ⅱ = 2).",
        "value 和 value_high 的单位（基本单位）：CNY、USD 以元、美元计（不是亿元），"
        "percent（28.1 表示 28.1%），count（个数），day（天），km2（平方公里），"
        "rank（名次，1 为第一），water_class（地表水水质类别，Ⅱ类 = 2）。",
    ),
    "indicator/unit": (
        "Unit of every observation of the series (see the metrics' unit).",
        "该序列所有观测值的单位（见观测值的 unit）。",
    ),
    "indicator": ("Id of the series (indicator) it belongs to.", "所属指标序列的标识。"),
    "subject": (
        "Id of the entity or industry chain the number is about.",
        "数字所描述的实体或产业链的标识。",
    ),
    "subject_type": (
        "Where `subject` is: entity or industry_chain.",
        "subject 的类型：entity（实体）或 industry_chain（产业链）。",
    ),
    "kind": (
        "actual (a reported fact) or target (a stated goal).",
        "actual（实际值）或 target（目标值）。",
    ),
    "industry_chain/kind": (
        "system, group, industry, cluster or chain_set.",
        "system（体系）、group（产业群）、industry（产业）、cluster（集群）"
        "或 chain_set（产业链组）。",
    ),
    "value": (
        "The number in base units, in the unit of `unit`: yuan, not 亿元; 28.1 for 28.1 %.",
        "以基本单位表示的数值，单位见 unit：以元计而非亿元；28.1 表示 28.1%。",
    ),
    "value_high": (
        "Top of a range (qualifier range), in the unit of `unit`; else empty.",
        "区间的上限（qualifier 为 range 时），单位见 unit；否则为空。",
    ),
    "qualifier": (
        "How the value relates to the true quantity: exact, more_than (余, 多, 超过, 突破), "
        "at_least (以上), at_most (within the top N), approximately or range.",
        "数值与真实数量的关系：exact（确数）、more_than（余、多、超过、突破）、"
        "at_least（以上）、at_most（前N名以内）、approximately（约数）或 range（区间）。",
    ),
    "period.type": (
        "How the number relates to its reference period: span (over or for the whole period), "
        "as_of (true at the end), horizon (a target for the end). Empty when no period is stated.",
        "数字与参考期的关系：span（整个期间）、as_of（截至期末）、horizon（到期末的目标）。"
        "原文未注明时期时为空。",
    ),
    "period.start": (
        "First day of the reference period; empty for as_of and horizon.",
        "参考期的第一天；as_of 和 horizon 为空。",
    ),
    "period.end": ("Last day of the reference period.", "参考期的最后一天。"),
    "period.precision": (
        "What the period is known to: day, month, quarter, quarters, year or years.",
        "时期的精确程度：day（日）、month（月）、quarter（季度）、quarters（多个季度）、"
        "year（年）或 years（多年）。",
    ),
    "period.label": ("The reference period in words", "参考期的文字说明"),
    "period.as_written": (
        "The period expression verbatim, as the source writes it.",
        "原文中的时期表述。",
    ),
    "period.written_start": (
        "First day of the span the period expression names.",
        "时期表述所指期间的第一天。",
    ),
    "period.written_end": (
        "Last day of the span the period expression names.",
        "时期表述所指期间的最后一天。",
    ),
    "date.start": ("First day the event's date can be.", "事件日期可能的第一天。"),
    "date.end": ("Last day the event's date can be.", "事件日期可能的最后一天。"),
    "date.precision": (
        "What the date is known to: day, month, quarter, quarters, year or years.",
        "日期的精确程度：day、month、quarter、quarters、year 或 years。",
    ),
    "date.as_written": (
        "The date expression verbatim, as the source writes it.",
        "原文中的日期表述。",
    ),
    "source.document": ("Id of the document quoted.", "引文所在文件的标识。"),
    "source.paragraph": (
        "Body paragraph number of the quote, from 1.",
        "引文所在正文段落的序号（从1开始）。",
    ),
    "source.start": (
        "Offset of the quote's first character in the document text, in Unicode code points.",
        "引文第一个字符在文件全文中的位置（按Unicode码位计）。",
    ),
    "source.end": (
        "Offset after the quote's last character, in Unicode code points: "
        "text[start:end] == quote.",
        "引文最后一个字符之后的位置（按Unicode码位计）：text[start:end] == quote。",
    ),
    "source.quote": ("The quote verbatim.", "原文引文。"),
    "note": ("A curator's caveat", "整理者的说明"),
    "description": ("What the series is", "序列的说明"),
    "observations": ("Number of observations in the series.", "序列中观测值的个数。"),
    "latest": (
        "Per subject, the latest actual value and the latest target (by reference period end), "
        "as JSON.",
        "每个对象的最新实际值和最新目标值（按参考期末排序），JSON格式。",
    ),
    "entity/type": (
        "organisation, person, place or programme.",
        "organisation（机构）、person（人物）、place（地点）或 programme（项目）。",
    ),
    "mentioned_by.metrics": (
        "Ids of the metrics that mention it, separated by |.",
        "提及它的观测值标识，以 | 分隔。",
    ),
    "mentioned_by.events": (
        "Ids of the events that mention it, separated by |.",
        "提及它的事件标识，以 | 分隔。",
    ),
    "mentioned_by.industry_chains": (
        "Ids of the industry chains that mention it, separated by |.",
        "提及它的产业链标识，以 | 分隔。",
    ),
    "origin": ("Where the document was published (URL).", "文件的发布地址（URL）。"),
    "sha256": ("SHA-256 of the stored text, in hex.", "所存全文的 SHA-256（十六进制）。"),
    "published": ("Publication date.", "发布日期。"),
    "language": ("Language of the text (BCP 47).", "全文语言（BCP 47）。"),
    "publisher": ("Publisher", "发布者"),
    "char_count": ("Length of the text, in Unicode code points.", "全文长度（按Unicode码位计）。"),
    "paragraphs": (
        "The paragraphs as JSON: index, role, body number, and start and end offsets in code "
        "points.",
        "段落，JSON格式：序号、角色、正文段落号，以及起止位置（按码位计）。",
    ),
}
