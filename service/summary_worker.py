"""Story summaries computed in a worker process, beside the ingest and the requests.

A summary reads a story's texts and scores their sentences: up to a second of CPU for a
big story, about 3 ms per ingested article at 100k stored (10 at 10k, where most articles
start a story). In a thread that time comes out of the one interpreter the ingest and every
request share. A worker process computes summaries on another core instead, from its own
read-only connection (summaries only read committed rows) and its own corpus sample; the
views' thread only decides what is due and stores what comes back. If the worker fails, the
thread computes summaries itself, as with ``summary_worker=false``. The worker runs at a lower
CPU priority (``NICENESS``): on two cores it otherwise competes on equal terms with the ingest
and the duplicate checks it exists to keep out of the way of, and a summary can wait.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from service import cluster_store as sql
from service import heap
from service.keywords import CorpusFrequencies
from service.story_db import connect
from service.summary import StoryArticle, build_summary, text_needed
from service.worker_pool import WorkerPool

Row = dict[str, Any]
Sample = tuple[CorpusFrequencies, set[str]]  # corpus document frequencies, ids counted in them
CORPUS_SAMPLE = 20_000  # articles whose words make the corpus side of keyword IDF
RESULT_SECONDS = 300.0  # longest wait for one chunk of summaries before computing them here
MAX_FAILURES = 3  # failures in a row after which the views stop using the worker
NICENESS = 10  # added to the worker's nice value: the kernel runs ingest and checks first


def _text_needed(rows: list[Row]) -> list[int] | None:
    """The rows of a story whose texts its summary reads (see :func:`service.summary.text_needed`)."""
    return text_needed([StoryArticle.from_row({**r, "title": None, "body": ""}) for r in rows])


class SummaryComputer:
    """Computes story summaries with keyword IDF blended from a sample of the stored corpus.

    The sample starts as the latest ``CORPUS_SAMPLE`` stored articles (read on first use, or
    adopted from another computer's) and grows with the texts of summarized stories until it
    holds that many; then its counts are frozen into compact arrays.
    """

    def __init__(self) -> None:
        self.corpus = CorpusFrequencies()
        self._counted: set[str] = set()
        self._primed = False
        self._lock = threading.Lock()  # counting
        self._priming = threading.Lock()  # summaries wait for the sample rather than use half of it

    def count(self, texts: list[tuple[str, str]]) -> None:
        """Add articles not yet counted to the corpus document frequencies (up to the sample size)."""
        with self._lock:
            for article_id, text in texts:
                if self.corpus.frozen is not None or len(self._counted) >= CORPUS_SAMPLE:
                    break
                if article_id not in self._counted:
                    self._counted.add(article_id)
                    self.corpus.add(text)
            if len(self._counted) >= CORPUS_SAMPLE:
                # complete: compact counts (one assignment: summaries in flight keep the old
                # object); the ids are no longer needed
                self.corpus = self.corpus.freeze()
                self._counted = set()

    def prime(self, conn: sqlite3.Connection, shared: Callable[[], Sample | None] | None = None) -> None:
        """Count the latest stored articles, once (5.6 s of CPU at 114k stored), or take the
        sample ``shared()`` gives (another computer's, counted already) when it gives one."""
        with self._priming:
            if self._primed:
                return
            sample = shared() if shared is not None else None
            if sample is not None:
                self.corpus, self._counted = sample
            else:
                self.count(sql.recent_texts(conn, CORPUS_SAMPLE))
            self._primed = True

    def sample(self) -> Sample:
        """A copy of the corpus sample and of the ids counted in it (for another computer to adopt)."""
        with self._lock:
            corpus = self.corpus
            return CorpusFrequencies(corpus.docs, Counter(corpus.df), corpus.frozen), set(self._counted)

    def compute(self, conn: sqlite3.Connection, cluster_id: int) -> tuple[int, Row]:
        """(content version, summary) of one story as ``conn`` sees it now."""
        self.prime(conn)
        version, rows = sql.story_articles(conn, cluster_id, _text_needed)
        self.count([(r["id"], r["body_norm"]) for r in rows if r["body_norm"]])
        summary = build_summary([StoryArticle.from_row(r) for r in rows], self.corpus)
        return version, {**summary, "size": len(rows), "at": time.time()}


class SummaryWorker(WorkerPool):
    """One worker process (spawned by :meth:`start` or on first use) computing summaries."""

    def __init__(self, database: Path) -> None:
        super().__init__(
            1, _open, (str(database),), RESULT_SECONDS, MAX_FAILURES, "summarizing in this process"
        )
        self.database = database

    def compute(self, cluster_ids: Sequence[int]) -> list[tuple[int, int, Row]] | None:
        """(story, content version, summary) of each story; None when the worker failed."""
        found: list[tuple[int, int, Row]] | None = self._call(_compute, list(cluster_ids))
        return found

    def sample(self) -> Sample | None:
        """The worker's corpus sample (it reads one at its start anyway); None when it failed."""
        sample: Sample | None = self._call(_sample)
        return sample


# --- in the worker process ---------------------------------------------------------------
_worker: dict[str, Any] = {}  # the worker's connection and computer, set by _open


def _open(database: str) -> None:
    with contextlib.suppress(OSError):  # e.g. a platform without nice: the worker runs as it is
        os.nice(NICENESS)
    conn = connect(Path(database))
    conn.execute("PRAGMA query_only=ON")
    computer = SummaryComputer()
    computer.prime(conn)
    _worker.update(conn=conn, computer=computer)
    heap.release_memory()  # the sample's texts are garbage now


def _compute(cluster_ids: list[int]) -> list[tuple[int, int, Row]]:
    conn, computer = _worker["conn"], _worker["computer"]
    found = [(cluster_id, *computer.compute(conn, cluster_id)) for cluster_id in cluster_ids]
    heap.release_memory()  # a big story's texts are garbage now (0.1-0.2 ms, on this core)
    return found


def _sample() -> Sample:
    computer: SummaryComputer = _worker["computer"]
    return computer.sample()
