"""GET /v1: what this dataset is, its version, and where everything is."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.api.deps import ReaderDep
from app.api.errors import ERROR_RESPONSES
from app.api.responses import model_json
from app.api.urls import base_url
from app.store import info
from app.store.reader import Reader
from app.vocabulary import RESOURCE_PATHS, RecordType

router = APIRouter(tags=["dataset"])

TRANSLATION_NOTE = (
    "Quotes are the source's own words. Names and titles are our labels: the Chinese ones in "
    "the source's terms (a qualifier in parentheses tells series apart), the English ones our "
    "translations, not the source's."
)


class DocumentSummary(BaseModel):
    """A source document in brief."""

    id: str
    title: dict[str, str]
    publisher: dict[str, str]
    published: str
    sha256: str


class DatasetInfoPublic(BaseModel):
    """The dataset at a glance."""

    name: str
    dataset_version: str | None = Field(
        description="Content hash of the loaded data; it changes whenever any served fact changes."
    )
    counts: dict[str, int]
    documents: list[DocumentSummary]
    attribution: str
    translation_note: str
    resources: dict[str, str]


@router.get(
    "/v1",
    summary="Dataset version, counts and sources",
    response_model=DatasetInfoPublic,
    responses={code: ERROR_RESPONSES[code] for code in (406, 412, 503)},
    operation_id="get_dataset",
    description="The entry point: the dataset version (a content hash), record counts per "
    "resource, the source documents, attribution, and the note that English labels are our "
    "translations.",
)
async def get_dataset(request: Request, db: ReaderDep) -> Response:
    """Describe the dataset."""
    return model_json(await db.run(describe_dataset, base_url(request.scope)))


def describe_dataset(db: Reader, base: str) -> DatasetInfoPublic:
    """The entry point's body, its links absolute against base (also the OpenAPI example)."""
    docs = info.document_summaries(db)
    publishers = sorted({d["publisher"]["zh"] for d in docs})
    return DatasetInfoPublic(
        name="Zhuzhou facts",
        dataset_version=info.dataset_version(db),
        counts=info.counts(db),
        documents=[DocumentSummary(**d) for d in docs],
        attribution="Facts quoted from articles published by "
        + "、".join(publishers)
        + "; each record cites its verbatim quote and offsets.",
        translation_note=TRANSLATION_NOTE,
        resources={
            name: base + path
            for name, path in (
                ("metrics", RESOURCE_PATHS[RecordType.metric]),
                ("indicators", RESOURCE_PATHS[RecordType.indicator]),
                ("industry_chains", RESOURCE_PATHS[RecordType.industry_chain]),
                ("timeline", RESOURCE_PATHS[RecordType.event]),
                ("entities", RESOURCE_PATHS[RecordType.entity]),
                ("documents", RESOURCE_PATHS[RecordType.document]),
                ("search", "/v1/search?q="),
                ("openapi", "/openapi.json"),
                ("docs", "/docs"),
            )
        },
    )
