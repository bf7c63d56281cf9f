"""Request and response bodies of the newsroom check (``POST /duplicates/check``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from service.fields import body_text, checked_url, publication_time, title_text


class DuplicateCheckIn(BaseModel):
    """A draft or incoming piece to compare with what is stored, without storing it."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(None, max_length=4096)
    body: str = Field(..., min_length=1)
    url: str | None = Field(None, max_length=4096)
    published_at: datetime | None = None
    limit: StrictInt | None = Field(
        None,
        ge=1,
        le=100,
        description="Most matches returned, in `duplicates` and in `reused` each (default: the "
        "`check_limit` setting, 10).",
    )
    passages: StrictBool = Field(
        False,
        description="Also report the stored articles the piece takes passages from without copying "
        "them (a draft quoting wire copy), with the sentences concerned, looked for in its first 20,000 "
        "words and among articles within 10 days of its `published_at` (now when not given); a check "
        "costs about twice as much.",
    )

    _title = field_validator("title")(title_text)
    _body = field_validator("body")(body_text)
    _published = field_validator("published_at", mode="before")(publication_time)
    _address = field_validator("url")(checked_url)

    @field_validator("passages", mode="before")
    @classmethod
    def _boolean(cls, value: object) -> object:
        if not isinstance(value, bool):
            raise ValueError(f"must be true or false (a JSON boolean); got {json.dumps(value, default=str)}")
        return value


class DuplicateHit(BaseModel):
    id: str
    type: Literal["exact", "url", "near", "semantic"]
    score: float
    title: str | None
    source: str
    url: str | None
    published_at: datetime
    original: str = Field(
        description="The original of the hit's duplicate group (the hit itself when it is one)."
    )


class ReusedHit(BaseModel):
    """A stored article the checked piece takes passages from, without being a copy of it."""

    id: str
    title: str | None
    source: str
    url: str | None
    published_at: datetime
    original: str = Field(
        description="The original of the article's duplicate group (itself when it is one)."
    )
    reused_words: int = Field(description="Words of the piece in passages that recur in this article.")
    share_of_piece: float = Field(description="Their share of the piece's words.")
    share_of_source: float = Field(description="Share of this article's passages that recur in the piece.")
    sentences: list[str] = Field(
        description="The piece's sentences holding them (a passage's worth, or all of a short sentence), "
        "as written, in order."
    )


class StoryHit(BaseModel):
    cluster_id: int
    score: float


class DuplicateCheckOut(BaseModel):
    duplicates: list[DuplicateHit]
    story: StoryHit | None
    reused: list[ReusedHit] | None = Field(
        None,
        description="With `passages`: stored articles the piece takes passages from, most reused words "
        "first, one per duplicate group and none of the groups in `duplicates`; null when not asked.",
    )
