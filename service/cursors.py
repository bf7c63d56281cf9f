"""Cursors of the /clusters listing: opaque tokens that carry a paginated walk to its next page.

A cursor holds the walk's history snapshot and start time (so every page lists stories with
the sort keys they had when the walk began, see :func:`service.cluster_store.page`), the
last key seen, and a fingerprint of the sort and filters, so one cannot be replayed against
another query. Cursors expire after ``CURSOR_TTL``, which also bounds the history kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from typing import Any

from service.cluster_store import StoryFilter
from service.errors import ApiError

CURSOR_TTL = timedelta(hours=24)
_INT64 = 2**63  # story ids, seqs and sizes are SQLite integers: a bigger one was not issued here
_LATEST = 253402300800.0  # Unix time of year 10000: no member is published later (nor before -_LATEST)


def _small(value: Any) -> bool:
    """An int SQLite can bind (a bool is no id)."""
    return isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value < _INT64


def _key_fits(sort: str, key: Any) -> bool:
    """Whether a cursor's sort key has the form this sort issues: a size, or a UTC time."""
    if sort == "size":
        return _small(key) and key >= 0
    if not isinstance(key, str):
        return False
    return datetime.fromisoformat(key).utcoffset() is not None


def _fingerprint(sort: str, flt: StoryFilter) -> str:
    """Short hash of the sort and filters a cursor was issued for."""
    return hashlib.sha256(json.dumps([sort, *astuple(flt)], ensure_ascii=False).encode()).hexdigest()[:16]


def _pack(state: dict[str, Any]) -> str:
    """A cursor's state as an opaque, URL-safe token."""
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _unpack(cursor: str) -> Any:
    """Inverse of :func:`_pack` (raises ValueError, binascii.Error or UnicodeDecodeError)."""
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def encode_cursor(sort: str, flt: StoryFilter, snapshot: int, taken: str, after: tuple[Any, int]) -> str:
    """Opaque cursor: the walk's snapshot and time, the last key seen, and the query it belongs to."""
    return _pack({"v": 1, "s": snapshot, "t": taken, "k": list(after), "f": _fingerprint(sort, flt)})


def bad_cursor(message: str, parameter: str = "cursor") -> ApiError:
    """The 400 of a cursor that cannot continue this walk, telling the client what to do."""
    return ApiError(
        400, f"invalid {parameter}: {message}", code="invalid_cursor", details={"parameter": parameter}
    )


def decode_cursor(cursor: str, sort: str, flt: StoryFilter) -> tuple[int, tuple[Any, int], str]:
    """(snapshot, last key, walk start time) of a cursor from :func:`encode_cursor`, else a 400."""
    try:
        state = _unpack(cursor)
        snapshot, taken, (key, last_id) = int(state["s"]), str(state["t"]), state["k"]
        started = datetime.fromisoformat(taken)
        valid = (
            state.get("v") == 1
            and started.tzinfo is not None
            and _small(state["s"])
            and snapshot >= 0
            and _small(last_id)
        )
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise bad_cursor("not a cursor this service issued; pass next_cursor back unchanged") from None
    if valid and state.get("f") != _fingerprint(sort, flt):  # before the key: each sort has its own
        raise bad_cursor("it belongs to a listing with other filters or sort; repeat them or start again")
    if not (valid and _key_fits(sort, key)):
        raise bad_cursor("not a cursor this service issued; pass next_cursor back unchanged")
    if datetime.now(UTC) - started > CURSOR_TTL:
        raise bad_cursor("it expired (older than 24 hours); start again without a cursor")
    return snapshot, (key, last_id), taken


def encode_member_cursor(story_id: int, after: tuple[float, int]) -> str:
    """Opaque cursor of a story's member pages: the story and the last (time, seq) key served."""
    return _pack({"v": 1, "c": story_id, "k": list(after)})


def decode_member_cursor(cursor: str) -> tuple[int, tuple[float, int]]:
    """(story id, last key) of a cursor from :func:`encode_member_cursor`, else a 400."""
    try:
        state = _unpack(cursor)
        story_id, (ts, seq) = state["c"], state["k"]
        key = (float(ts), seq)
        valid = (
            state.get("v") == 1
            and _small(story_id)
            and _small(seq)
            and isinstance(ts, int | float)
            and not isinstance(ts, bool)
            and abs(key[0]) < _LATEST
        )
    except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, UnicodeDecodeError):
        valid = False
    if not valid:
        raise bad_cursor(
            "not a cursor this service issued; pass next_members_cursor back unchanged", "members_cursor"
        )
    return story_id, key
