"""Feature bags: kept features decode to exactly the ids and counts packed, alone or concatenated."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from service.bags import COUNT_MAX, EMPTY_TERMS, Bag, KeptTerms, TermCounts, concat_bags
from service.embedding import HASH_BITS

# ids anywhere in 32 bits (the lexical embedder's 2**20 and beyond: several step entries per gap)
features = st.dictionaries(
    st.one_of(st.integers(0, 2**HASH_BITS - 1), st.integers(0, 2**32 - 1)),
    st.integers(1, 2 * int(COUNT_MAX)).map(lambda halves: halves / 2),
    max_size=300,
)


def bag(found: dict[int, float]) -> TermCounts:
    ids = np.array(sorted(found), np.uint32)
    return TermCounts(ids, np.array([found[i] for i in ids.tolist()], np.float32))


@settings(max_examples=300, deadline=None)
@given(features)
def test_kept_terms_pack_ids_and_counts_exactly(found: dict[int, float]) -> None:
    full = bag(found)
    kept = KeptTerms.pack(full)
    ids, counts = kept.arrays()
    assert ids.dtype == np.uint32 and counts.dtype == np.float32 and len(kept) == len(full)
    assert np.array_equal(ids, full.ids) and np.array_equal(counts, full.counts)
    assert np.array_equal(kept.ids, full.ids) and np.array_equal(kept.counts, full.counts)
    gaps = np.diff(full.ids.astype(np.int64), prepend=0)
    assert bytes.__len__(kept) == 3 * (len(full) + int(np.count_nonzero(gaps >> 16)))  # 3 bytes an entry
    assert KeptTerms.pack(kept) is kept
    restored = TermCounts.from_bytes(kept.to_bytes())  # the database's format (float16 counts), unchanged
    assert np.array_equal(restored.ids, full.ids)
    assert np.array_equal(restored.counts, full.counts.astype(np.float16).astype(np.float32))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(features, st.booleans()), max_size=8))
def test_concatenated_bags_decode_like_each_bag(parts: list[tuple[dict[int, float], bool]]) -> None:
    """Kept, full and empty bags in any mix: the running id restarts at every bag."""
    full = [bag(found) for found, _ in parts]
    bags: list[Bag] = [KeptTerms.pack(b) if keep else b for b, (_, keep) in zip(full, parts, strict=True)]
    for group in (bags, [KeptTerms.pack(b) for b in full]):
        ids, counts, sizes = concat_bags(group)
        assert sizes.tolist() == [len(b) for b in full]
        assert np.array_equal(ids, np.concatenate([b.ids for b in full] or [np.zeros(0, np.uint32)]))
        assert np.array_equal(counts, np.concatenate([b.counts for b in full] or [np.zeros(0, np.float32)]))


def test_kept_terms_cap_counts_beyond_the_packed_range() -> None:
    kept = KeptTerms.pack(
        TermCounts(np.array([3, 2**HASH_BITS - 1], np.uint32), np.array([5000.0, 0.0], np.float32))
    )
    assert kept.ids.tolist() == [3, 2**HASH_BITS - 1] and kept.counts.tolist() == [COUNT_MAX, 0.5]
    assert len(KeptTerms.pack(EMPTY_TERMS)) == 0 and KeptTerms.pack(EMPTY_TERMS) == b""
