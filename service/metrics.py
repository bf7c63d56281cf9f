"""Prometheus metrics: requests and latency per route, ingest outcomes, stories, memory.

Each app gets its own registry, so several apps (tests) never share counters.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.schemas import IngestResult

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The service's collectors in one registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "storyline_http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "storyline_http_request_duration_seconds",
            "HTTP request latency by route.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.ingested = Counter(
            "storyline_articles_ingested",
            "Articles posted, by outcome (created/exists).",
            ["status"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "storyline_duplicates",
            "Created articles flagged as duplicates, by type.",
            ["type"],
            registry=self.registry,
        )
        self.new_stories = Counter("storyline_stories_created", "Stories opened.", registry=self.registry)
        self.articles = Gauge("storyline_articles_stored", "Articles stored.", registry=self.registry)
        self.stories = Gauge("storyline_stories", "Live stories.", registry=self.registry)

    def bind_counts(self, articles: Callable[[], float], stories: Callable[[], float]) -> None:
        """Gauges read the store when scraped."""
        self.articles.set_function(articles)
        self.stories.set_function(stories)

    def observe_ingest(self, results: Sequence[IngestResult]) -> None:
        for result in results:
            self.ingested.labels(result.status).inc()
            if result.status == "created" and result.duplicate is not None:
                self.duplicates.labels(result.duplicate.type).inc()  # a correction is no new copy
            if result.status in ("created", "replaced") and result.new_story:  # placed anew
                self.new_stories.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts requests and times them under their route template (``/articles/{article_id}``)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)
