"""GET /health and GET /metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from service import __version__
from service.metrics import Metrics
from service.pipeline import Pipeline
from service.routes.deps import get_metrics, get_pipeline, get_views
from service.schemas import Health
from service.stories import StoryViews

router = APIRouter(tags=["operations"])


@router.get("/health", response_model=Health, summary="Liveness and counts")
def health(
    pipeline: Annotated[Pipeline, Depends(get_pipeline)], views: Annotated[StoryViews, Depends(get_views)]
) -> Health:
    return Health(
        status="ok",
        articles=pipeline.store.count_articles(),
        clusters=views.count(),
        embedder=pipeline.embedder_name,
        version=__version__,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(registry: Annotated[Metrics, Depends(get_metrics)]) -> Response:
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)
