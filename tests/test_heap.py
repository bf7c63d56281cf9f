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
