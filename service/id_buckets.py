"""Which time shard of the vector index holds each article id (:mod:`service.index`)."""

from __future__ import annotations

import numpy as np


class IdBuckets:
    """The time bucket (shard) holding each id: an int32 array indexed by id, 4 bytes per stored
    article instead of a dict entry of about 80. Ids are the pipeline's seqs: small, dense and
    never negative."""

    NONE = np.iinfo(np.int32).min  # no vector under this id

    def __init__(self) -> None:
        self._of = np.full(0, self.NONE, np.int32)
        self.count = 0

    def get(self, ids: np.ndarray) -> np.ndarray:
        """Bucket per id (``NONE`` for ids without a vector, negative ones included)."""
        ids = np.asarray(ids, np.int64)
        inside = (ids >= 0) & (ids < len(self._of))
        out = np.full(len(ids), self.NONE, np.int32)
        out[inside] = self._of[ids[inside]]
        return out

    def set(self, ids: np.ndarray, bucket: int) -> None:
        """Record the ids as held by ``bucket`` (the array grows to the largest id)."""
        if not len(ids):
            return
        if int(ids.min()) < 0:
            raise ValueError(f"vector ids must not be negative, got {int(ids.min())}")
        top = int(ids.max()) + 1
        if top > len(self._of):
            grown = np.full(max(top, 2 * len(self._of)), self.NONE, np.int32)
            grown[: len(self._of)] = self._of
            self._of = grown
        ids = np.unique(ids)
        self.count += int((self._of[ids] == self.NONE).sum())
        self._of[ids] = bucket

    def pop(self, ids: np.ndarray) -> np.ndarray:
        """Forget ids; their buckets (``NONE`` for unknown ones)."""
        ids = np.asarray(ids, np.int64)
        found = self.get(ids)
        known = np.unique(ids[found != self.NONE])
        self._of[known] = self.NONE
        self.count -= len(known)
        return found

    def ids(self) -> np.ndarray:
        return np.flatnonzero(self._of != self.NONE)

    def clear(self) -> None:
        self._of = np.full(0, self.NONE, np.int32)
        self.count = 0
