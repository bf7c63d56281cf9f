"""Cumulative wall time per pipeline stage, read by the benchmark and /metrics."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageTimer:
    """Adds up seconds and calls per named stage; cheap enough to leave on."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds
            self.calls[name] = self.calls.get(name, 0) + 1

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return dict(self.seconds)

    def reset(self) -> None:
        with self._lock:
            self.seconds.clear()
            self.calls.clear()
