"""FAISS index: search, removal, persistence, rebuild on disagreement, HNSW beyond the exact limit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

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
    path.write_bytes(b"corrupt")
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
