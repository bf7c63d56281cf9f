"""Keyword postings: for each distinctive word, the ``seq`` of the articles that have it, in seq order.

The story stage reads the most recent postings of an article's keywords to find candidates
FAISS may miss. Postings live in three flat arrays (sorted keywords, their offsets, the
seqs: 4 bytes a posting while seqs fit in 32 bits) plus a small dict of lists for those added
since the last merge. A Python list costs about 40 bytes a posting, so the dict is merged into
the arrays once it holds ``1 / MERGE_SHARE`` as many postings (at least ``MERGE_MIN``); a merge
sorts only the added postings and copies the arrays once. Removed articles stay listed:
readers skip seqs they no longer know.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np

MERGE_MIN = 16_384  # postings kept in the dict at least before a merge (about 1,000 articles)
MERGE_SHARE = 64  # ... and at most this fraction of the arrays' postings


class KeywordPostings:
    """Keyword -> seqs in seq order: flat arrays plus recently added lists."""

    _keys: np.ndarray  # sorted distinct keywords of the arrays
    _starts: np.ndarray  # offsets of each keyword's seqs in _seqs (one more than keywords)
    _seqs: np.ndarray
    _added: dict[int, list[int]]  # postings since the last merge
    _added_count: int

    def __init__(self, merge_min: int = MERGE_MIN) -> None:
        self.merge_min = merge_min
        self.clear()

    def clear(self) -> None:
        """Forget every posting."""
        self._keys, self._starts, self._seqs = (
            np.zeros(0, np.uint32),
            np.zeros(1, np.int64),
            np.zeros(0, np.int64),
        )
        self._added, self._added_count = {}, 0

    def load(self, keywords: np.ndarray, seqs: np.ndarray) -> None:
        """Replace the content with one posting per (keyword, seq) pair; pairs in seq order."""
        self.clear()
        self._fill(np.asarray(keywords, np.uint32), np.asarray(seqs, np.int64))

    def _fill(self, keywords: np.ndarray, seqs: np.ndarray) -> None:
        if not len(keywords):
            return
        order = np.argsort(keywords, kind="stable")  # stable: each keyword's seqs stay in order
        ordered = keywords[order]
        first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        self._keys = ordered[first]
        self._starts = np.append(first, len(ordered)).astype(np.int64)
        self._seqs = _narrowed(seqs[order])

    def add(self, keyword: int, seq: int) -> None:
        """Append a posting (seqs only grow, so the order holds)."""
        self._added.setdefault(keyword, []).append(seq)
        self._added_count += 1
        if self._added_count > max(self.merge_min, len(self._seqs) // MERGE_SHARE):
            self.merge()

    @property
    def pending(self) -> int:
        """Postings added since the last merge."""
        return self._added_count

    def merge(self) -> None:
        """Move the added postings into the flat arrays.

        Every added seq is newer than every merged one, so each keyword's added seqs go at the
        end of its run: only the added postings are sorted, and the arrays are copied once.
        """
        if not self._added:
            return
        added = sorted(self._added.items())  # by keyword; each list is in seq order already
        added_keys = np.fromiter((k for k, _ in added), np.uint32, len(added))
        sizes = np.fromiter((len(seqs) for _, seqs in added), np.int64, len(added))
        added_seqs = np.fromiter((s for _, seqs in added for s in seqs), np.int64, self._added_count)
        self._added, self._added_count = {}, 0
        keys = self._keys
        at = np.searchsorted(keys, added_keys)  # where each added keyword is, or would go
        known = at < len(keys)
        known[known] = keys[at[known]] == added_keys[known]
        # a keyword's added seqs go at the end of its run (new keywords: before the next run)
        ends = self._starts[at + known]
        narrow = self._seqs.dtype == np.uint32 or not len(self._seqs)
        dtype = _narrowed(added_seqs).dtype if narrow else np.dtype(np.int64)
        seqs = self._seqs.astype(dtype, copy=False)
        seqs = np.insert(seqs, np.repeat(ends, sizes), added_seqs.astype(dtype))
        fresh = np.flatnonzero(~known)
        self._keys = np.insert(keys, at[fresh], added_keys[fresh])
        counts = np.zeros(len(self._keys), np.int64)
        old = np.ones(len(self._keys), bool)
        old[at[fresh] + np.arange(len(fresh))] = False  # where the new keywords landed
        counts[old] = np.diff(self._starts)
        counts[np.searchsorted(self._keys, added_keys)] += sizes
        self._starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._seqs = seqs

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

    def sharing(self, keywords: Iterable[int], scan: int, limit: int) -> list[int]:
        """Seqs posted under at least two of ``keywords`` (each read back ``scan`` postings), most
        shared first, at most ``limit``."""
        shared: Counter[int] = Counter()
        for keyword in keywords:
            shared.update(self.recent(keyword, scan))
        twice = Counter({seq: n for seq, n in shared.items() if n >= 2})  # same top, less to sort
        return [seq for seq, _ in twice.most_common(limit)]

    def items(self) -> Iterator[tuple[int, list[int]]]:
        """Every keyword with all its seqs (tests and diagnostics)."""
        keys = set(self._keys.tolist()) | set(self._added)
        for keyword in sorted(keys):
            yield keyword, self.recent(keyword, len(self._seqs) + len(self._added.get(keyword, [])))

    def __len__(self) -> int:
        """Number of keywords."""
        return len(set(self._keys.tolist()) | set(self._added))


def _narrowed(seqs: np.ndarray) -> np.ndarray:
    """The seqs as uint32 while they fit (half of int64), else int64."""
    narrow = not len(seqs) or (int(seqs.min()) >= 0 and int(seqs.max()) <= np.iinfo(np.uint32).max)
    return seqs.astype(np.uint32 if narrow else np.int64, copy=False)
