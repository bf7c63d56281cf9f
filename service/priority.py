"""Priority for duplicate checks: background work steps aside while one runs.

A newsroom check answers an editor waiting on it; ingest batches and summary refreshes do not
wait on anyone. All share one interpreter, so a check runs at a fraction of a core while the
others keep computing. Background loops therefore call :meth:`CheckPriority.step_aside`
between units of work (an article, a story summary): while any check is in flight it waits,
for at most ``max_wait`` seconds, so background work still advances under a steady stream of
checks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class CheckPriority:
    """Counts checks in flight; background work waits for them (bounded)."""

    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait
        self._cond = threading.Condition()
        self._running = 0
        self.waited = 0.0  # seconds background work spent stepping aside (diagnostics)

    @contextmanager
    def check(self) -> Iterator[None]:
        """Mark a check in flight for the block."""
        with self._cond:
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                if not self._running:
                    self._cond.notify_all()

    def step_aside(self) -> None:
        """Wait while checks run, at most ``max_wait`` seconds."""
        if not self._running or self.max_wait <= 0:  # unlocked read: a stale answer costs one wait
            return
        started = time.monotonic()
        with self._cond:
            self._cond.wait_for(lambda: not self._running, self.max_wait)
        self.waited += time.monotonic() - started
