"""The near-duplicate index alone: LSH candidates, verification on stored texts, bulk load."""

from __future__ import annotations

import numpy as np

from service import shingles as sh
from service.config import DedupSettings
from service.near_index import NearDuplicateIndex, min_agreement
from service.text import matching_form
from tests.test_dedup import AR_OTHER, AR_WIRE, EN_INDEPENDENT, EN_OTHER, EN_WIRE, wire

SETTINGS = DedupSettings()


def _index(bodies: dict[str, str]) -> NearDuplicateIndex:
    """An index reading its texts from ``bodies`` (id -> normalized body)."""
    return NearDuplicateIndex(SETTINGS, lambda ids: {i: bodies[i] for i in ids if i in bodies})


def test_short_texts_get_no_sketch() -> None:
    index = _index({})
    profile, sketch, headline = index.prepare(matching_form("Markets closed higher on Monday."), "markets")
    assert sketch is None and headline.size == 0 and profile.size < SETTINGS.min_shingles
    _, sketch, _ = index.prepare(matching_form(wire("en")), "central bank holds rates")
    assert sketch is not None


def test_candidates_are_verified_on_the_stored_texts() -> None:
    bodies = {"orig": matching_form(wire("en")), "other": matching_form(EN_OTHER)}
    index = _index(bodies)
    for article_id, body in bodies.items():
        _, sketch, _ = index.prepare(body, "")
        assert sketch is not None
        index.insert(article_id, sketch)
    text, sketch, headline = index.prepare(matching_form("\n".join(EN_WIRE[:4])), "")
    assert sketch is not None and "orig" in index.candidates(sketch)
    others = {i: (0.1, headline) for i in bodies}
    copies = index.copies(text, headline, others)
    assert list(copies) == ["orig"] and 0 < copies["orig"].score <= 1
    assert index.text("orig") is not None and index.text("gone") is None
    index.remove("orig")
    index.remove("orig")  # unknown ids are ignored
    assert "orig" not in index.candidates(sketch)


def test_load_replaces_the_content_with_stored_signatures() -> None:
    body = matching_form(wire("en"))
    index = _index({"orig": body})
    _, sketch, headline = index.prepare(body, "")
    assert sketch is not None
    minhash, _ = sh.split_signature(sh.encode_signature(sketch, headline), SETTINGS.num_perm)
    index.insert("stale", sketch)
    index.load(["orig"], [minhash])
    assert index.candidates(sketch) == ["orig"]
    index.load([], [])
    assert index.candidates(sketch) == []


def test_agreement_counts_the_permutations_two_signatures_share() -> None:
    texts = [wire("en"), EN_OTHER, EN_INDEPENDENT, "\n".join(AR_WIRE), AR_OTHER, f"{EN_WIRE[1]}\n{EN_OTHER}"]
    index = _index({})
    sketches = {}
    for n, body in enumerate(texts):
        _, sketch, _ = index.prepare(matching_form(body), "")
        assert sketch is not None
        sketches[f"a{n}"] = sketch
        index.insert(f"a{n}", sketch)
    for query in sketches.values():
        found = index.agreement(query, [*sketches, "unknown"])
        expected = {i: int(np.count_nonzero(query.hashvalues == s.hashvalues)) for i, s in sketches.items()}
        assert found == expected
    assert max(found.values()) == index.permutations == SETTINGS.num_perm


def test_min_agreement_bounds_the_chance_of_missing_a_pair_at_the_threshold() -> None:
    rng = np.random.default_rng(11)
    for permutations, jaccard, risk in ((32, 0.6, 0.01), (32, 0.5, 0.05), (64, 0.6, 0.02)):
        needed = min_agreement(permutations, jaccard, risk)
        counts = rng.binomial(permutations, jaccard, size=400_000)
        assert np.mean(counts < needed) <= risk * 1.1  # skipping below it misses at most ``risk``
        assert np.mean(counts < needed + 1) > risk * 0.9  # one more would miss more than that
    assert min_agreement(32, 0.6, 0.0) == 0
