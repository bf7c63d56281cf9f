"""POST /duplicates/check: the newsroom plugin's question, answered without storing anything."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from service.check_schemas import DuplicateCheckIn, DuplicateCheckOut
from service.errors import ApiError, validation_error
from service.newsroom import check_draft
from service.pipeline import Pipeline
from service.routes.bodies import json_body, length_problem
from service.routes.deps import get_pipeline
from service.routes.responses import json_response

router = APIRouter(tags=["duplicates"])
_EXPECTED = 'a draft {"title": ..., "body": ...}'


@router.post(
    "/duplicates/check",
    response_model=DuplicateCheckOut,
    summary="Is this piece a copy?",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": DuplicateCheckIn.model_json_schema()}},
        }
    },
)
async def check(request: Request, pipeline: Annotated[Pipeline, Depends(get_pipeline)]) -> Response:
    """Stored articles the piece copies (exact, URL, near), best first, and the story it would join.

    The body is read as JSON whatever its content type, as for ``POST /ingest``."""
    draft = _draft(json_body(await request.body(), _EXPECTED), pipeline.settings.max_article_chars)
    return json_response(await run_in_threadpool(check_draft, pipeline, draft))


def _draft(payload: object, max_chars: int) -> DuplicateCheckIn:
    """The validated draft; a 422 naming every bad field (the same length limit as ingest)."""
    if not isinstance(payload, dict):
        shape = f"got JSON {type(payload).__name__}"
        raise ApiError(
            422, f"request body must be {_EXPECTED}; {shape}", details=[{"field": "body", "message": shape}]
        )
    try:
        draft = DuplicateCheckIn.model_validate(payload)
    except ValidationError as exc:
        raise validation_error(list(exc.errors())) from None
    too_long = length_problem(draft.title, draft.body, "body", max_chars)
    if too_long:
        raise ApiError(422, f"invalid input: body: {too_long['message']}", details=[too_long])
    return draft
