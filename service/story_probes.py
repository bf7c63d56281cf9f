"""The story stage's read-only probes for the newsroom check (:mod:`service.newsroom`): which story
a piece would join, and the stored articles nearest to its parts, without changing anything.

Embedding needs no lock (it reads only corpus statistics, which change under the write lock);
the probes read the shared state, so their callers hold the state lock shared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from service.config import StorySettings
from service.documents import PreparedArticle
from service.embedding import Embedder
from service.index import VectorIndex
from service.passage_search import embed_parts, nearest_to_parts
from service.reuse import DraftText
from service.story_state import DAY

if TYPE_CHECKING:
    from service.batch_search import EmbeddedArticle
    from service.story_scoring import Candidate


class CheckProbes:
    """Probes for :class:`service.clustering.StoryClusterer` (which owns the attributes)."""

    settings: StorySettings
    embedder: Embedder
    index: VectorIndex
    by_seq: dict[int, str]
    _ahead: dict[str, EmbeddedArticle]
    # the clusterer's own methods
    _embed: Callable[[Sequence[PreparedArticle]], list[EmbeddedArticle]]
    _candidates: Callable[..., list[Candidate]]
    _joinable: Callable[[list[Candidate]], Candidate | None]

    def embed_draft(self, doc: PreparedArticle) -> EmbeddedArticle:
        """Embedding of a piece that will only be probed (callers need not hold the state lock)."""
        return self._embed([doc])[0]

    def probe(self, doc: PreparedArticle, item: EmbeddedArticle | None = None) -> tuple[int, float] | None:
        """The story the article would join and its score, without changing anything."""
        item = item or self._ahead.get(doc.id) or self._embed([doc])[0]
        chosen = self._joinable(self._candidates(item, exclude=doc.id))
        return (chosen.story, chosen.score) if chosen is not None else None

    def embed_parts(self, doc: PreparedArticle, draft: DraftText) -> np.ndarray:
        """Vectors of the piece's parts (:mod:`service.passage_search`), without the state lock."""
        return embed_parts(self.embedder, doc, draft)

    def near_parts(self, vectors: np.ndarray, timestamp: float) -> list[str]:
        """Stored articles nearest to each part, in the story window (the state lock held shared)."""
        return nearest_to_parts(self.index, self.by_seq, vectors, timestamp, self.settings.window_days * DAY)
