"""FAISS vector index of stored articles, keyed by the pipeline's integer ``seq``, sharded by time.

The story stage only wants neighbours published within ``window_days`` of an article, so
vectors are kept in one shard per time bucket (``bucket_seconds`` wide, by publication
time) and a search around a time only visits the shards overlapping ``[t - within, t +
within]``: at 100k articles that is a few thousand vectors instead of all of them, and no
neighbour slot is wasted on articles outside the window. Each shard is exact up to
``exact_max`` vectors and HNSW beyond (:mod:`service.index_shard`).

The index is saved as one file per shard in a directory (only shards changed since the last
save are rewritten). At startup :meth:`VectorIndex.sync` compares the files with the ids (and
their buckets) the database holds and rebuilds when they disagree.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import faiss
import numpy as np

from service.id_buckets import IdBuckets
from service.index_shard import Shard, one_openmp_thread

log = logging.getLogger(__name__)
SUFFIX = ".faiss"
BLAS_QUERIES = 16  # batched searches of at least this many queries use one matrix product


def top_k(parts: list[tuple[np.ndarray, np.ndarray]], k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best (scores, ids) of several result lists, best first (ties keep list order)."""
    scores = np.concatenate([s for s, _ in parts])
    ids = np.concatenate([i for _, i in parts])
    order = np.argsort(-scores, kind="stable")[:k]
    return scores[order], ids[order]


class VectorIndex:
    """Article vectors by id, searched by inner product (vectors are L2-normalized)."""

    def __init__(
        self, dim: int, path: Path | None = None, exact_max: int = 200_000, bucket_seconds: float = 0.0
    ) -> None:
        self.dim = dim
        self.path = path  # a directory holding one file per shard
        self.exact_max = exact_max
        self.bucket_seconds = bucket_seconds
        self._shards: dict[int, Shard] = {}
        self._where = IdBuckets()
        self._gone: set[int] = set()  # buckets emptied since the last save

    def bucket(self, timestamp: float | None) -> int:
        """The shard key of a publication time (one shard when not sharding by time)."""
        if not self.bucket_seconds or timestamp is None:
            return 0
        return math.floor(timestamp / self.bucket_seconds)

    @property
    def is_hnsw(self) -> bool:
        """True when any shard uses the approximate HNSW index."""
        return any(shard.is_hnsw for shard in self._shards.values())

    @property
    def shard_sizes(self) -> dict[int, int]:
        """Live vectors per bucket."""
        return {bucket: len(shard) for bucket, shard in sorted(self._shards.items())}

    def __len__(self) -> int:
        return self._where.count

    def ids(self) -> set[int]:
        """Ids of the live vectors."""
        return set(self._where.ids().tolist())

    def add(self, ids: np.ndarray, vectors: np.ndarray, times: np.ndarray | None = None) -> None:
        """Add vectors (rows) under the given ids, each in the shard of its time."""
        if not len(ids):
            return
        ids = np.asarray(ids, dtype=np.int64)
        again = ids[self._where.get(ids) != IdBuckets.NONE]
        if len(again):
            self.remove(again.tolist())
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if times is None or not self.bucket_seconds:
            buckets = np.zeros(len(ids), np.int64)
        else:
            buckets = np.floor(np.asarray(times, np.float64) / self.bucket_seconds).astype(np.int64)
        for bucket in np.unique(buckets).tolist():
            rows = buckets == bucket
            shard = self._shards.get(bucket)
            if shard is None:
                shard = self._shards[bucket] = Shard(self.dim, self.exact_max)
                self._gone.discard(bucket)
            shard.add(ids[rows], vectors[rows])
            self._where.set(ids[rows], bucket)

    def remove(self, ids: list[int]) -> None:
        """Remove vectors (unknown ids are ignored)."""
        ids = list(dict.fromkeys(ids))
        by_bucket: dict[int, list[int]] = {}
        for i, bucket in zip(ids, self._where.pop(np.asarray(ids, np.int64)).tolist(), strict=True):
            if bucket != IdBuckets.NONE:
                by_bucket.setdefault(bucket, []).append(i)
        for bucket, members in by_bucket.items():
            shard = self._shards[bucket]
            shard.remove(members)
            if not len(shard):
                del self._shards[bucket]
                self._gone.add(bucket)

    def search(
        self, queries: np.ndarray, k: int, around: float | None = None, within: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; missing slots have id -1.

        With ``around`` and ``within`` only the shards overlapping that time range are searched.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        shards = self._shards_near(around, within)
        if not shards or k <= 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        with one_openmp_thread():
            found = [shard.search(queries, k) for shard in shards]
        if len(found) == 1:
            return found[0]
        scores = np.concatenate([s for s, _ in found], axis=1)
        ids = np.concatenate([i for _, i in found], axis=1)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, order, axis=1), np.take_along_axis(ids, order, axis=1)

    def search_many(
        self, queries: np.ndarray, k: int, times: np.ndarray, within: float
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Top-``k`` (scores, ids) of each query row within ``within`` seconds of its time.

        One FAISS call per shard for all the queries that visit it: a batch searched at once
        is a matrix product, far cheaper than as many single searches. Same result per query
        as :meth:`search` with ``around=times[i]``.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        ranges = [(self.bucket(t - within), self.bucket(t + within)) for t in np.asarray(times).tolist()]
        found: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in ranges]
        for bucket, shard in self._shards.items():
            if not shard.index.ntotal or k <= 0:
                continue
            rows = [i for i, (low, high) in enumerate(ranges) if low <= bucket <= high]
            if not rows:
                continue
            with one_openmp_thread():
                scores, ids = self._batch_search(shard, queries[rows], k)
            for j, row in enumerate(rows):
                found[row].append((scores[j], ids[j]))
        out = []
        for parts in found:
            if not parts:
                out.append((np.zeros(0, np.float32), np.zeros(0, np.int64)))
            elif len(parts) == 1:
                out.append(parts[0])
            else:
                out.append(top_k(parts, k))
        return out

    @staticmethod
    def _batch_search(shard: Shard, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """A shard search of many queries as one matrix product (BLAS).

        FAISS picks BLAS by a global threshold whose default (128,000 here) keeps batches on the
        one-query-at-a-time path, 5x slower for 100 queries; a lower one would also send single
        queries to BLAS, 3x slower for them. So it is lowered only around this call.
        """
        if len(queries) < BLAS_QUERIES:
            return shard.search(queries, k)
        before = faiss.cvar.distance_compute_blas_threshold
        faiss.cvar.distance_compute_blas_threshold = 1
        try:
            return shard.search(queries, k)
        finally:
            faiss.cvar.distance_compute_blas_threshold = before

    def _shards_near(self, around: float | None, within: float | None) -> list[Shard]:
        """The non-empty shards a search around a time visits (all without a time)."""
        if around is None or within is None or not self.bucket_seconds:
            return [s for s in self._shards.values() if s.index.ntotal]
        low, high = self.bucket(around - within), self.bucket(around + within)
        return [s for b, s in self._shards.items() if low <= b <= high and s.index.ntotal]

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of the given ids."""
        if not ids:
            return np.zeros((0, self.dim), np.float32)
        buckets = self._where.get(np.asarray(ids, np.int64)).tolist()
        return np.stack(
            [self._shards[b].index.reconstruct(int(i)) for i, b in zip(ids, buckets, strict=True)]
        )

    def reset(self, vectors: Mapping[int, np.ndarray], times: Mapping[int, float] | None = None) -> None:
        """Replace the whole content with the given vectors."""
        self._gone.update(self._shards)
        self._shards.clear()
        self._where.clear()
        if vectors:
            ids = np.fromiter(vectors.keys(), np.int64, len(vectors))
            stamps = None if times is None else np.array([times[i] for i in ids.tolist()], np.float64)
            self.add(ids, np.stack(list(vectors.values())), stamps)

    def _file(self, bucket: int) -> Path:
        assert self.path is not None
        return self.path / f"{bucket}{SUFFIX}"

    def save(self) -> None:
        """Write the shards changed since the last save; delete the files of emptied ones."""
        if self.path is None:
            return
        if self.path.is_file():  # a single-file index of an older version
            self.path.unlink()
        self.path.mkdir(parents=True, exist_ok=True)
        for bucket, shard in self._shards.items():
            if shard.dirty:
                shard.save(self._file(bucket))
        for bucket in self._gone - set(self._shards):
            self._file(bucket).unlink(missing_ok=True)
        self._gone.clear()

    def _read(self) -> bool:
        """Load every shard file; False when there are none or one is unreadable."""
        if self.path is None or not self.path.is_dir():
            return False
        files = sorted(self.path.glob(f"*{SUFFIX}"))
        shards: dict[int, Shard] = {}
        for file in files:
            try:
                bucket = int(file.stem)
            except ValueError:
                return False
            shard = Shard.read(file, self.dim, self.exact_max)
            if shard is None:
                return False
            shards[bucket] = shard
        self._shards = shards
        self._where = IdBuckets()
        for bucket, shard in shards.items():
            self._where.set(shard.id_array(), bucket)
        return bool(files)

    def sync(
        self,
        vectors: Mapping[int, np.ndarray] | Callable[[], Mapping[int, np.ndarray]],
        times: Mapping[int, float] | None = None,
    ) -> bool:
        """Load the saved shards if they hold exactly the given ids in the right buckets, else rebuild.

        ``vectors`` may be a function returning them, so a matching index never reads them.
        Returns True when the index had to be rebuilt.
        """
        expected = times if times is not None else (vectors if isinstance(vectors, Mapping) else None)
        if expected is None:
            raise ValueError("sync needs the ids: pass times or a mapping of vectors")
        if self._read():
            total = sum(int(s.index.ntotal) for s in self._shards.values())
            keys = np.fromiter(expected, np.int64, len(expected))
            want = [self.bucket(None if times is None else times[i]) for i in keys.tolist()]
            same = total == len(self) == len(expected) and self._where.get(keys).tolist() == want
            if same:
                return False
            log.warning("FAISS index %s disagrees with the database; rebuilding", self.path)
        elif self.path is not None and self.path.exists() and len(expected):  # an empty store has none yet
            log.warning("FAISS index %s missing or unreadable; rebuilding", self.path)
        self.reset(vectors if isinstance(vectors, Mapping) else vectors(), times)
        self.save()
        return True
