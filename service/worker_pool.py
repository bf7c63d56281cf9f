"""Worker processes beside the server, with the failure accounting both of its workers share.

The check verifier and the summary worker each run module-level functions in spawned
processes (never forked from a threaded server). A call that fails or times out answers
None, counts as a fallback, and drops the pool so that the next call starts a fresh one;
after ``max_failures`` failures in a row the pool is no longer tried and callers do the
work themselves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Self

log = logging.getLogger(__name__)
PARENT_CHECK_SECONDS = 1.0  # how soon a worker notices its server is gone


class WorkerPool:
    """Spawned worker processes (started by :meth:`start` or on first use) and their failures."""

    def __init__(
        self,
        workers: int,
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
        timeout: float,
        max_failures: int,
        fallback: str,
    ) -> None:
        """``timeout``: longest wait for one call; ``fallback``: what callers do instead (logged)."""
        self.workers, self.initializer, self.initargs = workers, initializer, initargs
        self.timeout, self.max_failures, self.fallback = timeout, max_failures, fallback
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._failures = 0  # in a row
        self.fallbacks = 0  # calls answered None because the workers failed

    @property
    def usable(self) -> bool:
        """False once the workers failed ``max_failures`` times in a row."""
        return self._failures < self.max_failures

    def start(self) -> Self:
        """Spawn the workers now, in the background (this returns at once)."""
        self._executor().submit(_ready)
        return self

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),  # no fork of a threaded server
                    initializer=_start_worker,
                    initargs=(os.getpid(), self.initializer, self.initargs),
                )
            return self._pool

    def _call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` run by a worker; None when the workers failed or are given up."""
        if not self.usable:
            return None
        pool: ProcessPoolExecutor | None = None
        try:
            pool = self._executor()
            found = pool.submit(function, *args).result(timeout=self.timeout)
            self._failures = 0
            return found
        except Exception:
            log.exception("worker process failed; %s", self.fallback)
            self.fallbacks += 1
            self._failures += 1
            if not self.usable:
                log.error(
                    "worker processes failed %d times in a row; from now on: %s",
                    self._failures,
                    self.fallback,
                )
            with self._lock:
                if self._pool is pool:  # not a fresh pool another call started meanwhile
                    self._pool = None  # the next call starts a fresh pool
            if pool is not None:  # calls in flight on it finish; a worker that overran ends with its task
                pool.shutdown(wait=False, cancel_futures=True)
            return None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> bool:
    return True


def _start_worker(parent: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """A worker's start: watch the parent, then the pool's own initializer.

    Ctrl-C reaches the whole process group; the parent shuts its pools down, so a worker ignores
    it (it printed a KeyboardInterrupt traceback per worker on every stop of `make run`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    initializer(*initargs)


def _exit_with(parent: int) -> None:
    """End this worker once its parent is gone. A killed server (SIGKILL, the OOM killer) cannot
    shut its pool down, and its workers, each holding its own copy of the corpus sample or the
    lookups, would otherwise live on beside the restarted server."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
