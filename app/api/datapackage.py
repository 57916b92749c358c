"""The Frictionless Data Package of the lists (/v1/datapackage.json), derived from the code.

One tabular resource per list, at its CSV endpoint. Every field comes from the public model's
flat columns (`app.tabular.csv_plan`, the plan the CSV itself is written by), so the schema and
the CSV cannot drift apart: the type from the field's annotation, `required` where no step of
its path is optional, `enum` from the vocabularies, `pattern` and lengths from its constraints.
The primary key and the foreign keys are the tables' (`app.store.tables`); `parent` refers to the
same list. Descriptions, in English and in Chinese (`description@zh`, the Data Package
translation pattern), come from app/api/datapackage_descriptions.py.
"""

from datetime import date
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from sqlmodel import SQLModel

from app.api.datapackage_descriptions import BILINGUAL, FIELDS, NOTE_LANGUAGE, RESOURCES, Words
from app.models import PUBLIC_MODELS, Bilingual, Note
from app.store.tables import Document, Entity, Event, Indicator, IndustryChain, Metric
from app.tabular import FlatColumn, csv_plan
from app.vocabulary import RESOURCE_PATHS, RecordType

PROFILE = "https://datapackage.org/profiles/2.0/{}.json"
LIST_DELIMITER = "|"  # how app.tabular joins a list of ids into one cell

# The lists in the package, with the table each is stored in.
TABLES: dict[RecordType, type[SQLModel]] = {
    RecordType.metric: Metric,
    RecordType.indicator: Indicator,
    RecordType.industry_chain: IndustryChain,
    RecordType.event: Event,
    RecordType.entity: Entity,
    RecordType.document: Document,
}
SCALAR_TYPES: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    date: "date",
}


def resource_name(record_type: RecordType) -> str:
    """The list's name: the last segment of its path (`industry-chains`)."""
    return RESOURCE_PATHS[record_type].rsplit("/", 1)[1]


def _bare(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `| None`, and whether it had it."""
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not NoneType]
        return (args[0] if len(args) == 1 else annotation), NoneType in get_args(annotation)
    return annotation, False


def path_steps(model: type[BaseModel], path: tuple[str, ...]) -> list[tuple[Any, Any, bool]]:
    """(model, field info, optional) for each step of a flat column's path."""
    steps = []
    for name in path:
        info = model.model_fields[name]
        annotation, optional = _bare(info.annotation)
        steps.append((model, info, optional))
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return steps


def _words(record_type: str, column: FlatColumn, model: type[BaseModel]) -> Words:
    """The column's description in English and Chinese."""
    steps = path_steps(model, column.path)
    owner = steps[-1][0]
    if owner in (Bilingual, Note):  # one language of a label or a note
        key = ".".join(column.path[:-1])
        en, zh = FIELDS.get(f"{record_type}/{key}") or FIELDS[key]
        lang_en, lang_zh = (BILINGUAL if owner is Bilingual else NOTE_LANGUAGE)[column.path[-1]]
        return f"{en}, {lang_en}.", f"{zh}（{lang_zh}）。"
    key = ".".join(column.path)
    return FIELDS.get(f"{record_type}/{key}") or FIELDS[key]


def field_descriptor(
    record_type: str, column: FlatColumn, model: type[BaseModel]
) -> dict[str, Any]:
    """The Table Schema field of one flat column."""
    steps = path_steps(model, column.path)
    info = steps[-1][1]
    annotation, _ = _bare(info.annotation)
    en, zh = _words(record_type, column, model)
    field: dict[str, Any] = {"name": column.name, "description": en, "description@zh": zh}
    constraints: dict[str, Any] = {}
    if column.is_list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            field["type"] = "array"  # a list of objects is one cell of JSON
        else:
            field |= {"type": "list", "delimiter": LIST_DELIMITER, "itemType": "string"}
        return field | {"constraints": constraints} if constraints else field
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        field["type"] = "string"
        constraints["enum"] = [member.value for member in annotation]
    else:
        field["type"] = SCALAR_TYPES[annotation]
    for meta in info.metadata:
        for source, target in (("pattern", "pattern"), ("min_length", "minLength")):
            if getattr(meta, source, None) is not None:
                constraints[target] = getattr(meta, source)
    if not any(optional for _, _, optional in steps):
        constraints["required"] = True
    if column.name == "id":
        constraints["unique"] = True
    if constraints:
        field["constraints"] = constraints
    return field


def foreign_keys(record_type: RecordType, columns: set[str]) -> list[dict[str, Any]]:
    """The table's foreign keys among the public columns, and `parent` (the same list)."""
    by_table = {table.__tablename__: rt for rt, table in TABLES.items()}
    keys = []
    for fk in sorted(TABLES[record_type].__table__.foreign_keys, key=lambda f: f.parent.name):  # type: ignore[attr-defined]
        target = by_table.get(fk.column.table.name)
        if fk.parent.name in columns and target is not None:
            reference = {"resource": resource_name(target), "fields": [fk.column.name]}
            keys.append({"fields": [fk.parent.name], "reference": reference})
    if "parent" in columns:
        keys.append({"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}})
    return keys


def resource(record_type: RecordType, base_url: str) -> dict[str, Any]:
    """One list as a tabular resource at its CSV endpoint (the whole list: no `limit`)."""
    model = PUBLIC_MODELS[record_type]
    plan = csv_plan(model)
    table = TABLES[record_type].__table__  # type: ignore[attr-defined]
    en, zh = RESOURCES[record_type]
    schema: dict[str, Any] = {
        "$schema": PROFILE.format("tableschema"),
        "fields": [field_descriptor(record_type.value, c, model) for c in plan],
        "missingValues": [""],
        "primaryKey": [c.name for c in table.primary_key.columns],
    }
    keys = foreign_keys(record_type, {c.name for c in plan})
    if keys:
        schema["foreignKeys"] = keys
    return {
        "$schema": PROFILE.format("dataresource"),
        "name": resource_name(record_type),
        "type": "table",
        "path": f"{base_url}{RESOURCE_PATHS[record_type]}?format=csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": en,
        "description@zh": zh,
        "schema": schema,
    }


def datapackage(
    base_url: str, version: str | None, documents: list[dict[str, Any]]
) -> dict[str, Any]:
    """The package: the lists, the dataset version, and the source documents."""
    return {
        "$schema": PROFILE.format("datapackage"),
        "name": "zhuzhou-facts",
        "id": f"{base_url}/v1/datapackage.json",
        "title": "Zhuzhou facts",
        "title@zh": "株洲数据",
        "description": "Statistical facts from a source document, each with the verbatim quote "
        "it comes from and that quote's offsets. Quotes are the source's words; names are "
        "our labels, in Chinese in the source's terms, in English our translations.",
        "description@zh": "来自原文的统计事实，每条附原文引文及其位置。"
        "引文为原文；名称为我们拟定的标签，中文按原文用语，英文为译文。",
        "languages": ["en", "zh"],
        "version": version or "",
        "homepage": f"{base_url}/",
        "sources": [
            {
                "title": f"{d['title']['zh']} ({d['publisher']['zh']}, {d['published']})",
                "path": f"{base_url}{RESOURCE_PATHS[RecordType.document]}/{d['id']}/text",
            }
            for d in documents
        ],
        "resources": [resource(record_type, base_url) for record_type in TABLES],
    }
