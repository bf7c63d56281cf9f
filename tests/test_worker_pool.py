"""The shared worker-process pool: calls run in another process; failures answer None, start a
fresh pool, and give the pool up after ``max_failures`` in a row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

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


def test_workers_end_when_their_server_is_killed() -> None:
    """A SIGKILLed parent cannot shut its pool down: its workers notice and exit by themselves."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, time\n"
            "from service.worker_pool import WorkerPool\n"
            "pool = WorkerPool(1, time.sleep, (0,), timeout=60, max_failures=3, fallback='test')\n"
            "print(pool._call(os.getpid), flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert parent.stdout is not None
    worker = psutil.Process(int(parent.stdout.readline()))
    assert worker.is_running()
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=30)
    worker.wait(timeout=30)  # psutil.TimeoutExpired if the worker lived on
    assert not worker.is_running()


def test_ctrl_c_is_left_to_the_parent() -> None:
    """Ctrl-C signals the whole process group: a worker ignores it (it printed a traceback) and
    still answers, and the parent's shutdown ends it."""
    pool = WorkerPool(1, time.sleep, (0,), timeout=60, max_failures=3, fallback="test").start()
    try:
        worker = pool._call(os.getpid)
        assert isinstance(worker, int)
        os.kill(worker, signal.SIGINT)
        time.sleep(0.5)
        assert pool._call(os.getpid) == worker and pool.fallbacks == 0
    finally:
        pool.close()
    assert not psutil.pid_exists(worker)  # the shutdown joined it


def test_a_call_that_overruns_gets_a_fresh_pool_and_giving_up_is_logged(caplog: object) -> None:
    """A call past the timeout answers None and the next call starts a fresh pool; failures in a
    row give the pool up, which the log says."""
    pool = WorkerPool(1, time.sleep, (0,), timeout=2.0, max_failures=2, fallback="test").start()
    try:
        first = pool._call(os.getpid)
        assert isinstance(first, int)
        assert pool._call(time.sleep, 5) is None and pool.fallbacks == 1 and pool.usable
        second = pool._call(os.getpid)
        assert isinstance(second, int) and second != first  # a fresh worker
        assert pool._call(time.sleep, 5) is None and pool.usable  # one failure since the success
        assert pool._call(time.sleep, 5) is None and not pool.usable  # two in a row: given up
    finally:
        pool.close()
    assert "failed 2 times in a row; from now on: test" in caplog.text  # type: ignore[attr-defined]
