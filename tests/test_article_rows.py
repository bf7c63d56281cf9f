"""Article columns written by the pipeline: row values and the writes of an ingest or a delete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.article_rows import article_values, dup_values, write_outcome, write_removal
from service.documents import DuplicateMatch
from service.stages import DuplicateEdge, StoryAssignment
from service.store import Store
from tests.test_dedup import article, wire

NOW = "2024-03-01T09:00:00Z"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real SQLite store holding articles a, b, c and orig (a and b in story 3, c in story 7)."""
    db = Store(tmp_path / "storyline.sqlite3").open()
    with db.transaction() as tx:
        for i, (article_id, story) in enumerate([("orig", 7), ("a", None), ("b", 3), ("c", 7)]):
            doc = article(article_id, wire("en"), title=f"Rates {i}", hours=i, url=f"https://ex.com/{i}")
            tx.insert_article({**article_values(doc, None, None), "cluster_id": story, "phase": "core"})
        for story in (3, 7):
            tx.touch_cluster(story, NOW)
    yield db
    db.close()


def _row(store: Store, article_id: str) -> dict[str, Any]:
    row = store.article(article_id)
    assert row is not None
    return dict(row)


def test_duplicate_columns_carry_the_edge_unless_asked_not_to() -> None:
    match = DuplicateMatch("near", "orig", 0.8)
    assert dup_values(match) == {
        "dup_type": "near",
        "dup_of": "orig",
        "dup_score": 0.8,
        "edge_other": "orig",
        "edge_type": "near",
        "edge_score": 0.8,
    }
    assert dup_values(match, edge=False) == {"dup_type": "near", "dup_of": "orig", "dup_score": 0.8}
    assert set(dup_values(None).values()) == {None}


def test_article_row_holds_the_prepared_fields_signature_and_edge() -> None:
    doc = article("a", wire("en"), title="Rates on hold", hours=1, url="https://example.com/a")
    alone = article_values(doc, None, None)
    assert (alone["id"], alone["body_norm"], alone["published_ts"]) == ("a", doc.body_norm, doc.timestamp)
    assert alone["published_at"] == "2024-03-01T09:00:00+00:00" and alone["edge_other"] is None
    linked = article_values(doc, b"sig", DuplicateEdge("a", "orig", "exact", 1.0))
    assert (linked["signature"], linked["edge_other"], linked["edge_type"]) == (b"sig", "orig", "exact")


def test_outcome_writes_the_article_the_articles_it_changed_and_its_stories(store: Store) -> None:
    assignment = StoryAssignment(
        7, "arrival", False, 0.6, b"vec", merges=[(3, 7)], phase_updates={"c": "pre"}
    )
    assignment.touched_clusters.add(5)
    changed = {"a": DuplicateMatch("near", "orig", 0.9), "c": None}
    with store.transaction() as tx:
        touched = write_outcome(tx, "a", NOW, None, changed, assignment)
    assert touched == {3, 5, 7}
    own = _row(store, "a")
    assert own["edge_other"] == "orig" and own["dup_of"] is None  # the edge, not a duplicate verdict
    assert (own["cluster_id"], own["phase"], own["vector"]) == (7, "arrival", b"vec")
    assert _row(store, "c")["phase"] == "pre" and _row(store, "c")["dup_of"] is None
    assert _row(store, "b")["cluster_id"] == 7  # story 3 merged into 7
    assert store.survivor(3) == 7


def test_removal_rewrites_changed_articles_and_touches_the_stories(store: Store) -> None:
    changed = {"c": DuplicateMatch("near", "orig", 0.7)}
    with store.transaction() as tx:
        assert write_removal(tx, NOW, "gone", changed, None, None) == set()
    assert (_row(store, "c")["dup_type"], _row(store, "c")["dup_of"]) == ("near", "orig")
    change = StoryAssignment(7, "", False, 0.0, b"", phase_updates={"orig": "aftermath"})
    change.touched_clusters.add(4)
    with store.transaction() as tx:
        assert write_removal(tx, NOW, "gone", {}, change, 7) == {4, 7}
    assert _row(store, "orig")["phase"] == "aftermath"
    versions = dict(store.reader().execute("SELECT id, content_version FROM clusters").fetchall())
    assert versions[4] == 1 and versions[7] >= 2  # 4 created, 7 changed again


def test_removal_clears_semantic_links_to_the_removed_article(store: Store) -> None:
    """A semantic duplicate names an article of another group; when that one goes, the status
    would point at nothing (the duplicate stage re-points only its own groups)."""
    with store.transaction() as tx:
        tx.update_article("b", dup_values(DuplicateMatch("semantic", "orig", 0.8), edge=False))
        tx.update_article("c", dup_values(DuplicateMatch("near", "orig", 0.9)))
        assert write_removal(tx, NOW, "orig", {}, None, None) == {3}  # b's story
    assert (_row(store, "b")["dup_type"], _row(store, "b")["dup_of"]) == (None, None)
    assert _row(store, "c")["dup_of"] == "orig"  # the duplicate stage's own change, given in `changed`


def test_outcome_moves_a_regrouped_duplicate_group_to_its_new_story(store: Store) -> None:
    assignment = StoryAssignment(3, "core", False, 0.9, b"vec", moves={"orig": 3, "c": 3})
    assignment.touched_clusters.update({3, 7})  # the group left story 7
    with store.transaction() as tx:
        touched = write_outcome(tx, "a", NOW, DuplicateMatch("near", "orig", 0.9), {}, assignment)
    assert touched == {3, 7}
    assert {i: _row(store, i)["cluster_id"] for i in ("orig", "a", "b", "c")} == dict.fromkeys(
        ["orig", "a", "b", "c"], 3
    )
    assert store.survivor(7) == 7  # a move is not a merge: story 7 keeps its id
