"""Word shingles of normalized text, their MinHash signatures and exact overlap measures.

A shingle is ``size`` consecutive words of :attr:`PreparedArticle.body_norm`, hashed to
64 bits with vectorized arithmetic over per-word CRC32 values (stable across processes,
unlike ``hash()``). MinHash signatures are built by ``datasketch`` from the 32-bit fold of
those hashes; verification compares the exact 64-bit sets.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from datasketch.storage import DictListStorage, DictSetStorage

from service.text import words

MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
_SIGNATURE_DTYPE = np.dtype("<u4")
_STEP = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)


@dataclass(frozen=True, slots=True)
class ShingleProfile:
    """A text's shingles: in text order (for coverage) and as a sorted set (for Jaccard)."""

    words: int
    sequence: np.ndarray
    unique: np.ndarray

    @property
    def size(self) -> int:
        """Number of distinct shingles."""
        return int(self.unique.size)


@dataclass(frozen=True, slots=True)
class Overlap:
    """Exact similarity of two shingle profiles.

    ``coverage_short``/``coverage_long`` are the shares of each text's words lying inside a
    shingle the other text also has: unlike set containment, one edited word costs one
    covered word rather than ``size`` shingles, so lightly edited copies still score high.
    """

    jaccard: float
    containment: float
    coverage_short: float
    coverage_long: float
    copied: float


def _shingle_hashes(tokens: list[str], size: int) -> np.ndarray:
    """64-bit hashes of every ``size``-word window, in text order."""
    count = len(tokens) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    word_hashes = np.fromiter((zlib.crc32(t.encode()) for t in tokens), dtype=np.uint64, count=len(tokens))
    acc = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        acc = acc * _STEP + word_hashes[offset : offset + count] + np.uint64(offset + 1)
    acc ^= acc >> np.uint64(31)
    acc *= _MIX1
    acc ^= acc >> np.uint64(29)
    acc *= _MIX2
    return acc ^ (acc >> np.uint64(32))


def profile(text_norm: str, size: int) -> ShingleProfile:
    """Shingles of an already normalized text (see :func:`service.text.matching_form`)."""
    tokens = words(text_norm)
    sequence = _shingle_hashes(tokens, size)
    return ShingleProfile(len(tokens), sequence, np.unique(sequence))


def _identity(value: int) -> int:
    """Shingles arrive already hashed; datasketch only has to permute them."""
    return value


def minhash(shingles: ShingleProfile, num_perm: int) -> LeanMinHash:
    """MinHash of a profile's shingle set (``datasketch``, affine32 scheme)."""
    sketch = MinHash(num_perm=num_perm, seed=MINHASH_SEED, hashfunc=_identity, scheme=MINHASH_SCHEME)
    sketch.update_batch((shingles.unique & _LOW32).tolist())
    return LeanMinHash(sketch)


def encode_signature(sketch: LeanMinHash) -> bytes:
    """Compact bytes of a signature: the hash values as little-endian uint32."""
    return np.asarray(sketch.hashvalues, dtype=_SIGNATURE_DTYPE).tobytes()


def decode_signature(data: bytes) -> LeanMinHash:
    """Inverse of :func:`encode_signature`."""
    values = np.frombuffer(data, dtype=_SIGNATURE_DTYPE)
    return LeanMinHash(seed=MINHASH_SEED, hashvalues=values, scheme=MINHASH_SCHEME)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Bulk loads create millions of small acyclic containers; cyclic collections during the
    load would only rescan them (they doubled the restart time), so collection waits."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def fill_lsh(lsh: MinHashLSH, ids: Sequence[str], signatures: Sequence[bytes]) -> None:
    """Insert many stored signatures into an empty in-memory LSH at once.

    Builds exactly the band keys ``MinHashLSH.insert`` would (byte-swapped hash-value slices)
    but for all signatures per band in one numpy pass, filling the dict storage directly:
    several times faster than one ``insert`` per article, which makes restarts cheap. Falls
    back to an insertion session when the index does not use plain dict storage.
    """
    plain = (
        isinstance(lsh.keys, DictListStorage)
        and all(type(table) is DictSetStorage for table in lsh.hashtables)
        and lsh.hashfunc is None
        and not lsh.prepickle
    )
    if not plain:
        with lsh.insertion_session(buffer_size=len(ids) + 1) as session:
            for article_id, data in zip(ids, signatures, strict=True):
                session.insert(article_id, decode_signature(data), check_duplication=False)
        return
    values = np.frombuffer(b"".join(signatures), dtype=_SIGNATURE_DTYPE).astype(np.uint32)
    swapped = values.reshape(len(ids), -1).byteswap()
    band_keys: list[list[bytes]] = [[] for _ in ids]
    with paused_gc():
        for (start, end), table in zip(lsh.hashranges, lsh.hashtables, strict=True):
            raw, width, buckets = swapped[:, start:end].tobytes(), 4 * (end - start), table._dict
            for n, article_id in enumerate(ids):
                key = raw[n * width : (n + 1) * width]
                buckets[key].add(article_id)
                band_keys[n].append(key)
        lsh.keys._dict.update(zip(ids, band_keys, strict=True))
    lsh._minhash_scheme = MINHASH_SCHEME


def _coverage(shingles: ShingleProfile, other: np.ndarray, size: int) -> int:
    """Number of words of ``shingles`` inside at least one shingle present in ``other``."""
    if shingles.sequence.size == 0:
        return 0
    shared = np.isin(shingles.sequence, other, assume_unique=False).astype(np.int32)
    return int(np.count_nonzero(np.convolve(shared, np.ones(size, dtype=np.int32))))


def overlap(a: ShingleProfile, b: ShingleProfile, size: int) -> Overlap:
    """Exact Jaccard, containment and word coverage between two profiles."""
    if a.size == 0 or b.size == 0:
        return Overlap(0.0, 0.0, 0.0, 0.0, 0.0)
    inter = int(np.intersect1d(a.unique, b.unique, assume_unique=True).size)
    covered_a = _coverage(a, b.unique, size)
    covered_b = _coverage(b, a.unique, size)
    share_a, share_b = covered_a / max(1, a.words), covered_b / max(1, b.words)
    short, long_ = (share_a, share_b) if a.words <= b.words else (share_b, share_a)
    return Overlap(
        jaccard=inter / (a.size + b.size - inter),
        containment=inter / min(a.size, b.size),
        coverage_short=short,
        coverage_long=long_,
        copied=(covered_a + covered_b) / max(1, a.words + b.words),
    )
