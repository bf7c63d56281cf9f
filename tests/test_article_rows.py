"""Article columns written by the pipeline: row values and the writes of an ingest or a delete."""

from __future__ import annotations

from typing import Any, cast

from service.article_rows import article_values, dup_values, write_outcome, write_removal
from service.documents import DuplicateMatch
from service.stages import DuplicateEdge, StoryAssignment
from service.store import Transaction
from tests.test_dedup import article, wire

NOW = "2024-03-01T09:00:00Z"


class RecordingTx:
    """Records the store calls instead of running SQL."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def update_article(self, article_id: str, values: dict[str, Any]) -> None:
        self.calls.append(("update", article_id, values))

    def touch_cluster(self, cluster_id: int, now: str) -> None:
        self.calls.append(("touch", cluster_id))

    def merge_clusters(self, absorbed: int, survivor: int, now: str, by_article: str | None) -> None:
        self.calls.append(("merge", absorbed, survivor, by_article))


def _tx(recording: RecordingTx) -> Transaction:
    return cast(Transaction, recording)


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


def test_outcome_writes_the_article_the_articles_it_changed_and_its_stories() -> None:
    recording = RecordingTx()
    assignment = StoryAssignment(
        7, "developing", False, 0.6, b"vec", merges=[(3, 7)], phase_updates={"b": "breaking"}
    )
    assignment.touched_clusters.add(5)
    changed = {"a": DuplicateMatch("near", "orig", 0.9), "c": None}
    touched = write_outcome(_tx(recording), "a", NOW, None, changed, assignment)
    assert touched == {3, 5, 7}
    own = recording.calls[0]
    assert own[:2] == ("update", "a") and own[2]["edge_other"] == "orig" and own[2]["dup_of"] is None
    assert own[2]["cluster_id"] == 7 and own[2]["vector"] == b"vec"
    assert ("update", "c", dup_values(None)) in recording.calls
    assert ("update", "b", {"phase": "breaking"}) in recording.calls
    assert {c[1] for c in recording.calls if c[0] == "touch"} == {5, 7}
    assert recording.calls[-1] == ("merge", 3, 7, "a")


def test_removal_rewrites_changed_articles_and_touches_the_stories() -> None:
    recording = RecordingTx()
    changed = {"late": DuplicateMatch("near", "early", 0.7)}
    assert write_removal(_tx(recording), NOW, changed, None, None) == set()
    assert recording.calls == [("update", "late", dup_values(changed["late"]))]
    recording = RecordingTx()
    change = StoryAssignment(2, "developing", False, 0.0, b"", phase_updates={"x": "follow-up"})
    change.touched_clusters.add(4)
    assert write_removal(_tx(recording), NOW, {}, change, 2) == {2, 4}
    assert recording.calls == [("update", "x", {"phase": "follow-up"}), ("touch", 4), ("touch", 2)]
