"""Field validators shared by the request bodies (articles and checked pieces): text with its
markup rendered and some words left, RFC 3339 times, checked addresses."""

from __future__ import annotations

from datetime import datetime

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


def rfc3339_time(value: object) -> datetime | None:
    """An RFC 3339 time in UTC (see :func:`service.times.parse_time`); None stays None."""
    return None if value is None else parse_time(value)


def checked_url(value: str | None) -> str | None:
    """The address when it can be a web address (see :func:`service.urls.check_url`); None stays None."""
    return None if value is None else check_url(value)
