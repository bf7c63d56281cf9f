"""FAISS vector index of stored articles, keyed by the pipeline's integer ``seq``.

Exact inner-product search (``IndexFlatIP``) up to ``exact_max`` vectors; beyond that
the index is rebuilt as HNSW (approximate, sub-linear). Both sit in an ``IndexIDMap2``
so vectors keep their article ids and can be reconstructed. HNSW cannot delete, so
removals there become tombstones that are filtered from results and dropped on the
next rebuild. The index is saved to one file; at startup :meth:`VectorIndex.sync`
compares it with the ids the database holds and rebuilds it when they disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


class VectorIndex:
    """Article vectors by id, searched by inner product (vectors are L2-normalized)."""

    def __init__(self, dim: int, path: Path | None = None, exact_max: int = 200_000) -> None:
        self.dim = dim
        self.path = path
        self.exact_max = exact_max
        self._removed: set[int] = set()
        self._index = self._empty(hnsw=False)

    def _empty(self, hnsw: bool) -> faiss.IndexIDMap2:
        """A new, empty id-mapped index of the requested kind."""
        if hnsw:
            graph = faiss.IndexHNSWFlat(self.dim, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            graph.hnsw.efSearch = HNSW_EF_SEARCH
            inner: faiss.Index = graph
        else:
            inner = faiss.IndexFlatIP(self.dim)
        return faiss.IndexIDMap2(inner)

    @property
    def is_hnsw(self) -> bool:
        """True when the approximate HNSW index is in use."""
        return isinstance(faiss.downcast_index(self._index.index), faiss.IndexHNSWFlat)

    def __len__(self) -> int:
        return int(self._index.ntotal) - len(self._removed)

    def ids(self) -> set[int]:
        """Ids of the live vectors."""
        return set(faiss.vector_to_array(self._index.id_map).tolist()) - self._removed

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors (rows) under the given ids; switches to HNSW past ``exact_max``."""
        if not len(ids):
            return
        ids = np.asarray(ids, dtype=np.int64)
        self._removed.difference_update(ids.tolist())
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        if not self.is_hnsw and len(self) > self.exact_max:
            self._rebuild(hnsw=True)

    def remove(self, ids: list[int]) -> None:
        """Remove vectors: deleted from the flat index, tombstoned in HNSW."""
        if not ids:
            return
        if self.is_hnsw:
            self._removed.update(ids)
            if len(self._removed) > max(1000, int(self._index.ntotal) // 10):
                self._rebuild(hnsw=len(self) > self.exact_max)
        else:
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; missing slots have id -1."""
        # Queries come one article at a time: OpenMP threads cost far more than they save
        # (25 ms vs 1.6 ms per query at 30k vectors on 2 cores). The setting is per thread,
        # so every server worker thread must ask for it.
        faiss.omp_set_num_threads(1)
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if self._index.ntotal == 0 or k <= 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        extra = min(len(self._removed), 4 * k)
        scores, ids = self._index.search(queries, min(k + extra, int(self._index.ntotal)))
        if self._removed:
            dead = np.isin(ids, np.fromiter(self._removed, np.int64))
            ids = np.where(dead, -1, ids)
            scores = np.where(dead, -np.inf, scores)
        return scores[:, : k + extra], ids[:, : k + extra]

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of the given ids."""
        return (
            np.stack([self._index.reconstruct(int(i)) for i in ids])
            if ids
            else np.zeros((0, self.dim), np.float32)
        )

    def _rebuild(self, hnsw: bool) -> None:
        """Re-create the index of the requested kind from the live vectors."""
        live = sorted(self.ids())
        vectors = self.vectors(live)
        self._index = self._empty(hnsw)
        self._removed.clear()
        if live:
            self._index.add_with_ids(vectors, np.asarray(live, dtype=np.int64))
        log.info("FAISS index rebuilt as %s with %d vectors", "HNSW" if hnsw else "flat", len(live))

    def reset(self, vectors: Mapping[int, np.ndarray]) -> None:
        """Replace the whole content with the given vectors."""
        self._index = self._empty(hnsw=len(vectors) > self.exact_max)
        self._removed.clear()
        if vectors:
            ids = np.fromiter(vectors.keys(), np.int64, len(vectors))
            self._index.add_with_ids(np.stack(list(vectors.values())).astype(np.float32), ids)

    def save(self) -> None:
        """Write the index file (tombstones are compacted first)."""
        if self.path is None:
            return
        if self._removed:
            self._rebuild(hnsw=self.is_hnsw)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        faiss.write_index(self._index, str(tmp))
        tmp.replace(self.path)

    def sync(self, vectors: Mapping[int, np.ndarray]) -> bool:
        """Load the saved file if it holds exactly the given ids, else rebuild from ``vectors``.

        Returns True when the index had to be rebuilt.
        """
        if self.path is not None and self.path.exists():
            try:
                loaded = faiss.read_index(str(self.path))
                if loaded.d == self.dim and isinstance(loaded, faiss.IndexIDMap2):
                    self._index, self._removed = loaded, set()
                    if self.ids() == set(vectors):
                        return False
                    log.warning("FAISS index %s disagrees with the database; rebuilding", self.path)
            except RuntimeError as exc:
                log.warning("FAISS index %s unreadable (%s); rebuilding", self.path, exc)
        self.reset(vectors)
        return True
