"""POST /duplicates/check: the newsroom plugin's question, answered without storing anything."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool

from service.newsroom import check_draft
from service.pipeline import Pipeline
from service.routes.deps import get_pipeline
from service.routes.responses import json_response
from service.schemas import DuplicateCheckIn, DuplicateCheckOut

router = APIRouter(tags=["duplicates"])


@router.post("/duplicates/check", response_model=DuplicateCheckOut, summary="Is this piece a copy?")
async def check(request: DuplicateCheckIn, pipeline: Annotated[Pipeline, Depends(get_pipeline)]) -> Response:
    """Stored articles the piece copies (exact, URL, near), best first, and the story it would join."""
    return json_response(await run_in_threadpool(check_draft, pipeline, request))
