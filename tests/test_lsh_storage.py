"""Array LSH storage: the same answers as datasketch's default storage through inserts, merges,
removals and re-inserts, for exact (<= 8 byte) and folded band keys."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from service import lsh_storage
from service.shingles import encode_signature, fill_lsh, minhash, new_lsh, profile


def sketches(count: int) -> tuple[list[str], list]:
    rng = np.random.default_rng(11)
    vocabulary = [f"w{n}" for n in range(80)]
    texts = [" ".join(rng.choice(vocabulary, size=40)) for _ in range(count)]
    texts += [t + " and a few more words" for t in texts[: count // 3]]  # near copies share buckets
    return [f"id{n}" for n in range(len(texts))], [minhash(profile(t, 3), 32) for t in texts]


@pytest.mark.parametrize("threshold", [0.25, 0.8])  # 2 rows per band (exact keys), then more (folded)
def test_answers_like_the_default_storage(threshold: float, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lsh_storage, "MERGE_MIN", 16)  # merge often
    ids, signs = sketches(90)
    default, compact = MinHashLSH(threshold=threshold, num_perm=32), new_lsh(threshold, 32)
    assert (compact.b, compact.r) == (default.b, default.r)
    fill_lsh(compact, ids[:40], [encode_signature(s) for s in signs[:40]])  # bulk, then one by one
    for article_id, sign in zip(ids, signs, strict=True):
        default.insert(article_id, sign)
        if article_id not in compact:
            compact.insert(article_id, sign)
    for victim in ("id0", "id5", "id50", "id95"):
        default.remove(victim)
        compact.remove(victim)
    default.insert("id5", signs[7])  # back, under another text
    compact.insert("id5", signs[7])
    for more in range(4):  # more inserts: a merge drops the dead rows
        default.insert(f"late{more}", signs[more])
        compact.insert(f"late{more}", signs[more])
    for sign in signs:
        assert sorted(compact.query(sign)) == sorted(default.query(sign))
    assert "id0" not in compact and "id5" in compact and len(compact.keys.get("id5")) == compact.b
    if threshold == 0.25:
        assert compact.get_counts() == default.get_counts()
    with pytest.raises(KeyError):
        compact.hashtables[0].remove_val(next(iter(compact.hashtables[0].keys())), "absent")


@settings(max_examples=200, deadline=None)
@given(
    base=st.lists(st.integers(0, 6), max_size=40),
    recent=st.lists(st.integers(0, 8), max_size=40),
    dead=st.sets(st.integers(0, 79)),
)
def test_a_merge_equals_a_stable_sort_of_the_live_pairs(
    base: list[int], recent: list[int], dead: set[int]
) -> None:
    """Merging only sorts the recent pairs; the band ends as a stable sort of every live pair would."""
    rows = lsh_storage.Rows()
    for n in range(len(base) + len(recent)):
        rows.add(f"a{n}")
    band = lsh_storage.ArrayBuckets(rows, 2)
    band.fill(np.array(base, np.uint64), np.arange(len(base), dtype=np.int32))
    for n, key in enumerate(recent, start=len(base)):
        band.recent.setdefault(key, []).append(n)
    for n in dead:
        if n < len(base) + len(recent):
            rows.kill(f"a{n}")
    pairs = [(k, n) for n, k in enumerate(base)]
    pairs += [(k, n) for k, ns in band.recent.items() for n in ns]
    expected = sorted((p for p in pairs if p[1] not in dead), key=lambda p: p[0])  # stable
    band.merge()
    assert list(zip(band.keys_sorted.tolist(), band.rows_sorted.tolist(), strict=True)) == expected
    assert band.keys_sorted.dtype == np.uint64 and band.rows_sorted.dtype == np.int32
