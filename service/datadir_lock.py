"""One writer per data directory: an advisory lock that the server and the CLI both take.

Two processes writing one directory would each keep their own in-memory stages and hand out
the same story ids, so their stories would mix. The lock is ``flock`` on a file in the
directory: the kernel drops it when its holder exits, even by SIGKILL, so a crash never
leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "storyline.lock"


class DataDirectoryInUse(RuntimeError):
    """Another process holds the data directory."""


class DataDirectoryLock:
    """Held from ``acquire`` to ``release``; not re-entrant, even within one process."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._handle: IO[str] | None = None

    def acquire(self) -> DataDirectoryLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise DataDirectoryInUse(
                f"data directory {self.path.parent} is in use by {holder}; stop it first, or give this "
                "command another --data-dir (STORYLINE_DATA_DIR). One server or one `ingest` writes a "
                "data directory at a time; send articles to a running server with POST /ingest."
            ) from None
        handle.truncate(0)
        handle.write(f"process {os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    @classmethod
    def check(cls, data_dir: Path) -> None:
        """Raise ``DataDirectoryInUse`` now if a holder exists (for a clear error before start-up)."""
        if data_dir.is_dir():
            cls(data_dir).acquire().release()
