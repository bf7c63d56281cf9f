"""The shared worker-process pool: calls run in another process; failures answer None, start a
fresh pool, and give the pool up after ``max_failures`` in a row."""

from __future__ import annotations

import os
import time
from pathlib import Path

from service.worker_pool import WorkerPool


def test_a_call_runs_in_a_spawned_worker() -> None:
    pool = WorkerPool(1, time.sleep, (0,), timeout=60, max_failures=3, fallback="test").start()
    try:
        assert pool._call(os.getpid) not in (None, os.getpid())
        assert pool.fallbacks == 0 and pool.usable
    finally:
        pool.close()


def test_a_pool_that_cannot_start_is_given_up(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing")  # the initializer cannot enter it
    pool = WorkerPool(1, os.chdir, (missing,), timeout=60, max_failures=2, fallback="test")
    try:
        assert pool._call(os.getpid) is None and pool.usable  # one failure: a fresh pool next time
        assert pool._call(os.getpid) is None and not pool.usable
        assert pool._call(os.getpid) is None  # given up: not tried again
    finally:
        pool.close()
    assert pool.fallbacks == 2
