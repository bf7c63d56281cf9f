"""Shared dependencies of the routers."""

from __future__ import annotations

from fastapi import Request

from service.metrics import Metrics
from service.pipeline import Pipeline


def get_pipeline(request: Request) -> Pipeline:
    """The app's pipeline, built by the lifespan."""
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics
