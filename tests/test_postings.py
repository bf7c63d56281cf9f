"""Keyword postings: a bulk-loaded base plus appended lists answer like one list per keyword."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from service.postings import MERGE_SHARE, KeywordPostings

# keywords are uint32 hashes: small ones plus the top of the range (a signed type would misorder them)
KEYWORDS = [*range(12), 2**31 - 1, 2**31, 2**32 - 2]
ABSENT = [12, 2**31 + 1, 2**32 - 1]
pairs = st.lists(st.sampled_from(KEYWORDS), max_size=60)  # keyword of each posting, seqs 1, 2, ...


@settings(max_examples=300, deadline=None)
@given(loaded=pairs, added=pairs, count=st.integers(1, 30), merge_min=st.integers(1, 70))
def test_recent_postings_match_one_list_per_keyword(
    loaded: list[int], added: list[int], count: int, merge_min: int
) -> None:
    """Whatever was loaded, added and merged (every ``merge_min`` adds or so), reads equal the model's."""
    postings = KeywordPostings(merge_min=merge_min)
    postings.load(np.array(loaded, np.uint32), np.arange(1, len(loaded) + 1))
    model: dict[int, list[int]] = {}
    for seq, keyword in enumerate(loaded, start=1):
        model.setdefault(keyword, []).append(seq)
    for seq, keyword in enumerate(added, start=len(loaded) + 1):
        postings.add(keyword, seq)
        model.setdefault(keyword, []).append(seq)
        assert postings.pending <= max(merge_min, (len(loaded) + seq) // MERGE_SHARE)
    for keyword in KEYWORDS + ABSENT:
        assert postings.recent(keyword, count) == model.get(keyword, [])[-count:]
    assert dict(postings.items()) == model and len(postings) == len(model)


def test_a_load_replaces_and_clear_forgets() -> None:
    postings = KeywordPostings()
    postings.add(5, 1)
    postings.load(np.array([7, 5, 7], np.uint32), np.array([10, 11, 12]))
    assert postings.recent(5, 10) == [11] and postings.recent(7, 1) == [12]
    postings.clear()
    assert postings.recent(7, 10) == [] and len(postings) == 0


def test_merge_moves_every_added_posting_into_the_arrays() -> None:
    postings = KeywordPostings(merge_min=1000)
    postings.load(np.array([3, 2**32 - 2, 3], np.uint32), np.array([1, 2, 3]))
    for seq, keyword in enumerate([2**32 - 2, 7, 3, 7], start=4):
        postings.add(keyword, seq)
    assert postings.pending == 4
    postings.merge()
    assert postings.pending == 0
    assert dict(postings.items()) == {3: [1, 3, 6], 7: [5, 7], 2**32 - 2: [2, 4]}


def test_seqs_beyond_32_bits_keep_their_value() -> None:
    """Seqs are held in 32 bits while they fit (half the memory) and in 64 otherwise."""
    postings = KeywordPostings(merge_min=1)
    postings.load(np.array([5, 5], np.uint32), np.array([1, 2]))
    assert postings._seqs.dtype == np.uint32
    big = 2**32 + 7
    postings.add(5, big)
    postings.add(6, big + 1)
    postings.merge()
    assert postings.recent(5, 10) == [1, 2, big] and postings.recent(6, 1) == [big + 1]
    postings.load(np.array([5], np.uint32), np.array([-3]))  # never a seq, but not wrapped either
    assert postings.recent(5, 1) == [-3]


def test_sharing_ranks_articles_by_keywords_shared_and_drops_single_matches() -> None:
    postings = KeywordPostings()
    for seq, keywords in {1: [10, 11, 12], 2: [10, 11], 3: [10], 4: [11, 12, 13], 5: [99]}.items():
        for keyword in keywords:
            postings.add(keyword, seq)
    assert postings.sharing([10, 11, 12], scan=10, limit=10) == [1, 2, 4]  # 3 shares one word only
    assert postings.sharing([10, 11, 12], scan=10, limit=1) == [1]
    assert postings.sharing([10, 11, 12], scan=1, limit=10) == [4]  # only each word's latest posting read
