"""Story keyword counts: the same counts and rankings as a ``Counter``, ties included."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from service.story_keywords import KeywordCounts

words = st.lists(st.integers(0, 40), max_size=8)
# (story 0 or 1, operation, words): count, uncount (only words counted before) or merge 1 into 0
operations = st.lists(
    st.tuples(st.integers(0, 1), st.sampled_from(["add", "subtract", "update"]), words), max_size=40
)


def same(ours: KeywordCounts, reference: Counter[int]) -> None:
    assert ours.items() == list(reference.items())
    assert ours.most_common() == reference.most_common()
    assert ours.most_common(3) == reference.most_common(3)
    probe = [*reference, 41, 0]
    assert ours.counts_of(probe) == [reference[k] for k in probe]
    assert len(ours) == len(reference)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_counts_rank_like_a_counter(ops: list[tuple[int, str, list[int]]]) -> None:
    ours, reference = [KeywordCounts(), KeywordCounts()], [Counter[int](), Counter[int]()]
    for story, op, group in ops:
        if op == "add":
            ours[story].add(group)
            reference[story].update(group)
        elif op == "subtract":
            counted = [w for w in dict.fromkeys(group) if w in reference[story]]
            ours[story].add(counted, -1)
            reference[story].subtract(counted)
        else:
            ours[0].update(ours[1])
            reference[0].update(reference[1])
    for a, b in zip(ours, reference, strict=True):
        same(a, b)


@settings(max_examples=100, deadline=None)
@given(st.lists(words, max_size=20))
def test_items_round_trip(groups: list[list[int]]) -> None:
    counts = KeywordCounts()
    for group in groups:
        counts.add(group)
    ids, uses = counts.arrays()
    restored = KeywordCounts.from_items(ids.astype(np.int64), uses.astype(np.int64))
    assert restored.items() == counts.items()
    restored.add([99, 3])
    counts.add([99, 3])
    assert restored.most_common() == counts.most_common()  # new words still stamped after the old


def test_an_empty_count_answers_zero() -> None:
    counts = KeywordCounts()
    assert counts.counts_of([1, 2]) == [0, 0]
    assert counts.most_common(5) == [] and counts.items() == [] and len(counts) == 0
    counts.update(KeywordCounts())
    assert len(counts) == 0
