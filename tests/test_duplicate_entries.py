"""The type of a duplicate status against its group's original."""

from __future__ import annotations

from service.documents import DuplicateMatch
from service.duplicate_entries import Entry, key_of, typed


def _entry(content: str | None, url: str | None = None) -> Entry:
    return Entry(0.0, 1, None if content is None else key_of(content), None if url is None else key_of(url))


def test_exact_and_url_hold_only_for_what_the_original_shares() -> None:
    exact, url, near = (DuplicateMatch(t, "o", 1.0) for t in ("exact", "url", "near"))
    assert typed(exact, _entry("h1"), _entry("h1")) == exact
    assert typed(exact, _entry("h1"), _entry("h2")) == DuplicateMatch("near", "o", 1.0)
    assert typed(url, _entry("h1", "u"), _entry("h2", "u")) == url
    assert typed(url, _entry("h1", "u"), _entry("h2", "v")) == DuplicateMatch("near", "o", 1.0)
    assert typed(url, _entry("h1", None), _entry("h2", None)) == DuplicateMatch("near", "o", 1.0)
    assert typed(near, _entry("h1"), _entry("h1")) == near  # near stays near
    assert typed(exact, None, _entry("h1")) == exact  # nothing known: as given
