"""Field validators shared by the request bodies (articles and checked pieces): text with its
markup rendered and some words left, RFC 3339 times, checked addresses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import ValidationInfo

from service.markup import to_line, to_text
from service.text import has_words
from service.times import parse_time
from service.urls import check_url


def require_text(value: str) -> str:
    """A body must keep some letters or digits once normalized."""
    if not has_words(value):
        raise ValueError("body has no letters or digits after normalization; send the article text")
    return value


def rendered(info: ValidationInfo) -> bool:
    """Whether the text was rendered before (``context={"rendered": True}``: stored articles
    copied by ``reindex``). Rendering is not idempotent: ``&lt;b&gt;`` renders to a literal
    ``<b>``, which a second pass would take for a tag."""
    return bool(info.context and info.context.get("rendered"))


def body_text(value: str, info: ValidationInfo) -> str:
    """The body with its markup rendered as text (:mod:`service.markup`), then checked for words."""
    return require_text(value if rendered(info) else to_text(value))


def title_text(value: str | None, info: ValidationInfo) -> str | None:
    """The title with its markup rendered on one line; a title that was only markup is none."""
    if value is None or rendered(info):
        return value
    line = to_line(value)
    return line if line or not value else None


EARLIEST_PUBLICATION = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_AHEAD = timedelta(days=7)  # embargoed and scheduled pieces come dated a little ahead


def rfc3339_time(value: object) -> datetime | None:
    """An RFC 3339 time in UTC (see :func:`service.times.parse_time`); None stays None."""
    return None if value is None else parse_time(value)


def publication_time(value: object) -> datetime | None:
    """``published_at``: an RFC 3339 time that can be a publication time, from 1900 to
    ``LATEST_AHEAD`` after now. A mistyped year (2999, 0001) would otherwise stretch its story's
    time span over centuries and match every time filter of the listings."""
    moment = rfc3339_time(value)
    if moment is None:
        return None
    if moment < EARLIEST_PUBLICATION:
        raise ValueError(f"{value!r} is before 1900; send the time the article was published")
    latest = datetime.now(UTC) + LATEST_AHEAD
    if moment > latest:
        raise ValueError(
            f"{value!r} is more than {LATEST_AHEAD.days} days ahead of now; send the time the article "
            "was published (with its UTC offset), or leave published_at out to date it on receipt"
        )
    return moment


def checked_url(value: str | None) -> str | None:
    """The address when it can be a web address (see :func:`service.urls.check_url`); None stays None."""
    return None if value is None else check_url(value)
