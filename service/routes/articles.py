"""Stored articles: read, correct (replace), delete, and their duplicate group."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from service.errors import ApiError
from service.metrics import Metrics
from service.outcomes import article_brief
from service.pipeline import Pipeline
from service.routes.bodies import json_body
from service.routes.deps import get_metrics, get_pipeline
from service.routes.ingest import parse_articles
from service.schemas import ArticleIn, ArticleOut, DuplicateGroup, ReplaceResult

router = APIRouter(prefix="/articles", tags=["articles"])
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]


def _not_found(article_id: str) -> ApiError:
    return ApiError(
        404,
        f"no article with id {article_id!r}; check the id returned by POST /ingest",
        details={"id": article_id},
    )


# Declared before the plain route: ids may contain slashes (URLs are common ids).
@router.get(
    "/{article_id:path}/duplicates", response_model=DuplicateGroup, summary="An article's duplicate group"
)
def duplicates(article_id: str, pipeline: PipelineDep) -> DuplicateGroup | JSONResponse:
    """Every copy of the article's underlying text, the original (earliest published) first.

    When no article has the id but one has the whole path as its id (an id, often derived from a
    URL, that ends in ``/duplicates``), that article is answered, as ``GET /articles/{id}`` would."""
    if pipeline.store.article(article_id) is None:
        whole = pipeline.article(f"{article_id}/duplicates")
        if whole is not None:
            return JSONResponse(jsonable_encoder(whole))
        raise _not_found(article_id)
    ids = pipeline.duplicate_group(article_id) or [article_id]
    rows = pipeline.store.articles(
        [*ids, article_id], "title, source, url, published_at, dup_type, dup_of, dup_score"
    )
    members = [article_brief(rows[i]) for i in ids if i in rows]
    own = rows.get(article_id)
    semantic_of = own["dup_of"] if own is not None and own["dup_type"] == "semantic" else None
    return DuplicateGroup(id=article_id, original=ids[0], members=members, semantic_of=semantic_of)


@router.get("/{article_id:path}", response_model=ArticleOut, summary="A stored article")
def get_article(article_id: str, pipeline: PipelineDep) -> ArticleOut:
    """The article as received, with its duplicate status, story and phase now."""
    article = pipeline.article(article_id)
    if article is None:
        raise _not_found(article_id)
    return article


@router.delete("/{article_id:path}", summary="Delete an article")
async def delete_article(article_id: str, pipeline: PipelineDep) -> dict[str, object]:
    """Removes the article from the store, the duplicate index and its story."""
    if not await run_in_threadpool(pipeline.delete, article_id):
        raise _not_found(article_id)
    return {"id": article_id, "deleted": True}


@router.put(
    "/{article_id:path}",
    response_model=ReplaceResult,
    summary="Store a corrected version of an article",
    responses={201: {"model": ReplaceResult, "description": "No article had the id: stored as new."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ArticleIn.model_json_schema()}},
        }
    },
)
async def put_article(
    article_id: str,
    request: Request,
    pipeline: PipelineDep,
    metrics: Annotated[Metrics, Depends(get_metrics)],
) -> JSONResponse:
    """The article under this id is replaced by the one given (a correction or update): its
    duplicate status, story and phase are worked out again, and the stories it left and joined
    are brought up to date; alone in its story, it keeps the story's id when it is alone again.
    ``replaced`` (200) when an article had the id, ``created`` (201) when none had, ``exists``
    (200) when the stored article is already this one. Without ``published_at`` the old
    version's publication time is kept. Validated like one article of ``POST /ingest``; a body
    ``id`` must be the path's."""
    raw = await request.body()
    result = await run_in_threadpool(_replace_body, pipeline, article_id, raw)
    metrics.observe_ingest([result])
    return JSONResponse(jsonable_encoder(result), status_code=201 if result.status == "created" else 200)


def _replace_body(pipeline: Pipeline, article_id: str, raw: bytes) -> ReplaceResult:
    payload: Any = json_body(raw, "an article object")
    if not isinstance(payload, dict):
        shape = f"got JSON {type(payload).__name__}"
        message = f"PUT /articles/{{id}} takes one article object; {shape}"
        raise ApiError(422, message, details=[{"field": "body", "message": shape}])
    if "articles" in payload:
        message = "PUT /articles/{id} takes one article object; send batches to POST /ingest"
        raise ApiError(422, message, details=[{"field": "articles", "message": "not accepted here"}])
    if payload.get("id", article_id) != article_id:
        message = (
            f"body id {payload['id']!r} is not the path's {article_id!r}; leave it out or make them equal"
        )
        raise ApiError(422, message, details=[{"field": "id", "message": message}])
    [article] = parse_articles({**payload, "id": article_id}, 1, pipeline.settings.max_article_chars)
    return pipeline.replace(article)
