"""Shared dependencies of the routers.

They are coroutines on purpose: FastAPI runs a plain function dependency in its thread pool,
one more hand-off per request (and one more wait for the interpreter under load) for what is
an attribute read.
"""

from __future__ import annotations

from fastapi import Request

from service.metrics import Metrics
from service.pipeline import Pipeline
from service.stories import StoryViews


async def get_pipeline(request: Request) -> Pipeline:
    """The app's pipeline, built by the lifespan."""
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


async def get_views(request: Request) -> StoryViews:
    """The app's story views."""
    views: StoryViews = request.app.state.stories
    return views


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics
