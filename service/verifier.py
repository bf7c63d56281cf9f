"""Verifying a duplicate check's near candidates in a worker process, beside the server.

Verification (reading each candidate's text, shingling it, comparing it with the draft) is
most of a check's CPU. In the server it shares one interpreter with ingest, summaries and the
other requests, so under load a check with thirty candidates spent tens of milliseconds
waiting for its turn. A worker process verifies on another core instead. It opens the
database read-only and reads committed texts itself; texts of the batch being ingested (not
committed yet) are sent along with the candidates. If the worker fails, the check is verified
in the server as before, so a check never fails for it.
"""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from service import shingles as sh
from service.alignment import Copy
from service.config import DedupSettings
from service.near_index import Other, verify_copies
from service.store import articles_by_id

log = logging.getLogger(__name__)
RESULT_SECONDS = 10.0  # longest wait for the worker before verifying in the server
MAX_FALLBACKS = 3  # failures in a row after which checks stop using the worker


class CheckVerifier:
    """A pool of worker processes (started on first use or by :meth:`start`) verifying candidates."""

    def __init__(
        self,
        database: Path,
        settings: DedupSettings,
        workers: int,
        pending: Callable[[list[str]], dict[str, str]],
    ) -> None:
        """``pending`` gives the texts of the given ids that are stored but not committed yet."""
        self.database, self.settings, self.workers, self.pending = database, settings, workers, pending
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.fallbacks = 0  # checks verified in the server because the worker failed
        self._failures = 0  # in a row

    def start(self) -> None:
        """Spawn the workers now (in the background: this returns at once)."""
        self._executor().submit(_ready)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded server
                    initializer=_open,
                    initargs=(str(self.database), self.settings.model_dump()),
                )
            return self._pool

    def copies(
        self,
        text: sh.ShingleProfile,
        headline: np.ndarray,
        others: Mapping[str, Other],
        local: Callable[[], dict[str, Copy]],
    ) -> dict[str, Copy]:
        """What ``local()`` (verification in this process) would answer, computed by a worker."""
        if not others:
            return {}
        if self._failures >= MAX_FALLBACKS:
            return local()  # the worker cannot run here: the server verifies, as with workers=0
        try:
            pending = self.pending(list(others))
            future: Future[dict[str, Copy]] = self._executor().submit(
                _copies, text, headline, dict(others), pending
            )
            found = future.result(timeout=RESULT_SECONDS)
            self._failures = 0
            return found
        except Exception:
            log.exception("check verification worker failed; verifying in the server")
            self.fallbacks += 1
            self._failures += 1
            with self._lock:
                broken, self._pool = self._pool, None  # the next check starts a fresh pool
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            return local()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


# --- in the worker process ---------------------------------------------------------------
_worker: dict[str, Any] = {}  # the worker's connection and settings, set by _open


def _open(database: str, settings: dict[str, Any]) -> None:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    _worker.update(conn=conn, settings=DedupSettings.model_validate(settings))


def _ready() -> bool:
    return True


def _copies(
    text: sh.ShingleProfile, headline: np.ndarray, others: dict[str, Other], pending: dict[str, str]
) -> dict[str, Copy]:
    stored = articles_by_id(_worker["conn"], sorted(i for i in others if i not in pending), "body_norm")
    bodies = {**{i: row["body_norm"] for i, row in stored.items()}, **pending}
    return verify_copies(text, headline, others, bodies, _worker["settings"])
