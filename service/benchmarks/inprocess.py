"""In-process ingest: fill a data directory to a scale, then time windows of batches.

Articles are validated into ``ArticleIn`` before the clock starts, so the figure is the
pipeline's own throughput (normalize, dedup, story stage, store, commit). Stage times come
from ``pipeline.timer``: the difference of two snapshots around each measured window.
"""

from __future__ import annotations

import cProfile
import ctypes
import functools
import gc
import io
import logging
import pstats
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psutil

from service.benchmarks.corpus_variants import Article, ArticleStream
from service.pipeline import Pipeline
from service.schemas import ArticleIn

log = logging.getLogger(__name__)


def _timed(timer: Any, obj: Any, attr: str, stage: str, active: threading.local) -> None:
    """Replace ``obj.attr`` (an instance attribute only) by a wrapper timing its outermost calls."""
    method: Callable[..., Any] | None = getattr(obj, attr, None)
    if method is None or not callable(method):
        return

    @functools.wraps(method)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if getattr(active, stage, False):  # nested call (e.g. vectors -> terms): already timed
            return method(*args, **kwargs)
        setattr(active, stage, True)
        try:
            with timer.stage(stage):
                return method(*args, **kwargs)
        finally:
            setattr(active, stage, False)

    setattr(obj, attr, timed)


@contextmanager
def instrumented(pipeline: Pipeline) -> Iterator[Any]:
    """The pipeline as the app runs it, with finer stage timers, for this process only.

    Story views are attached as ``create_app`` does (facts refreshed on commit, summaries by
    a background thread, in the summary worker process by default), and the embedder, the
    FAISS search and the summary work are wrapped so their time lands in ``pipeline.timer``
    as ``embed``, ``index search``, ``summary update`` and ``summary (background)``. No
    module is changed: only these instances' attributes.
    """
    from service.stories import StoryViews

    active = threading.local()
    embedder, index = getattr(pipeline.stories, "embedder", None), getattr(pipeline.stories, "index", None)
    for obj, attr, stage in (
        (embedder, "terms", "embed"),
        (embedder, "vectors", "embed"),
        (index, "search", "index search"),
        (index, "search_many", "index search"),
    ):
        if obj is not None:
            _timed(pipeline.timer, obj, attr, stage, active)
    views = StoryViews(pipeline.store, worker=pipeline.settings.summary_worker).start()
    _timed(pipeline.timer, views, "_summarize", "summary (background)", active)
    _timed(pipeline.timer, views, "on_commit", "summary update", active)
    pipeline.on_commit.append(views.on_commit)
    try:
        yield views
    finally:
        pipeline.on_commit.remove(views.on_commit)
        views.stop()


def validate(raw: Sequence[Article]) -> list[ArticleIn]:
    """The articles as the API would accept them."""
    return [ArticleIn.model_validate(item) for item in raw]


def cache_utf8(articles: Sequence[Article]) -> None:
    """Give every string of the articles its cached UTF-8 form now, as ingesting them would.

    CPython keeps the UTF-8 form of a str inside the str object once C code asks for it
    (pydantic's validation and SQLite's binding do), about 4 KB per Arabic article. The
    benchmark's corpus strings live all run, so that memory belongs to the baseline, not to
    what the pipeline keeps per stored article. Only that cache is made: validating the
    corpus instead would also leave freed pages that the fill then reuses unseen.
    """
    as_utf8 = ctypes.pythonapi.PyUnicode_AsUTF8AndSize
    as_utf8.argtypes = [ctypes.py_object, ctypes.c_void_p]
    as_utf8.restype = ctypes.c_void_p
    for article in articles:
        for value in article.values():
            if isinstance(value, str):
                as_utf8(value, None)


def rss_bytes(pid: int | None = None) -> int:
    """Resident set size of a process (this one by default), after a garbage collection here."""
    if pid is None:
        gc.collect()
    return int(psutil.Process(pid).memory_info().rss)


def tree_rss_bytes(pid: int | None = None, settle_seconds: float = 10.0) -> tuple[int, int]:
    """(RSS of the process, summed RSS of its worker processes), once the sum holds still.

    Workers (the summary worker, the check verifier) start in the background and grow while
    importing: the sum is read every half second until it moves by less than 1 MB, for at
    most ``settle_seconds``.
    """
    process = psutil.Process(pid)

    def read() -> tuple[int, int]:
        workers = 0
        for child in process.children(recursive=True):
            try:
                workers += int(child.memory_info().rss)
            except psutil.Error:  # exited meanwhile
                continue
        return rss_bytes(pid), workers

    last, deadline = read(), time.monotonic() + settle_seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = read()
        if abs(sum(now) - sum(last)) < 2**20:
            return now
        last = now
    return last


def fill(pipeline: Pipeline, stream: ArticleStream, target: int, batch: int) -> tuple[int, float]:
    """Ingest stream articles until the store holds ``target``; returns (ingested, seconds)."""
    missing = max(0, target - pipeline.store.count_articles())
    started = time.perf_counter()
    done, next_log = 0, time.perf_counter() + 30
    for chunk in stream.batches(missing, max(batch, 200)):
        pipeline.ingest(validate(chunk))
        done += len(chunk)
        if time.perf_counter() > next_log:
            rate = done / (time.perf_counter() - started)
            log.info(
                "fill: %d/%d articles (%.0f/s, ~%.0fs left)", done, missing, rate, (missing - done) / rate
            )
            next_log = time.perf_counter() + 30
    return done, time.perf_counter() - started


def measure_window(
    pipeline: Pipeline, stream: ArticleStream, window: int, batch: int, views: Any = None
) -> tuple[float, dict[str, float]]:
    """Throughput (articles/s) of ingesting the next ``window`` articles, and ms per article per stage."""
    batches = [validate(chunk) for chunk in stream.batches(window, batch)]
    before = pipeline.timer.snapshot()
    started = time.perf_counter()
    for chunk in batches:
        pipeline.ingest(chunk)
    elapsed = time.perf_counter() - started
    if views is not None:
        views.wait_idle(timeout=600)  # drain the summary backlog outside the clock
    after = pipeline.timer.snapshot()
    stages = {name: 1000.0 * (after[name] - before.get(name, 0.0)) / window for name in after}
    stages["total (wall)"] = 1000.0 * elapsed / window
    return window / elapsed, stages


def profile_window(
    pipeline: Pipeline, stream: ArticleStream, window: int, batch: int, top: int = 15
) -> list[dict[str, str | float]]:
    """cProfile of one extra window: the functions with the most own time (seconds per window)."""
    batches = [validate(chunk) for chunk in stream.batches(window, batch)]
    profiler = cProfile.Profile()
    profiler.enable()
    for chunk in batches:
        pipeline.ingest(chunk)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows: list[dict[str, str | float]] = []
    entries = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in ranked:
        where = filename.split("site-packages/")[-1].split("/work/main/")[-1]
        rows.append(
            {
                "function": f"{where}:{line}({name})",
                "calls": float(calls),
                "own_s": own,
                "cumulative_s": cumulative,
            }
        )
    return rows
