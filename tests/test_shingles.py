"""Shingle hashing, MinHash signatures and the exact overlap measures."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from service import shingles as sh
from service.lsh_storage import ArrayBuckets
from service.shingles import (
    decode_headline,
    decode_signature,
    encode_signature,
    fill_lsh,
    headline_keys,
    holds_lead,
    minhash,
    new_lsh,
    overlap,
    profile,
    split_signature,
    word_hashes,
)

TEXT = "the minister opened the new bridge over the river on monday morning before a large crowd"


def test_profile_counts_words_and_distinct_shingles() -> None:
    shingles = profile(TEXT, 3)
    assert shingles.words == 16 and shingles.sequence.size == 14 and shingles.size == 14
    assert profile("two words", 3).size == 0
    assert np.array_equal(profile(TEXT, 3).unique, shingles.unique)  # stable across calls


def test_one_edited_word_costs_one_covered_word() -> None:
    edited = TEXT.replace("monday", "tuesday")
    found = overlap(profile(TEXT, 3), profile(edited, 3), 3)
    assert found.coverage_short == found.coverage_long == 15 / 16
    assert found.jaccard == 11 / 17 and found.containment == 11 / 14


def test_trimmed_copy_is_fully_contained() -> None:
    trimmed = " ".join(TEXT.split()[:8])
    found = overlap(profile(trimmed, 3), profile(TEXT, 3), 3)
    assert found.containment == 1.0 and found.coverage_short == 1.0 and found.coverage_long == 0.5
    assert overlap(profile(trimmed, 3), profile("", 3), 3).jaccard == 0.0


def test_signature_round_trip() -> None:
    sketch = minhash(profile(TEXT, 3), 32)
    restored = decode_signature(encode_signature(sketch))
    assert len(encode_signature(sketch)) == 128
    assert np.array_equal(restored.hashvalues, sketch.hashvalues) and restored.jaccard(sketch) == 1.0


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "omega", "sigma"]), min_size=3, max_size=40)
)
def test_overlap_is_symmetric_and_bounded(tokens: list[str]) -> None:
    a = profile(" ".join(tokens), 3)
    b = profile(" ".join(reversed(tokens)), 3)
    ab, ba = overlap(a, b, 3), overlap(b, a, 3)
    assert ab.jaccard == ba.jaccard and ab.containment == ba.containment
    assert 0.0 <= ab.jaccard <= ab.containment <= 1.0
    assert overlap(a, a, 3).coverage_short == 1.0


def test_signature_carries_headline_keys() -> None:
    body = profile(TEXT, 3)
    keys = headline_keys("the new bridge opens monday", body, 16)
    assert np.array_equal(keys, np.sort(word_hashes(["the", "new", "bridge", "monday"])).astype(np.uint32))
    assert headline_keys("the new bridge opens monday", body, 2).size == 2  # "opens" is not in the body
    data = encode_signature(minhash(body, 32), keys)
    sketch_part, headline_part = split_signature(data, 32)
    assert len(sketch_part) == 128 and np.array_equal(decode_headline(headline_part), keys)
    assert split_signature(sketch_part, 32) == (sketch_part, b"")  # signatures stored before headline keys


def test_lead_is_held_by_a_fuller_text() -> None:
    lead, later = " ".join(TEXT.split()[:10]), " ".join(TEXT.split()[6:])
    assert holds_lead(profile(TEXT, 3), profile(lead, 3), 10)
    assert not holds_lead(profile(later, 3), profile(TEXT, 3), 10)


def _sketches() -> tuple[list[str], list]:
    rng = np.random.default_rng(7)
    vocabulary = [f"w{n}" for n in range(60)]
    texts = [" ".join(rng.choice(vocabulary, size=40)) for _ in range(30)]
    texts += [t + " extra words appended" for t in texts[:10]]
    return [f"id{n}" for n in range(len(texts))], [minhash(profile(t, 3), 32) for t in texts]


def test_compact_lsh_answers_like_the_default_storage() -> None:
    ids, sketches = _sketches()
    default, compact = MinHashLSH(threshold=0.25, num_perm=32), new_lsh(0.25, 32)
    for article_id, sketch in zip(ids, sketches, strict=True):
        default.insert(article_id, sketch)
        compact.insert(article_id, sketch)
    for victim in ("id0", "id3", "id12"):
        default.remove(victim)
        compact.remove(victim)
    for sketch in sketches:
        assert sorted(compact.query(sketch)) == sorted(default.query(sketch))
    assert "id0" not in compact and "id1" in compact
    counts = [{k: v for k, v in c.items()} for c in compact.get_counts()]
    assert counts == default.get_counts()
    buckets = compact.hashtables[0]
    with pytest.raises(KeyError):
        buckets.remove_val(next(iter(buckets.keys())), "absent")


def test_bulk_loaded_lsh_answers_like_one_insert_per_article() -> None:
    ids, sketches = _sketches()
    for make in (lambda: MinHashLSH(threshold=0.25, num_perm=32), lambda: new_lsh(0.25, 32)):
        one_by_one, bulk = make(), make()
        for article_id, sketch in zip(ids, sketches, strict=True):
            one_by_one.insert(article_id, sketch)
        fill_lsh(bulk, ids, [encode_signature(s) for s in sketches])
        if isinstance(bulk.hashtables[0], ArrayBuckets):  # the very same buckets, shared ones too
            counts = bulk.get_counts()
            assert counts == one_by_one.get_counts() and any(n > 1 for c in counts for n in c.values())
        for sketch in sketches:
            assert sorted(bulk.query(sketch)) == sorted(one_by_one.query(sketch))
        bulk.remove("id0")
        one_by_one.remove("id0")
        assert "id0" not in bulk and sorted(bulk.query(sketches[0])) == sorted(one_by_one.query(sketches[0]))
        bulk.insert("new", sketches[0])
        assert "new" in bulk.query(sketches[0])


def test_lsh_params_match_datasketch_without_scipy_at_import() -> None:
    import subprocess
    import sys

    from datasketch.lsh import _optimal_param

    from service.lsh_params import optimal_params

    for threshold in (0.1, 0.25, 0.5, 0.8):
        for num_perm in (16, 32, 64):
            assert optimal_params(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)
    from service.shingles import new_lsh

    lsh = new_lsh(0.25, 32)
    assert (lsh.b, lsh.r) == _optimal_param(0.25, 32, 0.5, 0.5)
    code = (
        "import sys, service.dedup, service.shingles as s; s.new_lsh(0.3, 32);"
        " print('scipy.integrate' in sys.modules)"
    )
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "False"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 40), max_size=60),
    st.lists(st.integers(0, 40), max_size=60),
)
def test_members_matches_isin(values: list[int], other: list[int]) -> None:
    """The binary-search membership used by the overlap equals ``np.isin`` on a sorted set."""
    array = np.array(values, dtype=np.uint64)
    unique = np.unique(np.array(other, dtype=np.uint64))
    assert np.array_equal(sh._members(array, unique), np.isin(array, unique))
