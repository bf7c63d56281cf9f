"""Keyword postings: for each distinctive word, the ``seq`` of the articles that have it, in seq order.

The story stage reads the most recent postings of an article's keywords to find candidates
FAISS may miss. A restart restores hundreds of thousands of postings from the snapshot, so
those stay as three flat arrays (sorted keywords, their offsets, the seqs); only postings
added after the restart are kept in small per-keyword lists. Removed articles stay listed:
readers skip seqs they no longer know.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


class KeywordPostings:
    """Keyword -> seqs in seq order: a flat base (bulk loaded) plus appended lists."""

    _keys: np.ndarray  # sorted distinct keywords of the base
    _starts: np.ndarray  # offsets of each keyword's seqs in _seqs (one more than keywords)
    _seqs: np.ndarray
    _added: dict[int, list[int]]  # postings since the last load

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every posting."""
        self._keys, self._starts, self._seqs = (
            np.zeros(0, np.uint32),
            np.zeros(1, np.int64),
            np.zeros(0, np.int64),
        )
        self._added = {}

    def load(self, keywords: np.ndarray, seqs: np.ndarray) -> None:
        """Replace the content with one posting per (keyword, seq) pair; pairs in seq order."""
        self.clear()
        if not len(keywords):
            return
        order = np.argsort(keywords, kind="stable")  # stable: each keyword's seqs stay in order
        ordered = keywords[order]
        first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        self._keys = ordered[first].astype(np.uint32)
        self._starts = np.append(first, len(ordered)).astype(np.int64)
        self._seqs = np.asarray(seqs, np.int64)[order]

    def add(self, keyword: int, seq: int) -> None:
        """Append a posting (seqs only grow, so the order holds)."""
        self._added.setdefault(keyword, []).append(seq)

    def recent(self, keyword: int, count: int) -> list[int]:
        """The last ``count`` seqs posted under ``keyword``."""
        added = self._added.get(keyword, [])
        if len(added) >= count:
            return added[-count:]
        # a numpy scalar of the keys' dtype: a Python int makes numpy convert the whole array
        at = int(self._keys.searchsorted(np.uint32(keyword)))
        if at == len(self._keys) or self._keys[at] != keyword:
            return list(added)
        start, end = int(self._starts[at]), int(self._starts[at + 1])
        return self._seqs[max(start, end - (count - len(added))) : end].tolist() + added

    def items(self) -> Iterator[tuple[int, list[int]]]:
        """Every keyword with all its seqs (tests and diagnostics)."""
        keys = set(self._keys.tolist()) | set(self._added)
        for keyword in sorted(keys):
            yield keyword, self.recent(keyword, len(self._seqs) + len(self._added.get(keyword, [])))

    def __len__(self) -> int:
        """Number of keywords."""
        return len(set(self._keys.tolist()) | set(self._added))
