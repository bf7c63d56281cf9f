"""The FastAPI application: ``create_app(settings)`` builds everything inside the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import __version__
from service.config import Settings
from service.corpus import read_seeds
from service.errors import document_errors, install_error_handlers
from service.file_ingest import batches
from service.head import HeadAsGet
from service.limits import BodySizeLimit
from service.metrics import Metrics, MetricsMiddleware
from service.pipeline import Pipeline
from service.routes import articles, clusters, duplicates, health, ingest
from service.schemas import ArticleIn
from service.stories import StoryViews

log = logging.getLogger(__name__)
SEED_BATCH = 200  # seed articles per ingest batch


def load_seeds(pipeline: Pipeline) -> int:
    """Ingest the seed articles (idempotent: stored ids answer ``exists``); returns how many are new."""
    folder = pipeline.settings.seeds_dir
    if not (folder / "seeds.json").is_file():
        log.warning("no seeds at %s; starting empty", folder)
        return 0
    created = 0
    for batch in batches((ArticleIn.model_validate(item) for item in read_seeds(folder)), SEED_BATCH):
        created += sum(r.status == "created" for r in pipeline.ingest(batch))
    return created


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app over ``settings.data_dir``; no state exists until the lifespan starts."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with Pipeline.open(settings) as pipeline:
            if pipeline.verifier is not None:
                pipeline.verifier.start()  # spawns in the background: the first check need not wait
            stories = StoryViews(pipeline.store, pipeline.priority, settings.summary_worker).start()
            pipeline.on_commit.append(stories.on_commit)
            app.state.stories = stories
            if settings.load_seeds:
                log.info("seeds: %d new", load_seeds(pipeline))
            app.state.pipeline = pipeline
            metrics.bind_counts(pipeline.store.count_articles, stories.count)
            try:
                yield
            finally:
                pipeline.on_commit.remove(stories.on_commit)
                stories.stop()

    app = FastAPI(
        title="Storyline",
        version=__version__,
        summary="De-duplicate incoming news and group it into stories.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    install_error_handlers(app)
    document_errors(app)
    for router in (ingest.router, articles.router, duplicates.router, clusters.router, health.router):
        app.include_router(router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(HeadAsGet)  # outermost: every layer sees the GET
    return app
