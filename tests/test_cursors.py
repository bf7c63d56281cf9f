"""Listing cursors: round trip, and a 400 for a foreign, mismatched or expired one."""

from __future__ import annotations

import pytest

from service.cluster_store import StoryFilter
from service.cursors import decode_cursor, decode_member_cursor, encode_cursor, encode_member_cursor
from service.errors import ApiError


def test_cursor_is_checked() -> None:
    flt = StoryFilter(min_size=1)
    cursor = encode_cursor("updated", flt, 3, "2999-01-01T00:00:00+00:00", ("2024-01-01T00:00:00+00:00", 4))
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
    old = encode_cursor("updated", flt, 3, "2000-01-01T00:00:00+00:00", ("2024-01-01T00:00:00+00:00", 4))
    with pytest.raises(ApiError, match="expired"):
        decode_cursor(old, "updated", flt)


def test_edited_cursors_are_400_not_errors_later() -> None:
    flt = StoryFilter()
    for taken, after in (
        ("2999-01-01T00:00:00", ("2024-01-01T00:00:00+00:00", 4)),  # no offset
        ("2999-01-01T00:00:00+00:00", ("2024-01-01T00:00:00+00:00", 10**30)),
        ("2999-01-01T00:00:00+00:00", (10**30, 4)),
        ("2999-01-01T00:00:00+00:00", ("2024-01-01T00:00:00+00:00", True)),
        ("2999-01-01T00:00:00+00:00", ("2024-02-10T08:00:00", 4)),  # a sort key without offset
        ("2999-01-01T00:00:00+00:00", (-1, 4)),  # a size for the time sort
    ):
        with pytest.raises(ApiError) as err:
            decode_cursor(encode_cursor("updated", flt, 3, taken, after), "updated", flt)
        assert err.value.status == 400
    with pytest.raises(ApiError):
        decode_cursor(
            encode_cursor("updated", flt, 10**30, "2999-01-01T00:00:00+00:00", ("x", 1)), "updated", flt
        )


def test_cursor_keys_must_have_the_form_their_sort_issues() -> None:
    flt = StoryFilter()
    taken = "2999-01-01T00:00:00+00:00"
    assert decode_cursor(encode_cursor("size", flt, 3, taken, (12, 4)), "size", flt)[1] == (12, 4)
    for key in (-1, "12", 1.5, True):
        with pytest.raises(ApiError):
            decode_cursor(encode_cursor("size", flt, 3, taken, (key, 4)), "size", flt)
    with pytest.raises(ApiError):
        decode_cursor(encode_cursor("size", flt, 1.5, taken, (12, 4)), "size", flt)  # type: ignore[arg-type]


def test_member_cursors_are_checked() -> None:
    assert decode_member_cursor(encode_member_cursor(7, (1.7e9, 3))) == (7, (1.7e9, 3))
    for after in ((1e308, 3), (10**30, 3), (True, 3), ("x", 3), (1.7e9, 2**70)):
        with pytest.raises(ApiError) as err:
            decode_member_cursor(encode_member_cursor(7, after))  # type: ignore[arg-type]
        assert err.value.details == {"parameter": "members_cursor"}
