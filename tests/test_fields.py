"""Field validators of the request bodies: rendered text with words, RFC 3339 times, addresses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError, field_validator

from service.fields import body_text, checked_url, require_text, rfc3339_time, title_text


class Piece(BaseModel):
    """A model using the validators as the request bodies do."""

    title: str | None = None
    body: str

    _title = field_validator("title")(title_text)
    _body = field_validator("body")(body_text)


def test_markup_is_rendered_unless_the_text_was_rendered_before() -> None:
    piece = Piece.model_validate({"title": "<b>Flood</b> &amp; rain", "body": "<p>Rain fell.</p>&lt;b&gt;"})
    assert (piece.title, piece.body) == ("Flood & rain", "Rain fell.\n<b>")
    again = Piece.model_validate({"title": "a &amp; b", "body": "&lt;b&gt; x"}, context={"rendered": True})
    assert (again.title, again.body) == ("a &amp; b", "&lt;b&gt; x")


def test_a_title_of_markup_only_is_none_and_a_body_without_words_is_refused() -> None:
    assert Piece.model_validate({"title": "<br/>", "body": "نص الخبر"}).title is None
    with pytest.raises(ValidationError, match="no letters or digits"):
        Piece.model_validate({"body": "<p> ... </p>"})
    with pytest.raises(ValueError, match="send the article text"):
        require_text(" -- ")
    assert require_text("٣") == "٣"


def test_times_and_addresses() -> None:
    assert rfc3339_time("2024-01-21T12:00:00+02:00") == datetime(2024, 1, 21, 10, tzinfo=UTC)
    assert rfc3339_time(None) is None and checked_url(None) is None
    assert checked_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    with pytest.raises(ValueError, match="not a url"):
        checked_url("not a url")


def test_a_publication_time_is_refused_before_1900_or_over_a_week_ahead() -> None:
    """A mistyped year would stretch its story over centuries; a scheduled piece may be days ahead."""
    from datetime import timedelta

    from service.fields import LATEST_AHEAD, publication_time

    assert publication_time(None) is None
    assert publication_time("1900-01-01T00:00:00Z") == datetime(1900, 1, 1, tzinfo=UTC)
    soon = datetime.now(UTC) + LATEST_AHEAD - timedelta(hours=1)
    assert publication_time(soon.isoformat()) == soon
    with pytest.raises(ValueError, match=r"'0001-01-01T00:00:00Z' is before 1900; send the time"):
        publication_time("0001-01-01T00:00:00Z")
    with pytest.raises(ValueError, match=r"'2999-01-01T00:00:00Z' is more than 7 days ahead of now"):
        publication_time("2999-01-01T00:00:00Z")
