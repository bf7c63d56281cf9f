"""Rendered story-list pages, served again while nothing they show has changed.

Dashboards poll the same first page of ``GET /clusters`` over and over; rebuilding it means
reading the page from SQLite, decoding every summary and serializing the lot, for the same
bytes each time. The cache keeps the rendered JSON (and its ETag) per request key, tagged
with the views' *version*: a counter the story views bump after every change a listing can
show (story facts refreshed after a commit, a summary stored). A page is served from the
cache only when its version is current, so a reader never sees data older than what it
would have read itself at the moment of the last change. Entries also expire after
``max_age`` seconds, which keeps the first-page cursors they carry young.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rendered:
    """A response body ready to send, with its strong ETag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Rendered:
        return cls(body, f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"')

    def matches(self, if_none_match: str | None) -> bool:
        """Whether an ``If-None-Match`` header names this body (so a 304 answers it)."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or self.etag in tags


class PageCache:
    """Bounded LRU of rendered pages, valid for one version of the data."""

    def __init__(
        self, max_entries: int = 64, max_age: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._version = 0
        self._pages: OrderedDict[Hashable, tuple[int, float, Rendered]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def bump(self) -> None:
        """Something a page may show changed (call after the change is committed)."""
        with self._lock:
            self._version += 1
            self._pages.clear()

    def get_or_render(self, key: Hashable, render: Callable[[], bytes]) -> Rendered:
        """The cached page for ``key`` when current, else ``render()`` (stored for next time).

        The version is read before rendering: a change committed while the page renders bumps
        it, so the possibly older page is never stored as current."""
        now = self._clock()
        with self._lock:
            version = self._version
            found = self._pages.get(key)
            if found is not None and found[0] == version and now - found[1] <= self.max_age:
                self._pages.move_to_end(key)
                self.hits += 1
                return found[2]
            self.misses += 1
        rendered = Rendered.of(render())
        with self._lock:
            if self._version == version:
                self._pages[key] = (version, now, rendered)
                self._pages.move_to_end(key)
                while len(self._pages) > self.max_entries:
                    self._pages.popitem(last=False)
        return rendered
