"""Verifying a duplicate check's near candidates (and, with ``passages``, measuring what the
piece reuses of its candidate sources, :mod:`service.reuse`) in a worker process, beside the server.

Verification (reading each candidate's text, shingling it, comparing it with the draft) is
most of a check's CPU. In the server it shares one interpreter with ingest, summaries and the
other requests, so under load a check with thirty candidates spent tens of milliseconds
waiting for its turn. A worker process verifies on another core instead. It opens the
database read-only and reads committed texts itself; texts of the batch being ingested (not
committed yet) are sent along with the candidates. If the worker fails, the check is verified
in the server as before, so a check never fails for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from service import shingles as sh
from service.alignment import Copy
from service.config import DedupSettings
from service.near_index import Other, verify_copies
from service.reuse import DraftText, Reuse, find_reuse
from service.store import articles_by_id
from service.worker_pool import WorkerPool

RESULT_SECONDS = 10.0  # longest wait for the worker before verifying in the server
MAX_FALLBACKS = 3  # failures in a row after which checks stop using the worker
_T = TypeVar("_T")


class CheckVerifier(WorkerPool):
    """A pool of worker processes (started on first use or by :meth:`start`) verifying candidates."""

    def __init__(
        self,
        database: Path,
        settings: DedupSettings,
        workers: int,
        pending: Callable[[list[str]], dict[str, str]],
    ) -> None:
        """``pending`` gives the texts of the given ids that are stored but not committed yet."""
        super().__init__(
            workers,
            _open,
            (str(database), settings.model_dump()),
            RESULT_SECONDS,
            MAX_FALLBACKS,
            "verifying in the server",
        )
        self.database, self.settings, self.pending = database, settings, pending

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
        return self._in_worker(local, _copies, text, headline, dict(others), self.pending(list(others)))

    def reuses(
        self, draft: DraftText, ids: list[str], local: Callable[[], dict[str, Reuse]]
    ) -> dict[str, Reuse]:
        """What ``local()`` would answer (the stored articles among ``ids`` that ``draft`` reuses
        passages of), computed by a worker."""
        if not ids:
            return {}
        return self._in_worker(local, _reuses, draft, ids, self.pending(ids))

    def _in_worker(self, local: Callable[[], _T], function: Callable[..., _T | None], *args: Any) -> _T:
        """``function(*args)`` in a worker; ``local()`` when the workers failed or cannot run here
        (the server then does the work, as with ``check_workers`` 0)."""
        found = self._call(function, *args)  # None when the workers failed or are given up
        return local() if found is None else found


# --- in the worker process ---------------------------------------------------------------
_worker: dict[str, Any] = {}  # the worker's connection and settings, set by _open


def _open(database: str, settings: dict[str, Any]) -> None:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    _worker.update(conn=conn, settings=DedupSettings.model_validate(settings))


def _bodies(ids: list[str], pending: dict[str, str]) -> dict[str, str]:
    """Normalized bodies: committed ones read here, the ingest's uncommitted ones as sent."""
    stored = articles_by_id(_worker["conn"], sorted(i for i in ids if i not in pending), "body_norm")
    return {**{i: row["body_norm"] for i, row in stored.items()}, **pending}


def _copies(
    text: sh.ShingleProfile, headline: np.ndarray, others: dict[str, Other], pending: dict[str, str]
) -> dict[str, Copy]:
    return verify_copies(text, headline, others, _bodies(list(others), pending), _worker["settings"])


def _reuses(draft: DraftText, ids: list[str], pending: dict[str, str]) -> dict[str, Reuse]:
    return find_reuse(draft, _bodies(ids, pending), _worker["settings"])
