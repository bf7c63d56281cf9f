"""Hand freed heap memory back to the operating system after big bursts of allocation.

CPython returns the memory of freed objects to the C allocator, but glibc keeps those pages in
its arenas (they stay in the resident set) until ``malloc_trim`` is called. A batch of articles
or a checkpoint frees many megabytes of temporaries at once, so the pipeline trims after those.
On other C libraries (musl, macOS) there is no such call and nothing is done.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` from the already loaded C library, or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def available() -> bool:
    """Whether this process can give heap memory back (a glibc ``malloc_trim`` was found)."""
    return _malloc_trim() is not None


def release_memory() -> bool:
    """Return free heap pages to the OS; True when the allocator released some memory."""
    trim = _malloc_trim()
    if trim is None:
        return False
    try:
        return bool(trim(0))
    except OSError:  # pragma: no cover - a broken libc binding; trimming is only an optimization
        log.debug("malloc_trim failed", exc_info=True)
        return False
