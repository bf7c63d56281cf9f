"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationInfo, field_validator

from service.documents import DuplicateMatch
from service.language import language_code
from service.markup import to_line, to_text
from service.text import has_words
from service.times import parse_time
from service.urls import check_url

Phase = Literal["pre", "arrival", "core", "aftermath"]


def _require_text(value: str) -> str:
    """A body must keep some letters or digits once normalized."""
    if not has_words(value):
        raise ValueError("body has no letters or digits after normalization; send the article text")
    return value


def _rendered(info: ValidationInfo) -> bool:
    """Whether the text was rendered before (``context={"rendered": True}``: stored articles
    copied by ``reindex``). Rendering is not idempotent: ``&lt;b&gt;`` renders to a literal
    ``<b>``, which a second pass would take for a tag."""
    return bool(info.context and info.context.get("rendered"))


def _body_text(value: str, info: ValidationInfo) -> str:
    """The body with its markup rendered as text (:mod:`service.markup`), then checked for words."""
    return _require_text(value if _rendered(info) else to_text(value))


def _title_text(value: str | None, info: ValidationInfo) -> str | None:
    """The title with its markup rendered on one line; a title that was only markup is none."""
    if value is None or _rendered(info):
        return value
    line = to_line(value)
    return line if line or not value else None


def _time(value: object) -> datetime | None:
    """An RFC 3339 time in UTC (see :func:`service.times.parse_time`); None stays None."""
    return None if value is None else parse_time(value)


def _url(value: str | None) -> str | None:
    return None if value is None else check_url(value)


class ArticleIn(BaseModel):
    """One incoming article. Only ``source`` and ``body`` are required."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    id: str | None = Field(
        None, min_length=1, max_length=512, description="Client id; derived from the URL or text when absent."
    )
    url: str | None = Field(None, max_length=4096, description="Address of the article.")
    source: str = Field(..., min_length=1, max_length=256, description="Outlet or feed name.")
    title: str | None = Field(None, max_length=4096, description="Headline as published.")
    body: str = Field(
        ...,
        min_length=1,
        description="Article text as received; HTML tags and entities are rendered as text.",
    )
    published_at: datetime | None = Field(
        None, description="RFC 3339 publication time; the time of receipt when absent."
    )
    language: str | None = Field(
        None,
        description="ISO 639 code, optionally with a region (`ar`, `ar-SA`); kept as the language "
        "alone (`ar`); detected when absent.",
    )

    @field_validator("source")
    @classmethod
    def _source_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source is blank; give the outlet name")
        return value.strip()

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("id is blank; leave it out to have one derived from the URL or the text")
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        return value if value is None or not isinstance(value, str) else language_code(value)

    _title = field_validator("title")(_title_text)
    _body = field_validator("body")(_body_text)
    _published = field_validator("published_at", mode="before")(_time)
    _address = field_validator("url")(_url)


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


class ReplaceResult(IngestResult):
    """What ``PUT /articles/{id}`` did: ``replaced`` an article, ``created`` one (no article had the
    id), or nothing (``exists``: the stored article is already this one)."""

    status: Literal["created", "exists", "replaced"]  # type: ignore[assignment]


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

    _title = field_validator("title")(_title_text)
    _body = field_validator("body")(_body_text)
    _published = field_validator("published_at", mode="before")(_time)
    _address = field_validator("url")(_url)

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


class Health(BaseModel):
    status: Literal["ok"]
    articles: int
    clusters: int
    embedder: str
    version: str


DuplicateGroup.model_rebuild()


# --- stories ---


class StoryArticleRef(BaseModel):
    """The article that stands for a story (the medoid, originals preferred over copies)."""

    id: str
    title: str | None
    source: str
    url: str | None
    published_at: datetime


class SummarySentence(BaseModel):
    """One extractive summary sentence, as stored in the article it was taken from."""

    text: str
    article_id: str
    source: str


class SourceCount(BaseModel):
    source: str
    count: int


class PhaseSpan(BaseModel):
    """How many of the story's articles are in a phase, and when the first and last were published."""

    phase: Phase
    count: int
    first: datetime
    last: datetime


class ClusterSummary(BaseModel):
    """A story: its title, extractive summary, keywords and who reported it when."""

    id: int
    title: str | None = Field(description="The representative's title, or its first sentence when untitled.")
    summary: list[SummarySentence] = Field(description="2-3 central sentences of several sources, by time.")
    representative: StoryArticleRef | None
    keywords: list[str] = Field(description="Distinctive terms in their most frequent original spelling.")
    sources: list[SourceCount]
    languages: list[str]
    article_count: int
    duplicate_count: int
    first_published: datetime
    last_published: datetime
    created_at: datetime
    updated_at: datetime = Field(description="Last time an ingest or delete changed the story.")
    phases: list[PhaseSpan]


class ClusterMember(BaseModel):
    """An article of a story; an original lists its duplicates within the story under ``copies``."""

    id: str
    title: str | None
    source: str
    url: str | None
    published_at: datetime
    phase: Phase | None
    duplicate: DuplicateOut | None
    similarity: float | None = Field(None, description="Similarity to the story when the article joined.")
    copies: list[ClusterMember] = Field(default_factory=list)


class TimelineDay(BaseModel):
    """Articles published on one UTC day (YYYY-MM-DD), per phase."""

    day: str
    total: int
    phases: dict[str, int]


class ClusterDetail(ClusterSummary):
    """A story with its members (time order, copies under their original) and daily timeline."""

    members: list[ClusterMember] = Field(
        description="One page of members in time order (`members_limit`); copies under their original "
        "when both are on the page."
    )
    next_members_cursor: str | None = Field(
        None, description="Pass as `members_cursor` for the next page of members (null: last page)."
    )
    timeline: list[TimelineDay]
    redirected: bool = Field(False, description="True when the asked id was merged into this story.")
    merged_from: int | None = Field(None, description="The asked id, when it was merged into this story.")


class ClusterPage(BaseModel):
    """One page of stories; pass ``next_cursor`` back as ``cursor`` for the next (null: last page)."""

    data: list[ClusterSummary]
    next_cursor: str | None
    count: int = Field(description="Number of stories in this page.")


ClusterMember.model_rebuild()
