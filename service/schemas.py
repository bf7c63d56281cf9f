"""Request and response bodies of the HTTP API: articles, ingest, stories and health (the
newsroom check's are in :mod:`service.check_schemas`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.documents import DuplicateMatch
from service.fields import body_text, checked_url, publication_time, title_text
from service.language import language_code

Phase = Literal["pre", "arrival", "core", "aftermath"]


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

    _title = field_validator("title")(title_text)
    _body = field_validator("body")(body_text)
    _published = field_validator("published_at", mode="before")(publication_time)
    _address = field_validator("url")(checked_url)


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
    """An article's duplicate group (copies of its text), original first."""

    id: str
    original: str
    members: list[ArticleBrief]
    semantic_of: str | None = Field(
        None,
        description="The article this one is a `semantic` duplicate of: a near-identical report of "
        "its story by meaning, not a copy of its text, so not in its copy group.",
    )


class ArticleBrief(BaseModel):
    """An article reference for lists."""

    id: str
    title: str | None
    source: str
    url: str | None
    published_at: datetime
    duplicate: DuplicateOut | None = None


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
