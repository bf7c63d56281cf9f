"""RFC 3339 times as the API accepts them: the one parser of request and query times.

pydantic's lax datetime parsing also takes Unix seconds (``20240210`` becomes a day of 1970)
and bare dates; a news time sent that way is almost always a client bug, so it is refused
with the expected form instead of being stored wrong.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FORM = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?")
EXAMPLE = "2024-01-21T12:00:00Z or 2024-01-21T15:00:00+03:00"


def parse_time(value: object) -> datetime:
    """``value`` (an RFC 3339 string, or a datetime from Python callers) as an aware UTC datetime.

    A time without an offset is taken as UTC. Raises ValueError naming the value and the form."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and _FORM.fullmatch(value.strip()):
        text = value.strip().upper()  # RFC 3339 allows a lower-case t and z
        if "." in text:  # Python keeps microseconds: a longer fraction is cut, not refused
            head, _, rest = text.partition(".")
            digits = re.match(r"\d+", rest)
            fraction = digits.group(0) if digits else ""
            text = f"{head}.{fraction[:6].ljust(6, '0')}{rest[len(fraction) :]}"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date and time; send e.g. {EXAMPLE}") from None
    else:
        shown = repr(value) if isinstance(value, str) else f"{value!r} (a JSON {type(value).__name__})"
        raise ValueError(f"{shown} is not an RFC 3339 time; send a string such as {EXAMPLE}")
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{value!r} is out of range once converted to UTC; send a time in years 1-9999"
        ) from None
