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
from functools import cache

import numpy as np

from service.lsh_params import LeanMinHash, MinHash, MinHashLSH, optimal_params
from service.lsh_storage import ArrayBuckets, ArrayKeys, Rows, band_ints
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
    """A text's shingles: in text order (for coverage) and as a sorted set (for Jaccard), plus
    its words and their CRC32 in text order (for :mod:`service.alignment`)."""

    words: int
    sequence: np.ndarray
    unique: np.ndarray
    tokens: np.ndarray
    terms: list[str]

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


def word_hashes(tokens: list[str]) -> np.ndarray:
    """CRC32 of each word, in text order (stable across processes)."""
    return np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64, count=len(tokens))


def _shingle_hashes(word_hashes: np.ndarray, size: int) -> np.ndarray:
    """64-bit hashes of every ``size``-word window, in text order."""
    count = word_hashes.size - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
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
    terms = words(text_norm)
    hashes = word_hashes(terms)
    sequence = _shingle_hashes(hashes, size)
    return ShingleProfile(hashes.size, sequence, np.unique(sequence), hashes, terms)


def _in_body(word: str, body: set[str]) -> str | None:
    """The body's form of a headline word: itself, or the name behind a demonym (السنغافوري ->
    سنغافوره, التشادي -> تشاد)."""
    if word in body:
        return word
    base = word.removeprefix("ال").removesuffix("ي") if len(word) > 4 else ""
    return next((form for form in (base, base + "ه", base + "ا") if base and form in body), None)


def headline_keys(title_norm: str, body: ShingleProfile, limit: int) -> np.ndarray:
    """Sorted CRC32 (uint32) of the headline words its body also uses, at most ``limit``."""
    terms = set(body.terms)
    found = {form for form in (_in_body(w, terms) for w in words(title_norm)) if form is not None}
    return np.unique(word_hashes(sorted(found)))[:limit].astype(_SIGNATURE_DTYPE)


def _identity(value: int) -> int:
    """Shingles arrive already hashed; datasketch only has to permute them."""
    return value


@cache
def _permutations(num_perm: int) -> np.ndarray:
    """The permutation parameters datasketch draws for ``num_perm`` (drawn once, not per text)."""
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def minhash(shingles: ShingleProfile, num_perm: int) -> LeanMinHash:
    """MinHash of a profile's shingle set (``datasketch``, affine32 scheme)."""
    sketch = MinHash(
        num_perm=num_perm,
        seed=MINHASH_SEED,
        hashfunc=_identity,
        scheme=MINHASH_SCHEME,
        permutations=_permutations(num_perm),
    )
    sketch.update_batch((shingles.unique & _LOW32).tolist())
    return LeanMinHash(sketch)


def encode_signature(sketch: LeanMinHash, headline: np.ndarray | None = None) -> bytes:
    """Compact bytes of a signature: the hash values as little-endian uint32, followed by the
    headline keys (:func:`headline_keys`) when given."""
    data = np.asarray(sketch.hashvalues, dtype=_SIGNATURE_DTYPE).tobytes()
    return data if headline is None else data + np.asarray(headline, dtype=_SIGNATURE_DTYPE).tobytes()


def split_signature(data: bytes, num_perm: int) -> tuple[bytes, bytes]:
    """The MinHash part and the headline part of a stored signature (older ones have none)."""
    return data[: 4 * num_perm], data[4 * num_perm :]


def decode_signature(data: bytes) -> LeanMinHash:
    """MinHash of the MinHash part of :func:`encode_signature`."""
    values = np.frombuffer(data, dtype=_SIGNATURE_DTYPE)
    return LeanMinHash(seed=MINHASH_SEED, hashvalues=values, scheme=MINHASH_SCHEME)


def decode_headline(data: bytes) -> np.ndarray:
    """Headline keys of the headline part of :func:`encode_signature`."""
    return np.frombuffer(data, dtype=_SIGNATURE_DTYPE)


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


@cache
def _params(threshold: float, num_perm: int) -> tuple[int, int]:
    return optimal_params(threshold, num_perm)


def new_lsh(threshold: float, num_perm: int) -> MinHashLSH:
    """A ``datasketch`` MinHash LSH on compact array storage (:mod:`service.lsh_storage`): the same
    answers in about a fifth of the memory of its default dict-of-sets storage."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=_params(threshold, num_perm))
    rows = Rows()
    lsh.hashtables = [ArrayBuckets(rows, 4 * lsh.r) for _ in range(lsh.b)]
    lsh.keys = ArrayKeys(rows, lsh.b, 4 * lsh.r)
    return lsh


def fill_lsh(lsh: MinHashLSH, ids: Sequence[str], signatures: Sequence[bytes]) -> None:
    """Insert many stored signatures into an empty LSH at once.

    On the array storage of :func:`new_lsh`, computes exactly the band keys ``insert`` would
    (byte-swapped hash-value slices) for all signatures with numpy and sorts each band once: a
    restart then costs no Python work per article and band. Other storages get an insertion session.
    """
    if not isinstance(lsh.keys, ArrayKeys) or lsh.hashfunc is not None or lsh.prepickle or lsh.keys.size():
        with lsh.insertion_session(buffer_size=len(ids) + 1) as session:
            for article_id, data in zip(ids, signatures, strict=True):
                session.insert(article_id, decode_signature(data), check_duplication=False)
        return
    values = np.frombuffer(b"".join(signatures), dtype=_SIGNATURE_DTYPE).astype(np.uint32)
    swapped = values.reshape(len(ids), -1).byteswap()
    used = np.ascontiguousarray(swapped[:, : lsh.hashranges[-1][1]]).astype("<u4")
    rows = lsh.keys.fill(ids, used.view(np.uint8).reshape(len(ids), -1))
    for (start, end), table in zip(lsh.hashranges, lsh.hashtables, strict=True):
        table.fill(band_ints(swapped[:, start:end]), rows)
    lsh._minhash_scheme = MINHASH_SCHEME


def _members(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in ``sorted_unique`` (a profile's ``unique``): a binary search
    per value, cheaper than ``np.isin``, which sorts both arrays again."""
    if sorted_unique.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(sorted_unique, values)
    at[at == sorted_unique.size] = 0
    return sorted_unique[at] == values


def _coverage(shingles: ShingleProfile, other: np.ndarray, size: int) -> int:
    """Number of words of ``shingles`` inside at least one shingle present in ``other`` (sorted)."""
    if shingles.sequence.size == 0:
        return 0
    shared = _members(shingles.sequence, other).astype(np.int32)
    return int(np.count_nonzero(np.convolve(shared, np.ones(size, dtype=np.int32))))


def holds_lead(text: ShingleProfile, other: ShingleProfile, words: int) -> bool:
    """Whether ``text`` has most shingles of the first ``words`` words of ``other`` (its lead)."""
    lead = other.sequence[:words]
    return bool(lead.size) and 2 * int(_members(lead, text.unique).sum()) >= lead.size


def overlap(a: ShingleProfile, b: ShingleProfile, size: int) -> Overlap:
    """Exact Jaccard, containment and word coverage between two profiles."""
    if a.size == 0 or b.size == 0:
        return Overlap(0.0, 0.0, 0.0, 0.0, 0.0)
    small, large = (a.unique, b.unique) if a.size <= b.size else (b.unique, a.unique)
    inter = int(np.count_nonzero(_members(small, large)))
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
