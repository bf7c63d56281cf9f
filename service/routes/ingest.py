"""POST /ingest: one article or ``{"articles": [...]}``, validated whole before anything is stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from service.errors import ApiError, validation_details
from service.metrics import Metrics
from service.pipeline import Pipeline
from service.routes.bodies import json_body, length_problem
from service.routes.deps import get_metrics, get_pipeline
from service.schemas import ArticleIn, IngestResponse, IngestResult

router = APIRouter(tags=["ingest"])

_ARTICLE_SCHEMA = ArticleIn.model_json_schema()
_REQUEST_SCHEMA = {
    "oneOf": [
        _ARTICLE_SCHEMA,
        {
            "type": "object",
            "required": ["articles"],
            "properties": {"articles": {"type": "array", "items": _ARTICLE_SCHEMA}},
        },
    ]
}


def parse_articles(payload: Any, max_batch: int, max_chars: int) -> list[ArticleIn]:
    """Validate a single article or a batch; every error of every article is reported at once."""
    if isinstance(payload, dict) and "articles" in payload:
        items = payload["articles"]
        if not isinstance(items, list):
            raise ApiError(
                422,
                "articles must be a list of article objects",
                details=[{"field": "articles", "message": "expected a list"}],
            )
        if len(items) > max_batch:
            raise ApiError(
                413,
                f"batch of {len(items)} articles is over the limit of {max_batch}; "
                "split it or raise STORYLINE_MAX_BATCH",
                details={"limit_articles": max_batch},
            )
        if not items:
            raise ApiError(
                422,
                "articles is empty; send at least one article",
                details=[{"field": "articles", "message": "empty list"}],
            )
        prefix = "articles.{}"
    elif isinstance(payload, dict):
        items, prefix = [payload], ""
    else:
        raise ApiError(
            422,
            'request body must be an article object or {"articles": [...]}',
            details=[{"field": "body", "message": f"got JSON {type(payload).__name__}"}],
        )
    articles: list[ArticleIn] = []
    details: list[dict[str, Any]] = []
    given: dict[str, tuple[int, ArticleIn]] = {}  # client ids of the batch: the first article with each
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            message = (
                f"must be an article object with at least source and body; got JSON {type(item).__name__}"
            )
            details.append({"field": prefix.format(index), "message": message})
            continue
        try:
            article = ArticleIn.model_validate(item)
        except ValidationError as exc:
            details.extend(validation_details(list(exc.errors()), prefix.format(index)))
            continue
        field = f"{prefix.format(index)}.body" if prefix else "body"
        problem = length_problem(article.title, article.body, field, max_chars)
        if problem:
            details.append(problem)
        if article.id is not None:
            first, earlier = given.setdefault(article.id, (index, article))
            if _conflicts(earlier, article):
                details.append(_reused_id(article.id, prefix.format(index), prefix.format(first)))
        articles.append(article)
    if details:
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        raise ApiError(422, f"invalid input, nothing was stored: {summary}", details=details)
    return articles


def _conflicts(earlier: ArticleIn, article: ArticleIn) -> bool:
    """Whether a batch gives an id again with another title or body: the second article would be
    answered ``exists`` and lost. The same article twice (a retry) is fine."""
    return earlier is not article and (earlier.title, earlier.body) != (article.title, article.body)


def _reused_id(article_id: str, where: str, first: str) -> dict[str, Any]:
    message = f"id {article_id!r} is also {first}.id, with another text; give each article its own id"
    return {"field": f"{where}.id", "message": message}


@router.post(
    "/ingest",
    response_model=IngestResponse,
    summary="Ingest one article or a batch",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _REQUEST_SCHEMA}}}
    },
)
async def ingest(
    request: Request,
    pipeline: Annotated[Pipeline, Depends(get_pipeline)],
    metrics: Annotated[Metrics, Depends(get_metrics)],
) -> IngestResponse:
    """Each article is de-duplicated and assigned to a story; results come in input order.

    Re-posting a stored id changes nothing and answers ``exists`` with the stored outcome; a
    correction is sent with ``PUT /articles/{id}``.
    """
    raw = await request.body()
    # Parsing a batch takes milliseconds per hundred articles: off the event loop, as the ingest.
    results = await run_in_threadpool(_ingest_body, pipeline, raw)
    metrics.observe_ingest(results)
    return IngestResponse(results=results)


def _ingest_body(pipeline: Pipeline, raw: bytes) -> list[IngestResult]:
    """Parse and validate a request body whole, then ingest it."""
    payload = json_body(raw, 'an article object or {"articles": [...]}')
    articles = parse_articles(payload, pipeline.settings.max_batch, pipeline.settings.max_article_chars)
    return pipeline.ingest(articles)
