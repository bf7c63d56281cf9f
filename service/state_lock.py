"""The lock over the stages' in-memory state: exclusive for writers, shared and fair for readers.

Writers (ingest, one article at a time; deletes, loads, checkpoints) change the duplicate and
story state and hold the lock exclusively; they already run one at a time under the pipeline's
write lock. Readers (the newsroom's duplicate check) only look, so they share it.

A plain lock starved the readers: the ingest thread released it after one article and took it
again for the next before a woken reader could run. At 100k stored articles under the
benchmark's load, checks waited 21 ms on average (p95 55 ms) for it, about half their latency.
Here the lock is *phase-fair*: readers that queued while a writer held it go in as soon as that
writer leaves, before it (or another writer) can take it again; a waiting writer in turn holds
back readers that arrive after it. So a reader waits for at most one writer section, and a
writer for at most one group of readers. Ingest keeps its sections short: it ranks an article's
candidate stories as a reader first (no other writer can run in between), and takes the lock
exclusively only for the changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType


class StateLock:
    """Readers–writer lock with phase-fair hand-over; re-entrant for the writing thread (shared
    sections included)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._writer: int | None = None  # thread holding it exclusively
        self._depth = 0  # the writer's re-entries
        self._readers = 0  # readers inside
        self._queued = 0  # readers waiting
        self._admitted = 0  # queued readers a leaving writer let in, not yet inside
        self._writers_waiting = 0
        self._phase = 0  # writer sections ended so far

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the lock shared (any number of readers at once, no writer); within the writing
        thread's exclusive section, it is held already."""
        if self._writer == threading.get_ident():  # only this thread makes itself the writer
            yield
            return
        with self._cond:
            if self._writer is not None or self._writers_waiting:
                self._queued += 1
                phase = self._phase
                self._cond.wait_for(lambda: self._phase != phase and self._writer is None)
                self._queued -= 1
                self._admitted -= 1
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    def __enter__(self) -> StateLock:
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._depth += 1
                return self
            self._writers_waiting += 1
            self._cond.wait_for(lambda: self._writer is None and not self._readers and not self._admitted)
            self._writers_waiting -= 1
            self._writer, self._depth = me, 1
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._cond:
            if self._writer != threading.get_ident():
                raise RuntimeError("the state lock is released by a thread that does not hold it")
            self._depth -= 1
            if self._depth:
                return
            self._writer = None
            self._phase += 1
            self._admitted = self._queued  # everyone queued now goes in before the next writer
            self._cond.notify_all()
