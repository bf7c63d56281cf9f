"""FAISS index: search, removal, persistence, rebuild on disagreement, HNSW beyond the exact limit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from service.index import VectorIndex


def unit_rows(n: int, dim: int, seed: int = 3) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_search_and_remove(tmp_path: Path) -> None:
    index = VectorIndex(16, tmp_path / "v.faiss")
    vectors = unit_rows(20, 16)
    index.add(np.arange(100, 120), vectors)
    scores, ids = index.search(vectors[5], 3)
    assert ids[0][0] == 105 and abs(scores[0][0] - 1.0) < 1e-5
    index.remove([105])
    assert 105 not in index.search(vectors[5], 5)[1][0] and len(index) == 19


def test_persistence_and_rebuild_when_ids_disagree(tmp_path: Path) -> None:
    path = tmp_path / "v.faiss"
    vectors = unit_rows(10, 8)
    stored = {i: vectors[i] for i in range(10)}
    index = VectorIndex(8, path)
    index.add(np.arange(10), vectors)
    index.save()
    assert VectorIndex(8, path).sync(stored) is False  # file matches the database
    del stored[3]
    reloaded = VectorIndex(8, path)
    assert reloaded.sync(stored) is True and reloaded.ids() == set(stored)
    next(path.glob("*.faiss")).write_bytes(b"corrupt")
    assert VectorIndex(8, path).sync(stored) is True


def test_hnsw_beyond_the_exact_limit(tmp_path: Path) -> None:
    index = VectorIndex(16, tmp_path / "v.faiss", exact_max=50)
    vectors = unit_rows(120, 16)
    index.add(np.arange(60), vectors[:60])
    assert index.is_hnsw
    index.add(np.arange(60, 120), vectors[60:])
    _, ids = index.search(vectors[90], 1)
    assert ids[0][0] == 90
    index.remove([90])
    assert 90 not in index.search(vectors[90], 5)[1][0]
    index.save()
    again = VectorIndex(16, tmp_path / "v.faiss", exact_max=50)
    assert again.sync({i: vectors[i] for i in range(120) if i != 90}) is False and again.is_hnsw


def test_time_shards_search_only_near_the_time(tmp_path: Path) -> None:
    index = VectorIndex(16, tmp_path / "v", bucket_seconds=10.0)
    vectors = unit_rows(30, 16)
    times = np.arange(30, dtype=np.float64) * 5.0  # 0..145: 15 buckets of 10 s
    index.add(np.arange(30), vectors, times)
    assert len(index.shard_sizes) == 15 and sum(index.shard_sizes.values()) == 30
    _, ids = index.search(vectors[2], 5, around=140.0, within=10.0)  # buckets 13..15
    assert 2 not in ids[0] and set(ids[0].tolist()) <= {26, 27, 28, 29}
    scores, ids = index.search(vectors[2], 3, around=12.0, within=10.0)
    assert ids[0][0] == 2 and abs(scores[0][0] - 1.0) < 1e-5
    assert np.all(np.diff(scores[0]) <= 0)  # merged across shards, best first
    _, everywhere = index.search(vectors[29], 1)  # no time: every shard
    assert everywhere[0][0] == 29
    assert np.allclose(index.vectors([29, 0]), vectors[[29, 0]])


def test_time_shards_persist_and_rebuild_on_moved_article(tmp_path: Path) -> None:
    path = tmp_path / "v"
    vectors = unit_rows(12, 8)
    times = {i: float(i * 10) for i in range(12)}  # one article per bucket
    index = VectorIndex(8, path, bucket_seconds=10.0)
    index.add(np.arange(12), vectors, np.array(list(times.values())))
    index.save()
    assert len(list(path.glob("*.faiss"))) == 12
    index.remove([4])  # empties its shard: the file goes at the next save
    index.save()
    assert not (path / "4.faiss").exists()
    del times[4]
    stored = {i: vectors[i] for i in times}
    again = VectorIndex(8, path, bucket_seconds=10.0)
    assert again.sync(stored, times) is False and again.ids() == set(times)
    times[5] = 95.0  # the database now dates article 5 into another bucket
    moved = VectorIndex(8, path, bucket_seconds=10.0)
    assert moved.sync(lambda: stored, times) is True
    assert moved.search(vectors[5], 1, around=95.0, within=1.0)[1][0][0] == 5


def test_old_single_file_index_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "v"
    path.write_bytes(b"an index file of an older version")
    vectors = unit_rows(3, 8)
    index = VectorIndex(8, path)
    assert index.sync({i: vectors[i] for i in range(3)}) is True and path.is_dir()
    assert VectorIndex(8, path).sync({i: vectors[i] for i in range(3)}) is False


def test_a_batch_search_finds_what_one_search_per_query_finds(tmp_path: Path) -> None:
    index = VectorIndex(32, tmp_path / "v", bucket_seconds=10.0)
    vectors = unit_rows(600, 32, seed=11)
    times = np.random.default_rng(5).uniform(0.0, 60.0, 600)
    index.add(np.arange(600), vectors, times)
    queries = unit_rows(40, 32, seed=12)  # 40 queries: the batch takes the matrix-product path
    around = np.random.default_rng(6).uniform(-5.0, 65.0, 40)
    found = index.search_many(queries, 7, around, within=8.0)
    assert len(found) == 40
    for query, at, (scores, ids) in zip(queries, around, found, strict=True):
        one_scores, one_ids = index.search(query, 7, around=float(at), within=8.0)
        assert ids.tolist() == one_ids[0].tolist()
        assert np.allclose(scores, one_scores[0], atol=1e-5)
    few = index.search_many(queries[:3], 7, around[:3], within=8.0)  # below the batch size
    assert [ids.tolist() for _, ids in few] == [ids.tolist() for _, ids in found[:3]]
    assert index.search_many(queries[:2], 7, np.array([500.0, 900.0]), 8.0)[0][1].size == 0  # no shard


def test_ids_track_adds_moves_and_removals_across_shards() -> None:
    vectors = unit_rows(40, 8, seed=11)
    index = VectorIndex(8, bucket_seconds=10.0)
    index.add(np.arange(5, 45), vectors, np.arange(40) * 3.0)  # ids 5..44 over buckets 0..11
    assert len(index) == 40 and index.ids() == set(range(5, 45))
    index.remove([7, 7, 44, 1000])  # a repeat and an unknown id change nothing more
    assert len(index) == 38 and index.ids() == set(range(5, 45)) - {7, 44}
    index.add(np.array([9]), vectors[[0]], np.array([500.0]))  # stored again, in another bucket
    assert len(index) == 38 and index.shard_sizes[50] == 1
    assert np.allclose(index.vectors([9, 5]), vectors[[0, 0]])
    _, ids = index.search(vectors[4], 3, around=12.0, within=1.0)  # bucket 1 no longer holds 9
    assert 9 not in ids[0].tolist()
    index.add(np.arange(3000, 3002), vectors[:2], np.array([0.0, 0.0]))  # far beyond: grows
    assert len(index) == 40 and {3000, 3001} <= index.ids()
    with pytest.raises(ValueError, match="must not be negative"):
        index.add(np.array([-1]), vectors[:1])


def test_searches_give_the_threads_openmp_setting_back() -> None:
    """FAISS searches on one OpenMP thread; the thread's setting (which torch reads too, so a
    sentence-transformers embedder in the same thread encodes on it) must come back after."""
    import faiss

    index = VectorIndex(8, None)
    vectors = unit_rows(30, 8)
    index.add(np.arange(30), vectors)
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        assert index.search(vectors[0], 3)[1][0][0] == 0
        assert len(index.search_many(vectors[:4], 3, np.zeros(4), 86400.0)) == 4
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)


def test_a_negative_id_is_unknown_to_removal() -> None:
    """Ids are never negative, so removing one changes nothing (numpy would read it from the end)."""
    vectors = unit_rows(5, 8, seed=5)
    index = VectorIndex(8)
    index.add(np.arange(5), vectors)
    index.remove([-1])
    assert len(index) == 5 and index.ids() == set(range(5))
    assert index.search(vectors[4], 1)[1][0][0] == 4
