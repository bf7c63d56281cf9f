"""How often each distinctive word is used by a story's members, in three small arrays.

A ``Counter`` of Python ints costs about 70 bytes per (story, word) entry: a story holds its
members' distinct keywords, about five per article, so that was about 350 bytes per stored
article. Here an entry is a word id, a count and a first-seen stamp (12 bytes), sorted by
word for lookups. The stamp keeps the one thing of the Counter that ranking depends on: words
of equal count rank in the order they were first counted (``most_common``'s tie-break), and
words whose count fell to zero stay listed, as ``Counter.subtract`` leaves them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_NO_IDS = np.zeros(0, np.uint32)


class KeywordCounts:
    """Word -> count, with ``Counter``'s insertion-order tie-breaks."""

    __slots__ = ("_counts", "_ids", "_next", "_stamps")

    def __init__(self) -> None:
        self._ids = _NO_IDS  # sorted distinct word ids
        self._counts = np.zeros(0, np.int32)
        self._stamps = np.zeros(0, np.int32)  # order in which each word was first counted
        self._next = 0

    @classmethod
    def from_items(cls, ids: np.ndarray, counts: np.ndarray) -> KeywordCounts:
        """Counts listed in first-seen order (as :meth:`items` gives them; snapshots)."""
        out = cls()
        ids = np.asarray(ids, np.uint32)
        order = np.argsort(ids, kind="stable")
        out._ids = ids[order]
        out._counts = np.asarray(counts, np.int32)[order]
        out._stamps = order.astype(np.int32)
        out._next = len(ids)
        return out

    def __len__(self) -> int:
        return len(self._ids)

    def _find(self, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the words in the sorted ids, and which of them are there."""
        pos = np.searchsorted(self._ids, words)
        if not len(self._ids):
            return pos, np.zeros(len(words), bool)
        return pos, self._ids[np.minimum(pos, len(self._ids) - 1)] == words

    def add(self, words: Sequence[int] | np.ndarray, delta: int = 1) -> None:
        """Count words once more each (``delta`` -1: once less); new words are stamped in the
        given order."""
        self._merge(np.asarray(words, np.uint32), np.full(len(words), delta, np.int32), None)

    def update(self, other: KeywordCounts) -> None:
        """Add another story's counts; its words new here keep its first-seen order, after ours."""
        self._merge(other._ids, other._counts, other._stamps)

    def _merge(self, words: np.ndarray, counts: np.ndarray, stamps: np.ndarray | None) -> None:
        if not len(words):
            return
        given = np.arange(len(words)) if stamps is None else stamps
        order = np.argsort(words, kind="stable")
        words, counts, given = words[order], counts[order], given[order]
        if len(words) > 1 and bool((words[1:] == words[:-1]).any()):  # a word twice: sum its counts
            words, first, inverse = np.unique(words, return_index=True, return_inverse=True)
            counts = np.bincount(inverse, counts, minlength=len(words)).astype(np.int32)
            given = given[first]
        pos, found = self._find(words)
        self._counts[pos[found]] += counts[found]
        new = ~found
        if not new.any():
            return
        # new words are stamped after every existing one, in the order they were given
        rank = np.argsort(np.argsort(given[new], kind="stable"), kind="stable").astype(np.int32)
        at = pos[new]
        # where the new entries land once merged (np.insert costs about 8 us a call here)
        slots = at + np.arange(len(at))
        kept = np.ones(len(self._ids) + len(at), bool)
        kept[slots] = False
        self._ids = _spliced(self._ids, kept, slots, words[new])
        self._counts = _spliced(self._counts, kept, slots, counts[new])
        self._stamps = _spliced(self._stamps, kept, slots, self._next + rank)
        self._next += len(at)

    def counts_of(self, words: Sequence[int]) -> list[int]:
        """Each word's count (0 for a word never counted)."""
        if not len(self._ids):
            return [0] * len(words)
        pos, found = self._find(np.asarray(words, np.uint32))
        return np.where(found, self._counts[np.minimum(pos, len(self._ids) - 1)], 0).tolist()

    def most_common(self, n: int | None = None) -> list[tuple[int, int]]:
        """The ``n`` most counted words (all when None), ties in first-seen order, as ``Counter``."""
        order = np.lexsort((self._stamps, -self._counts.astype(np.int64)))[:n]
        return list(zip(self._ids[order].tolist(), self._counts[order].tolist(), strict=True))

    def items(self) -> list[tuple[int, int]]:
        """Every (word, count) in first-seen order, zero counts included."""
        ids, counts = self.arrays()
        return list(zip(ids.tolist(), counts.tolist(), strict=True))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Words and counts in first-seen order (the inverse of :meth:`from_items`)."""
        order = np.argsort(self._stamps)
        return self._ids[order], self._counts[order]


def _spliced(old: np.ndarray, kept: np.ndarray, slots: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``old`` with ``values`` placed at ``slots`` of the result (``kept`` marks the others)."""
    out = np.empty(len(kept), old.dtype)
    out[kept] = old
    out[slots] = values
    return out
