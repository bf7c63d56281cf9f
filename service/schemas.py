"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.documents import DuplicateMatch
from service.text import normalize

Phase = Literal["pre", "arrival", "core", "aftermath"]


def _require_text(value: str) -> str:
    """A body must keep some letters or digits once normalized."""
    if not normalize(value):
        raise ValueError("body has no letters or digits after normalization; send the article text")
    return value


def _aware(value: datetime | None) -> datetime | None:
    """Times without an offset are taken as UTC; all times are kept in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class ArticleIn(BaseModel):
    """One incoming article. Only ``source`` and ``body`` are required."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    id: str | None = Field(
        None, min_length=1, max_length=512, description="Client id; derived from the URL or text when absent."
    )
    url: str | None = Field(None, max_length=4096, description="Address of the article.")
    source: str = Field(..., min_length=1, max_length=256, description="Outlet or feed name.")
    title: str | None = Field(None, max_length=4096, description="Headline as published.")
    body: str = Field(..., min_length=1, description="Article text as received.")
    published_at: datetime | None = Field(
        None, description="RFC 3339 publication time; the time of receipt when absent."
    )
    language: str | None = Field(
        None,
        pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$",
        description="ISO 639 code; detected when absent.",
    )

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source is blank; give the outlet name")
        return value.strip()

    _body = field_validator("body")(_require_text)
    _published = field_validator("published_at")(_aware)


class DuplicateOut(BaseModel):
    """The article copies ``of`` (the earliest published member of its duplicate group)."""

    type: Literal["exact", "url", "near", "semantic"]
    of: str
    score: float

    @classmethod
    def from_match(cls, match: DuplicateMatch | None) -> DuplicateOut | None:
        if match is None:
            return None
        return cls(type=match.type, of=match.of, score=round(match.score, 4))


class IngestResult(BaseModel):
    """What happened to one posted article, in input order."""

    id: str
    status: Literal["created", "exists"]
    cluster_id: int | None
    phase: Phase | None
    duplicate: DuplicateOut | None
    new_story: bool


class IngestResponse(BaseModel):
    results: list[IngestResult]


class ArticleOut(BaseModel):
    """A stored article as received, with its current outcome."""

    id: str
    url: str | None
    source: str
    title: str | None
    body: str
    language: str
    published_at: datetime
    received_at: datetime
    cluster_id: int | None
    phase: Phase | None
    duplicate: DuplicateOut | None
    similarity: float | None = Field(None, description="Similarity to its story when it joined.")


class DuplicateGroup(BaseModel):
    """An article's duplicate group, original first."""

    id: str
    original: str
    members: list[ArticleBrief]


class ArticleBrief(BaseModel):
    """An article reference for lists."""

    id: str
    title: str | None
    source: str
    url: str | None
    published_at: datetime
    duplicate: DuplicateOut | None = None


class DuplicateCheckIn(BaseModel):
    """A draft or incoming piece to compare with what is stored, without storing it."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(None, max_length=4096)
    body: str = Field(..., min_length=1)
    url: str | None = Field(None, max_length=4096)
    published_at: datetime | None = None
    limit: int = Field(10, ge=1, le=100, description="Most matches returned.")

    _body = field_validator("body")(_require_text)
    _published = field_validator("published_at")(_aware)


class DuplicateHit(BaseModel):
    id: str
    type: Literal["exact", "url", "near", "semantic"]
    score: float
    title: str | None
    source: str
    url: str | None
    published_at: datetime


class StoryHit(BaseModel):
    cluster_id: int
    score: float


class DuplicateCheckOut(BaseModel):
    duplicates: list[DuplicateHit]
    story: StoryHit | None


class Health(BaseModel):
    status: Literal["ok"]
    articles: int
    clusters: int
    embedder: str
    version: str


DuplicateGroup.model_rebuild()
