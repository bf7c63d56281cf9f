"""The near-duplicate index alone: LSH candidates, verification on stored texts, bulk load."""

from __future__ import annotations

from service import shingles as sh
from service.config import DedupSettings
from service.near_index import NearDuplicateIndex
from service.text import matching_form
from tests.test_dedup import EN_OTHER, EN_WIRE, wire

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
