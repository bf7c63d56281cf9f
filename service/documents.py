"""The prepared article: what every pipeline stage reads after normalization."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(slots=True)
class PreparedArticle:
    """An incoming article with its derived matching forms.

    ``title`` and ``body`` are exactly as received; everything used for matching
    lives in the ``*_norm`` fields (see :mod:`service.text`).
    """

    id: str
    source: str
    body: str
    title: str | None
    url: str | None
    canonical_url: str | None
    language: str
    published_at: datetime
    received_at: datetime
    title_norm: str
    body_norm: str
    content_hash: str
    extra: dict[str, object] = field(default_factory=dict)
    id_given: bool = True  # False: derived from the URL or text (see service.article_ids)

    @property
    def timestamp(self) -> float:
        """Publication time as POSIX seconds (UTC)."""
        return self.published_at.timestamp()


DuplicateType = Literal["exact", "url", "near", "semantic"]
PHASES: tuple[str, ...] = ("pre", "arrival", "core", "aftermath")


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    """An article is a copy of ``of`` (the original of its group, or the matched article in checks)."""

    type: DuplicateType
    of: str
    score: float
