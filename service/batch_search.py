"""A batch's nearest neighbours: searched in FAISS at once, kept current while it is assigned.

One FAISS call for a whole batch is many times faster than one per article (a matrix product
per time shard), but an article placed late in the batch must also see the batch's earlier
articles, which the index did not hold at search time. The batch remembers the articles
indexed since its search, and each article's result is topped up with those in its time
window, so it equals a search of the index at the article's own turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from service.index import top_k
from service.story_state import Member


@dataclass(slots=True)
class EmbeddedArticle:
    """An embedded article: dense vector, sparse features, cue (computed once per batch), and
    its nearest stored articles as of the batch's start (searched for the whole batch at once)."""

    vector: np.ndarray
    member: Member
    near: tuple[np.ndarray, np.ndarray] | None = None


@dataclass(slots=True)
class BatchSearch:
    """Articles indexed since the batch's FAISS search."""

    seqs: list[int] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    buckets: list[int] = field(default_factory=list)  # time shard of each, as the index files it
    stale: bool = False  # an article was removed since: search afresh instead

    def added(self, seq: int, vector: np.ndarray, bucket: int) -> None:
        """Remember an article indexed during the batch."""
        self.seqs.append(seq)
        self.vectors.append(np.asarray(vector, np.float32))
        self.buckets.append(bucket)

    def top_up(
        self, near: tuple[np.ndarray, np.ndarray], vector: np.ndarray, low: int, high: int, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``near`` (scores, ids from the batch search) merged with the remembered articles in time
        shards ``low``..``high``: the ``k`` best."""
        rows = [i for i, b in enumerate(self.buckets) if low <= b <= high]
        if not rows:
            return near
        added = np.stack([self.vectors[i] for i in rows]) @ vector.astype(np.float32)
        added_ids = np.array([self.seqs[i] for i in rows], np.int64)
        return top_k([near, (added.astype(np.float32), added_ids)], k)
