"""Giving heap memory back: available on glibc, a harmless no-op elsewhere."""

from __future__ import annotations

import gc
import platform

import psutil
import pytest

from service import heap

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc only")
def test_freed_pages_between_live_blocks_go_back_to_the_os() -> None:
    assert heap.available()
    process = psutil.Process()
    blocks = [bytearray(4000) for _ in range(20_000)]  # about 80 MB of small blocks on the heap
    survivors = blocks[::64]  # the heap cannot shrink from its top: only a trim frees the gaps
    del blocks
    gc.collect()
    before = process.memory_info().rss
    assert heap.release_memory() is True
    assert before - process.memory_info().rss > 20 * 2**20
    assert len(survivors) == 313


def test_without_malloc_trim_nothing_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_malloc_trim", lambda: None)
    assert not heap.available()
    assert heap.release_memory() is False


def test_trimmer_trims_at_most_once_per_interval() -> None:
    now = [100.0]
    trimmer = heap.Trimmer(5.0, clock=lambda: now[0])
    assert trimmer.release_if_due() is False  # just created: the last trim counts as now
    now[0] += 4.9
    assert trimmer.release_if_due() is False
    now[0] += 0.2
    assert trimmer.release_if_due() is True
    assert trimmer.release_if_due() is False  # the trim restarted the interval
    now[0] += 3.0
    assert isinstance(trimmer.release(), bool)  # a forced trim (load, checkpoint) ...
    now[0] += 3.0
    assert trimmer.release_if_due() is False  # ... also restarts it
    now[0] += 2.0
    assert trimmer.release_if_due() is True
