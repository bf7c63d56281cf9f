"""One FAISS shard of the vector index: exact while small, HNSW beyond ``exact_max``.

Both kinds sit in an ``IndexIDMap2`` so vectors keep their article ids and can be
reconstructed. HNSW cannot delete, so removals there become tombstones that are filtered
from results and dropped on the next rebuild (or save).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


@contextmanager
def one_openmp_thread() -> Iterator[None]:
    """FAISS on one OpenMP thread for the block, then the calling thread's setting back.

    Queries come an article or a batch at a time: OpenMP threads cost far more than they save
    (25 ms vs 1.6 ms per query at 30k vectors on 2 cores). The setting belongs to the calling
    thread and torch reads the same one, so leaving it at 1 would also halve a
    sentence-transformers embedder's encoding in that thread (19.8 -> 11.0 texts/s here).
    """
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def empty_index(dim: int, hnsw: bool) -> faiss.IndexIDMap2:
    """A new, empty id-mapped index of the requested kind."""
    if hnsw:
        graph = faiss.IndexHNSWFlat(dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        graph.hnsw.efSearch = HNSW_EF_SEARCH
        inner: faiss.Index = graph
    else:
        inner = faiss.IndexFlatIP(dim)
    return faiss.IndexIDMap2(inner)


class Shard:
    """Vectors by id in one FAISS index; ``dirty`` until saved."""

    def __init__(self, dim: int, exact_max: int, index: faiss.IndexIDMap2 | None = None) -> None:
        self.dim = dim
        self.exact_max = exact_max
        self.removed: set[int] = set()
        self.index = index if index is not None else empty_index(dim, hnsw=False)
        self.dirty = index is None

    @property
    def is_hnsw(self) -> bool:
        """True when the approximate HNSW index is in use."""
        return isinstance(faiss.downcast_index(self.index.index), faiss.IndexHNSWFlat)

    def __len__(self) -> int:
        return int(self.index.ntotal) - len(self.removed)

    def id_array(self) -> np.ndarray:
        """Ids of the live vectors (int64, insertion order)."""
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64, copy=False)
        if self.removed:
            ids = ids[~np.isin(ids, np.fromiter(self.removed, np.int64, len(self.removed)))]
        return ids

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under ids; switches to HNSW past ``exact_max``."""
        self.removed.difference_update(ids.tolist())
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        self.dirty = True
        if not self.is_hnsw and len(self) > self.exact_max:
            self.rebuild(hnsw=True)

    def remove(self, ids: list[int]) -> None:
        """Remove vectors: deleted from a flat index, tombstoned in HNSW."""
        self.dirty = True
        if self.is_hnsw:
            self.removed.update(ids)
            if len(self.removed) > max(1000, int(self.index.ntotal) // 10):
                self.rebuild(hnsw=len(self) > self.exact_max)
        else:
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row, tombstones dropped (id -1, score -inf)."""
        extra = min(len(self.removed), 4 * k)
        scores, ids = self.index.search(queries, min(k + extra, int(self.index.ntotal)))
        if self.removed:
            dead = np.isin(ids, np.fromiter(self.removed, np.int64, len(self.removed)))
            ids = np.where(dead, -1, ids)
            scores = np.where(dead, -np.inf, scores)
        return scores, ids

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of the given ids (all must be here)."""
        if not ids:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.index.reconstruct(int(i)) for i in ids])

    def rebuild(self, hnsw: bool) -> None:
        """Re-create the index of the requested kind from the live vectors."""
        live = self.id_array()
        vectors = self.vectors(live.tolist())
        self.index = empty_index(self.dim, hnsw)
        self.removed.clear()
        self.dirty = True
        if len(live):
            self.index.add_with_ids(vectors, live)
        log.info("FAISS shard rebuilt as %s with %d vectors", "HNSW" if hnsw else "flat", len(live))

    def save(self, path: Path) -> None:
        """Write the shard (tombstones compacted first) atomically."""
        if self.removed:
            self.rebuild(hnsw=self.is_hnsw)
        tmp = path.with_suffix(".tmp")
        faiss.write_index(self.index, str(tmp))
        tmp.replace(path)
        self.dirty = False

    @classmethod
    def read(cls, path: Path, dim: int, exact_max: int) -> Shard | None:
        """A saved shard, or None when the file is unreadable or of another kind."""
        try:
            loaded = faiss.read_index(str(path))
        except RuntimeError as exc:
            log.warning("FAISS shard %s unreadable (%s)", path, exc)
            return None
        if loaded.d != dim or not isinstance(loaded, faiss.IndexIDMap2):
            return None
        return cls(dim, exact_max, loaded)
