"""Head-to-head ratios on identical inputs: our stages against the plain library doing the same job.

- embedder: raw ``Embedder.vectors`` throughput on the window texts (the service ratio divides by it);
- FAISS: our ``VectorIndex.search`` vs brute-force numpy top-k, one query at a time as the service does;
- near duplicates: our ``DuplicateDetector`` (signature + add) vs plain ``datasketch`` MinHash LSH on the
  same word shingles (``service.shingles.profile``; MinHash, query, insert), both starting empty.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from service.config import Settings
from service.documents import PreparedArticle
from service.prepare import prepare
from service.schemas import ArticleIn


def prepared(articles: Sequence[ArticleIn]) -> list[PreparedArticle]:
    """Articles through the pipeline's normalization (not timed by the callers)."""
    now = datetime.now(UTC)
    return [prepare(article, now) for article in articles]


def embedder_throughput(
    settings: Settings, warm: Sequence[PreparedArticle], docs: Sequence[PreparedArticle]
) -> float:
    """Articles/s of a fresh embedder on ``docs`` after warming it on other articles."""
    from service.embedding import build_embedder

    embedder = build_embedder(settings)
    embedder.vectors(list(warm))
    started = time.perf_counter()
    embedder.vectors(list(docs))
    return len(docs) / (time.perf_counter() - started)


def decode_vectors(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    """Stored vector blobs (float32, or float16 when half the size) as one float32 matrix."""
    dtype = np.float32 if blobs and len(blobs[0]) == 4 * dim else np.float16
    return np.vstack([np.frombuffer(blob, dtype=dtype) for blob in blobs]).astype(np.float32)


def faiss_vs_numpy(vectors: np.ndarray, queries: np.ndarray, k: int, exact_max: int) -> dict[str, float]:
    """Per-query ms of our FAISS index and of numpy brute force, their ratio, and FAISS recall@k."""
    from service.index import VectorIndex

    index = VectorIndex(vectors.shape[1], exact_max=exact_max)
    index.reset(dict(enumerate(vectors)))
    k = min(k, len(vectors))
    started = time.perf_counter()
    found = [index.search(q, k)[1][0] for q in queries]
    faiss_s = time.perf_counter() - started
    started = time.perf_counter()
    exact = []
    for q in queries:
        scores = vectors @ q
        top = np.argpartition(-scores, k - 1)[:k]
        exact.append(top[np.argsort(-scores[top])])
    numpy_s = time.perf_counter() - started
    recall = float(
        np.mean([len(set(f.tolist()) & set(e.tolist())) / k for f, e in zip(found, exact, strict=True)])
    )
    return {
        "faiss_ms": 1000 * faiss_s / len(queries),
        "numpy_ms": 1000 * numpy_s / len(queries),
        "ratio": faiss_s / numpy_s,
        "recall": recall,
        "hnsw": float(index.is_hnsw),
    }


def _identity(value: int) -> int:
    return value


def plain_datasketch(docs: Sequence[PreparedArticle], threshold: float, num_perm: int, size: int) -> float:
    """Seconds for plain datasketch (default MinHash, MinHashLSH query then insert) on our shingles."""
    from datasketch import MinHash, MinHashLSH

    from service.shingles import profile

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    started = time.perf_counter()
    for doc in docs:
        sketch = MinHash(num_perm=num_perm, seed=1, hashfunc=_identity)
        sketch.update_batch((profile(doc.body_norm, size).unique & np.uint64(0xFFFFFFFF)).tolist())
        lsh.query(sketch)
        if doc.id not in lsh:
            lsh.insert(doc.id, sketch)
    return time.perf_counter() - started


def dedup_vs_datasketch(settings: Settings, docs: Sequence[PreparedArticle]) -> dict[str, float]:
    """ms per article of our near-duplicate stage and of plain datasketch LSH, and their ratio."""
    from service.dedup import DuplicateDetector

    bodies: dict[str, str] = {}
    detector = DuplicateDetector(settings.dedup, lambda ids: {i: bodies[i] for i in ids if i in bodies})
    detector.load([])
    started = time.perf_counter()
    for doc in docs:
        signature = detector.signature(doc)
        bodies[doc.id] = doc.body_norm
        detector.add(doc, signature)
    ours = time.perf_counter() - started
    cfg = settings.dedup
    plain = plain_datasketch(docs, cfg.lsh_threshold, cfg.num_perm, cfg.shingle_size)
    return {
        "ours_ms": 1000 * ours / len(docs),
        "datasketch_ms": 1000 * plain / len(docs),
        "ratio": ours / plain,
    }
