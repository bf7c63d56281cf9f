"""Stored articles: read, delete, and their duplicate group."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from service.errors import ApiError
from service.outcomes import article_brief
from service.pipeline import Pipeline
from service.routes.deps import get_pipeline
from service.schemas import ArticleOut, DuplicateGroup

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
    rows = pipeline.store.articles(ids, "title, source, url, published_at, dup_type, dup_of, dup_score")
    members = [article_brief(rows[i]) for i in ids if i in rows]
    return DuplicateGroup(id=article_id, original=ids[0], members=members)


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
