"""Feature bags: an article's hashed features with their counts, in full or as kept in memory.

:class:`TermCounts` is what the embedder computes and the database stores. :class:`KeptTerms`
is the compact form the clusterer keeps for each stored article's strongest features, where
memory per article counts: 3 bytes a feature.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

COUNT_MAX = 127.5  # largest count a kept feature holds (8 bits of half units)
_HALVES_MAX = 255
_STEP_BITS = 16  # bits of an id gap in one kept entry


@dataclass(frozen=True, slots=True)
class TermCounts:
    """Bag of hashed features of one article: sorted unique ids and their (weighted) counts."""

    ids: np.ndarray  # uint32
    counts: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.ids)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Ids and counts."""
        return self.ids, self.counts

    def to_bytes(self) -> bytes:
        """Compact, compressed serialization (stored per article by the pipeline)."""
        raw = self.ids.astype("<u4").tobytes() + self.counts.astype("<f2").tobytes()
        return zlib.compress(len(self.ids).to_bytes(4, "little") + raw, 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> TermCounts:
        """Inverse of :meth:`to_bytes`."""
        raw = zlib.decompress(data)
        n = int.from_bytes(raw[:4], "little")
        ids = np.frombuffer(raw, dtype="<u4", count=n, offset=4).astype(np.uint32)
        counts = np.frombuffer(raw, dtype="<f2", count=n, offset=4 + 4 * n).astype(np.float32)
        return cls(ids, counts)


EMPTY_TERMS = TermCounts(np.zeros(0, np.uint32), np.zeros(0, np.float32))


class KeptTerms(bytes):
    """A stored article's strongest features as the clusterer keeps them: 3 bytes an entry.

    Ids are sorted, so an entry holds the gap to the previous id (16 bits, little-endian) and
    the count in half units (8 bits). A gap of 65,536 or more first gets an entry of count 0
    that holds the gap's high bits and steps that many times 65,536 ids (the first id of most
    articles needs one, other gaps rarely): about 579 bytes for 192 features instead of 768 as
    one uint32 each. Counts are whole numbers (a body word counts 1, a title word
    ``title_weight``), so the packing is exact up to ``COUNT_MAX``; larger counts (none among
    the kept features of 100k SaudiNewsNet articles) are capped there, and a count below one
    half is stored as one half (the TF-IDF weighting treats counts up to 1 alike).

    A ``bytes`` itself, so a member holds one object for them (33 bytes of header) rather than
    a wrapper and an array (160). ``len`` is the number of features, as for any bag.
    """

    __slots__ = ()

    @classmethod
    def pack(cls, terms: TermCounts | KeptTerms) -> KeptTerms:
        """The packed form of a bag (counts above ``COUNT_MAX`` are capped there)."""
        if isinstance(terms, KeptTerms):
            return terms
        gaps: np.ndarray = np.diff(terms.ids.astype(np.int64), prepend=0)
        high = gaps >> _STEP_BITS
        steps = high > 0
        halves = np.clip(np.rint(terms.counts.astype(np.float32) * 2.0), 1, _HALVES_MAX).astype(np.uint8)
        at = np.arange(len(gaps)) + np.cumsum(steps)  # each feature's entry, after its step entries
        entries = np.zeros((len(gaps) + int(steps.sum()), 3), np.uint8)
        low = gaps & 0xFFFF
        entries[at, 0], entries[at, 1], entries[at, 2] = low & 0xFF, low >> 8, halves
        before = at[steps] - 1
        entries[before, 0], entries[before, 1] = high[steps] & 0xFF, high[steps] >> 8
        return cls(entries.tobytes())

    def __len__(self) -> int:
        return bytes.__len__(self) // 3 - self[2::3].count(0)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Ids (uint32) and counts (float32), decoded at once."""
        ids, counts, _ = _decode(self, None)
        return ids, counts

    @property
    def ids(self) -> np.ndarray:
        return self.arrays()[0]

    @property
    def counts(self) -> np.ndarray:
        return self.arrays()[1]

    def to_bytes(self) -> bytes:
        return TermCounts(*self.arrays()).to_bytes()


Bag = TermCounts | KeptTerms  # what scoring and IDF accept: an article's features, full or kept


def _decode(data: bytes, entries: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ids, counts and the feature mask (entries that are no step) of concatenated kept entries;
    ``entries``: each bag's number of entries (the running id restarts at each bag), None for one.

    In uint32 throughout: a running sum past 2**32 wraps, and subtracting the bag's start wraps
    back, so every id (below 2**32) comes out exact.
    """
    raw = np.frombuffer(data, np.uint8)
    count = len(raw) // 3
    step = np.ndarray((count,), "<u2", raw, 0, (3,)).astype(np.uint32)  # each entry's first 2 bytes
    halves = raw[2::3]
    real = halves != 0
    np.left_shift(step, _STEP_BITS, out=step, where=~real)
    ids = np.cumsum(step, dtype=np.uint32)
    if entries is not None and len(entries) > 1:
        through = np.concatenate([np.zeros(1, np.uint32), ids])[np.cumsum(entries)]
        ids -= np.repeat(np.concatenate([np.zeros(1, np.uint32), through[:-1]]), entries)
    return ids[real], halves[real].astype(np.float32) * np.float32(0.5), real


def concat_bags(bags: Sequence[Bag]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenated ids and float32 counts of several bags, and each one's size (kept bags are
    joined packed and decoded once)."""
    if not bags:
        return np.zeros(0, np.uint32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    if all(isinstance(b, KeptTerms) for b in bags):
        entries = np.fromiter(map(bytes.__len__, bags), np.int64, len(bags)) // 3  # type: ignore[arg-type]
        ids, counts, real = _decode(b"".join(bags), entries)  # type: ignore[arg-type]
        features = np.concatenate([np.zeros(1, np.int64), np.cumsum(real)])[np.cumsum(entries)]
        return ids, counts, np.diff(features, prepend=0)
    sizes = np.fromiter(map(len, bags), np.int64, len(bags))
    counts = np.concatenate([b.counts for b in bags]).astype(np.float32, copy=False)
    return np.concatenate([b.ids for b in bags]), counts, sizes
