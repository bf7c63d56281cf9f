"""Contracts between the pipeline and its stages (duplicate detection, story assignment).

The pipeline owns persistence: stages keep in-memory state, return what changed, and
are rebuilt at startup from the records the store hands back. This keeps every SQL
statement in :mod:`service.store` and every stage testable without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from service.documents import DuplicateMatch, DuplicateType, PreparedArticle

# Returns the normalized bodies (``PreparedArticle.body_norm``) of stored articles by id.
BodyLookup = Callable[[Sequence[str]], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class DuplicateEdge:
    """``article_id`` was found to copy the stored ``other_id`` when it arrived."""

    article_id: str
    other_id: str
    type: DuplicateType
    score: float


@dataclass(frozen=True, slots=True)
class DedupRecord:
    """What the store keeps per article so the detector can be rebuilt after a restart."""

    id: str
    timestamp: float
    content_hash: str
    canonical_url: str | None
    signature: bytes | None
    edge: DuplicateEdge | None


@dataclass(slots=True)
class DedupDecision:
    """Outcome of adding one article to the duplicate index.

    ``edge`` is persisted as the article's own match; ``changed`` gives the new
    ``duplicate`` value of every article whose status changed (the new one included),
    e.g. when an original arrives after its copies and they are re-pointed to it.
    """

    edge: DuplicateEdge | None
    changed: dict[str, DuplicateMatch | None] = field(default_factory=dict)


class PlannedCheck(Protocol):
    """A duplicate check whose state-dependent part is done; ``matches`` runs without the lock."""

    @property
    def others(self) -> Mapping[str, Any]:
        """The near candidates (id -> what verifying them needs)."""
        ...

    def matches(self, limit: int, verifier: Any = None) -> list[DuplicateMatch]:
        """Best matches first; ``verifier`` (a :class:`service.verifier.CheckVerifier`) verifies
        the near candidates elsewhere (here when None)."""
        ...


class DuplicateStage(Protocol):
    """Exact, URL and near-duplicate detection (see :mod:`service.dedup`)."""

    def signature(self, doc: PreparedArticle) -> bytes | None: ...

    def load(self, records: Iterable[DedupRecord]) -> None: ...

    def check(self, doc: PreparedArticle, limit: int) -> list[DuplicateMatch]: ...

    def sketch(self, doc: PreparedArticle) -> Any:
        """What :meth:`plan_check` hashes from the text, computed without the state lock."""
        ...

    def plan_check(self, doc: PreparedArticle, sketched: Any = None) -> PlannedCheck: ...

    def add(self, doc: PreparedArticle, signature: bytes | None) -> DedupDecision: ...

    def remove(self, article_id: str) -> dict[str, DuplicateMatch | None]: ...

    def links(self, ids: Iterable[str]) -> dict[str, DuplicateMatch | None]:
        """The untyped links the groups keep for these articles (persisted as their edges)."""
        ...

    def status(self, article_id: str) -> DuplicateMatch | None: ...

    def group(self, article_id: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """What the store keeps per article for the story stage to rebuild from."""

    id: str
    seq: int
    timestamp: float
    cluster_id: int
    phase: str | None
    vector: bytes
    features: bytes | None
    duplicate_of: str | None
    vote: tuple[int, int] | None = None  # the fragment vote it cast


@dataclass(slots=True)
class StoryAssignment:
    """Where one article went, plus every change to other articles and stories it caused."""

    cluster_id: int
    phase: str
    new_story: bool
    similarity: float
    vector: bytes
    features: bytes | None = None
    semantic: DuplicateMatch | None = None
    merges: list[tuple[int, int]] = field(default_factory=list)  # (absorbed, survivor)
    phase_updates: dict[str, str] = field(default_factory=dict)  # other article id -> phase
    touched_clusters: set[int] = field(default_factory=set)
    moves: dict[str, int] = field(default_factory=dict)  # other article id -> its new story
    vote: tuple[int, int] | None = None  # fragment vote cast: (small story, large story)


@runtime_checkable
class StoryRecordSource(Protocol):
    """Where the story stage reads stored articles from at startup (the store)."""

    def story_records(self, after_seq: int = 0, light: bool = False) -> Iterator[StoryRecord]:
        """Records by seq, those after ``after_seq`` only; ``light``: without vector and features."""
        ...

    def last_story_id(self) -> int:
        """The highest story id ever stored, merged-away stories included (0 when none)."""
        ...


class StoryStage(Protocol):
    """Online story assignment over a FAISS index (see :mod:`service.clustering`)."""

    def load(self, records: Iterable[StoryRecord] | StoryRecordSource, state: bytes | None) -> None: ...

    def prepare(self, docs: Sequence[PreparedArticle]) -> None: ...

    def plan(self, doc: PreparedArticle) -> Any:
        """The read-only part of :meth:`assign` (ranking the candidate stories), run with the
        state lock shared so duplicate checks need not wait for it; ``None``: assign does it."""
        ...

    def assign(
        self,
        doc: PreparedArticle,
        seq: int,
        duplicate: DuplicateMatch | None,
        planned: Any = None,
        reopen: int | None = None,
        copies: Mapping[str, float] | None = None,
    ) -> StoryAssignment: ...

    def embed_draft(self, doc: PreparedArticle) -> Any:
        """What :meth:`probe` embeds from the text, computed without the state lock."""
        ...

    def probe(self, doc: PreparedArticle, item: Any = None) -> tuple[int, float] | None: ...

    def embed_parts(self, doc: PreparedArticle, draft: Any) -> np.ndarray:
        """Vectors of the parts of the piece (``draft``: its :class:`service.reuse.DraftText`;
        :mod:`service.passage_search`), computed without the state lock."""
        ...

    def near_parts(self, vectors: np.ndarray, timestamp: float) -> list[str]:
        """Ids of the stored articles nearest to each part, in the story window around ``timestamp``."""
        ...

    def regroup(self, changed: Mapping[str, DuplicateMatch | None]) -> set[int]:
        """Follow the duplicate stage's new statuses of stored articles (a copy group re-pointed to
        an earlier original, two groups united, an original deleted), so a group moves whole;
        returns the stories of the articles whose status changed."""
        ...

    def remove(self, article_id: str, features: bytes | None = None) -> StoryAssignment | None: ...

    def state(self) -> bytes: ...

    def save(self) -> None: ...

    def vectors(self, docs: Sequence[PreparedArticle]) -> np.ndarray: ...
