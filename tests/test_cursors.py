"""Listing cursors: round trip, and a 400 for a foreign, mismatched or expired one."""

from __future__ import annotations

import pytest

from service.cluster_store import StoryFilter
from service.cursors import decode_cursor, encode_cursor
from service.errors import ApiError


def test_cursor_is_checked() -> None:
    flt = StoryFilter(min_size=1)
    cursor = encode_cursor("updated", flt, 3, "2999-01-01T00:00:00+00:00", ("2024-01-01", 4))
    assert decode_cursor(cursor, "updated", flt)[0] == 3
    cases = (
        (cursor, "size", flt),
        (cursor, "updated", StoryFilter()),
        ("%%%", "updated", flt),
        ("eyJ2IjoxfQ", "updated", flt),
    )
    for bad, sort, used in cases:
        with pytest.raises(ApiError) as err:
            decode_cursor(bad, sort, used)
        assert err.value.status == 400 and err.value.details == {"parameter": "cursor"}
    old = encode_cursor("updated", flt, 3, "2000-01-01T00:00:00+00:00", ("2024-01-01", 4))
    with pytest.raises(ApiError, match="expired"):
        decode_cursor(old, "updated", flt)


def test_edited_cursors_are_400_not_errors_later() -> None:
    flt = StoryFilter()
    for taken, after in (
        ("2999-01-01T00:00:00", ("2024-01-01", 4)),  # no offset
        ("2999-01-01T00:00:00+00:00", ("2024-01-01", 10**30)),
        ("2999-01-01T00:00:00+00:00", (10**30, 4)),
        ("2999-01-01T00:00:00+00:00", ("2024-01-01", True)),
    ):
        with pytest.raises(ApiError) as err:
            decode_cursor(encode_cursor("updated", flt, 3, taken, after), "updated", flt)
        assert err.value.status == 400
    with pytest.raises(ApiError):
        decode_cursor(
            encode_cursor("updated", flt, 10**30, "2999-01-01T00:00:00+00:00", ("x", 1)), "updated", flt
        )
