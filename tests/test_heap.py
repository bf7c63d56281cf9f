"""Giving heap memory back: available on glibc, a harmless no-op elsewhere."""

from __future__ import annotations

import platform

import pytest

from service import heap


def test_release_memory_returns_a_bool() -> None:
    blocks = [bytearray(4096) for _ in range(10_000)]
    del blocks
    assert isinstance(heap.release_memory(), bool)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc only")
def test_available_on_glibc() -> None:
    assert heap.available()


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
