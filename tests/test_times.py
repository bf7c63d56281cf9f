"""RFC 3339 request times: what is accepted, how it is read, and the messages for the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.times import parse_time


def test_accepted_forms_are_read_as_utc() -> None:
    expected = datetime(2024, 1, 21, 12, 0, tzinfo=UTC)
    for text in (
        "2024-01-21T12:00:00Z",
        "2024-01-21t12:00:00z",
        "2024-01-21 12:00:00",
        "2024-01-21T12:00",
        "2024-01-21T15:00:00+03:00",
        "2024-01-21T15:00:00+0300",
        "2024-01-21T07:00:00-05",
        " 2024-01-21T12:00:00Z ",
    ):
        assert parse_time(text) == expected, text
    assert parse_time("2024-01-21T12:00:00.1234567Z").microsecond == 123456
    assert parse_time(datetime(2024, 1, 21, 12)) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (20240210, "a JSON int"),
        ("1707559200", "not an RFC 3339 time"),
        ("2024-02-10", "not an RFC 3339 time"),
        ("2024-02-30T00:00:00Z", "not a valid date"),
        ("9999-12-31T23:59:59-05:00", "out of range"),
        ("0001-01-01T00:00:00+05:00", "out of range"),
        (None, "NoneType"),
    ],
)
def test_other_values_are_refused_naming_them(value: object, words: str) -> None:
    with pytest.raises(ValueError, match=words) as err:
        parse_time(value)
    assert repr(value) in str(err.value)


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.integers(-14 * 60, 14 * 60),
)
def test_any_rfc3339_rendering_round_trips(moment: datetime, offset_minutes: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert parse_time(aware.isoformat()) == aware.astimezone(UTC)
