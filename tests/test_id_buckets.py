"""The id -> time shard map of the vector index."""

from __future__ import annotations

import numpy as np
import pytest

from service.id_buckets import IdBuckets


def test_set_get_pop_and_count() -> None:
    buckets = IdBuckets()
    buckets.set(np.array([3, 7, 7]), 5)
    buckets.set(np.array([100]), -2)  # buckets before 1970 are negative
    assert buckets.count == 3
    assert buckets.get(np.array([3, 7, 100, 4, -1, 10_000])).tolist() == [5, 5, -2] + [IdBuckets.NONE] * 3
    buckets.set(np.array([3]), 6)  # moved to another shard: counted once
    assert buckets.count == 3 and buckets.get(np.array([3])).tolist() == [6]
    assert buckets.pop(np.array([3, 4])).tolist() == [6, IdBuckets.NONE]
    assert buckets.count == 2 and buckets.ids().tolist() == [7, 100]
    buckets.clear()
    assert buckets.count == 0 and not len(buckets.ids())


def test_negative_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative, got -4"):
        IdBuckets().set(np.array([1, -4]), 0)
