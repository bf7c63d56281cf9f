"""Story views: keep per-story facts and cached summaries fresh for the /clusters reads.

Facts (counts, sources, phases, times) are recomputed synchronously for the stories each
commit touched, so listing filters are exact once an ingest returns. Summaries are
costly, so a background thread has them recomputed for touched stories (in a worker process,
see :mod:`service.summary_worker`, or itself) and stores them in
``clusters.summary`` with the ``content_version`` they were computed for; a story of
``SMALL_STORY`` articles or more is only re-summarized once it grew by ``REFRESH_SHARE``
(see :func:`refresh_due`), so its summary may describe a slightly smaller story. Reads
never take the pipeline's lock: listing serves cached summaries (computing only missing
ones); the detail view recomputes a small story's stale summary inline and serves a big
story's cached one (the reads are in :mod:`service.story_pages`).
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from service import cluster_store as sql
from service import story_facts as facts
from service.cursors import CURSOR_TTL
from service.page_cache import PageCache
from service.priority import CheckPriority
from service.store import Store
from service.story_db import connect
from service.story_pages import SMALL_STORY, StoryPages, now_iso
from service.summary_worker import SummaryComputer, SummaryWorker
from service.text import normalize

log = logging.getLogger(__name__)
Row = dict[str, Any]
MAINTENANCE_SECONDS = 60.0
RETRY_SECONDS = 1.0  # wait before summarizing again after the database stayed locked
WORKER_CHUNK = 8  # stories per round trip to the summary worker
# A story's summary is recomputed on every change while small; from SMALL_STORY articles on,
# only once its size moved by REFRESH_SHARE since the summary (a few more articles hardly
# change a big story's summary, and computing one costs up to a second of CPU), and from
# BIG_STORY articles on at most every BIG_STORY_SECONDS.
REFRESH_SHARE = 0.1
BIG_STORY = 200
BIG_STORY_SECONDS = 30.0


def refresh_due(summarized: int | None, count: int, age: float = math.inf) -> bool:
    """Whether a summary computed ``age`` seconds ago at ``summarized`` articles is due at ``count``."""
    if summarized is None or count < SMALL_STORY:
        return True
    moved = abs(count - summarized) >= REFRESH_SHARE * summarized
    return moved and (count < BIG_STORY or age >= BIG_STORY_SECONDS)


class StoryViews(StoryPages):
    """Owner of the story facts and summary cache of one store."""

    def __init__(self, store: Store, priority: CheckPriority | None = None, worker: bool = False) -> None:
        """``worker``: compute background summaries in a worker process (see
        :mod:`service.summary_worker`) instead of this process's background thread."""
        self.store = store
        self.priority = priority
        self.worker = SummaryWorker(store.path) if worker else None
        self._facts_conn = connect(store.path)
        self._facts_lock = threading.Lock()
        self._cond = threading.Condition()
        self._pending: set[int] = set()
        self._offered: dict[int, tuple[int, Row]] = {}
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.computer = SummaryComputer()  # summaries computed in this process
        self.pages = PageCache()

    # -- lifecycle and commit listener ------------------------------------------------------

    def start(self) -> StoryViews:
        """Bring facts up to date (e.g. after a CLI ingest), queue stale summaries, start the worker."""
        self.refresh_facts(facts.stale_fact_ids(self._facts_conn))
        self._enqueue(sql.stale_summary_ids(self.store.reader()))
        if self.worker is not None:
            self.worker.start()
        self._thread = threading.Thread(target=self._run, name="story-summaries", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.worker is not None:
            self.worker.close()
        self._facts_conn.close()

    def on_commit(self, cluster_ids: set[int]) -> None:
        """Pipeline listener: exact facts now, summaries in the background. Never raises."""
        try:
            self.refresh_facts(cluster_ids)
        except Exception:
            log.exception("story facts refresh failed; the worker retries")
        self._enqueue(cluster_ids)

    def refresh_facts(self, cluster_ids: set[int] | list[int]) -> None:
        ids = sorted(cluster_ids)
        with self._facts_lock:
            for start in range(0, len(ids), 500):
                facts.refresh_facts(self._facts_conn, ids[start : start + 500], now_iso())
        if ids:
            self.pages.bump()

    def count(self) -> int:
        """Live stories, from their facts (exact once an ingest returns)."""
        return facts.story_count(self.store.reader())

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every queued summary is stored (tests, benchmarks); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not (self._pending or self._offered or self._busy), timeout)

    def _enqueue(self, cluster_ids: set[int] | list[int]) -> None:
        with self._cond:
            self._pending.update(cluster_ids)
            self._cond.notify_all()

    # -- worker -------------------------------------------------------------------------------

    def _run(self) -> None:
        conn = connect(self.store.path)
        # Read paths summarize small stale stories here (see _summary_of), with the worker's
        # corpus sample when there is one: reading it here costs seconds of this interpreter.
        self.computer.prime(conn, self.worker.sample if self.worker is not None else None)
        last_maintenance = datetime.now(UTC)
        while True:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
                self._cond.wait_for(self._has_work, MAINTENANCE_SECONDS)
                if self._stopping:
                    break
                pending, self._pending = self._pending, set()
                offered = dict(self._offered)
                self._busy = True
            try:
                self._store_offered(conn, offered)
                self._refresh(conn, sorted(pending - set(offered), reverse=True))
                if datetime.now(UTC) - last_maintenance > timedelta(seconds=MAINTENANCE_SECONDS):
                    last_maintenance = datetime.now(UTC)
                    self._maintain(conn)
            except sqlite3.OperationalError as exc:
                # e.g. "database is locked" behind a long ingest batch: try these stories again
                log.warning("story summary refresh postponed (%s); retrying in %.0f s", exc, RETRY_SECONDS)
                with self._cond:
                    self._pending.update(pending)
                    self._cond.wait(RETRY_SECONDS)
            except Exception:
                log.exception("story summary refresh failed")
        conn.close()

    def _store_offered(self, conn: Any, offered: dict[int, tuple[int, Row]]) -> None:
        """Store summaries reads computed; each stays offered until stored, so reads reuse it."""
        for cluster_id, entry in offered.items():
            try:
                self._save(conn, cluster_id, *entry)
            finally:
                with self._cond:
                    if self._offered.get(cluster_id) is entry:
                        del self._offered[cluster_id]

    def _has_work(self) -> bool:
        return bool(self._stopping or self._pending or self._offered)

    def _maintain(self, conn: Any) -> None:
        """Catch stories a listener missed, and forget sort-key history no cursor can need."""
        self.refresh_facts(facts.stale_fact_ids(conn))
        self._enqueue(sql.stale_summary_ids(conn))
        sql.prune_history(conn, (datetime.now(UTC) - CURSOR_TTL - timedelta(hours=1)).isoformat())

    def _refresh(self, conn: Any, cluster_ids: list[int]) -> None:
        """Recompute and store the summaries of these stories that are due, in chunks."""
        for start in range(0, len(cluster_ids), WORKER_CHUNK):
            if self._stopping:
                return
            chunk = [
                i for i in cluster_ids[start : start + WORKER_CHUNK] if sql.summary_due(conn, i, refresh_due)
            ]
            for cluster_id, version, summary in self._summarize(chunk):
                self._save(conn, cluster_id, version, summary)

    def _summarize(self, cluster_ids: list[int]) -> list[tuple[int, int, Row]]:
        """(story, content version, summary) of each story: by the worker, or here without one."""
        if cluster_ids and self.worker is not None:  # None once it failed or was given up
            found = self.worker.compute(cluster_ids)
            if found is not None:
                return found
        out = []
        for cluster_id in cluster_ids:
            if self._stopping:
                break
            if self.priority is not None:
                self.priority.step_aside()
            out.append((cluster_id, *self._compute(cluster_id)))
        return out

    def _compute(self, cluster_id: int) -> tuple[int, Row]:
        return self.computer.compute(self.store.reader(), cluster_id)

    def _save(self, conn: Any, cluster_id: int, version: int, summary: Row) -> None:
        search = normalize(" ".join([summary.get("title") or "", *summary.get("keywords", [])]))
        sql.save_summary(conn, cluster_id, version, summary, search)
        self.pages.bump()

    def _summary_of(self, row: Row, fresh: bool) -> Row:
        """The cached summary, or one computed now (and handed to the views' thread to store).

        A summary an earlier read computed counts as cached until the thread stores it: under
        ingest every commit re-renders the first page, and the thread stores offered summaries
        only between its own rounds, so each read would compute the same one again."""
        cluster_id = int(row["cluster_id"])
        version: int = row["summary_version"]
        cached: Row | None = json.loads(row["summary"]) if row["summary"] is not None else None
        with self._cond:
            offered = self._offered.get(cluster_id)
        if offered is not None and (cached is None or offered[0] > version):
            version, cached = offered
        if cached is not None and not (
            fresh
            and version < row["content_version"]
            and refresh_due(cached.get("size"), row["article_count"], time.time() - cached.get("at", 0.0))
        ):
            return cached
        version, summary = self._compute(cluster_id)
        with self._cond:
            self._offered[cluster_id] = (version, summary)
            self._cond.notify_all()
        return summary
