"""The SQLite store: migrations, WAL, transactions that roll back whole, merges."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from service.migrations import MIGRATIONS, current_version
from service.store import Store


def _row(article_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": article_id,
        "source": "s",
        "body": "b",
        "language": "ar",
        "published_at": "2023-01-01T00:00:00+00:00",
        "published_ts": 1672531200.0,
        "received_at": "2023-01-01T00:00:00+00:00",
        "content_hash": article_id,
        "title_norm": "",
        "body_norm": "b",
        **extra,
    }


def test_open_migrates_and_uses_wal(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    try:
        assert current_version(store.writer) == len(MIGRATIONS)
        assert store.writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()
    reopened = Store(tmp_path / "db.sqlite3").open()
    assert current_version(reopened.writer) == len(MIGRATIONS)
    reopened.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this service"):
        Store(path).open()


def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    with store.transaction() as tx:
        tx.insert_article(_row("a"))
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.insert_article(_row("b"))
        raise RuntimeError("boom")
    assert store.count_articles() == 1
    assert store.article("b") is None
    store.close()


def test_seq_is_never_reused_after_delete(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    with store.transaction() as tx:
        first = tx.insert_article(_row("a"))
        tx.delete_article("a")
        second = tx.insert_article(_row("b"))
    assert second > first
    store.close()


def test_merge_redirects_absorbed_story(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    now = "2023-01-01T00:00:00+00:00"
    with store.transaction() as tx:
        tx.insert_article(_row("a", cluster_id=1))
        tx.insert_article(_row("b", cluster_id=2))
        tx.insert_article(_row("c", cluster_id=3))
        for cluster in (1, 2, 3):
            tx.touch_cluster(cluster, now)
        tx.merge_clusters(2, 1, now, "b")
        tx.merge_clusters(1, 3, now, "c")
    assert store.survivor(2) == 3
    assert store.survivor(1) == 3
    assert store.survivor(3) == 3
    assert store.survivor(99) is None
    assert store.count_clusters() == 1
    assert store.bodies(["a", "zz"]) == {"a": "b"}
    store.close()


def test_startup_reads_use_covering_indexes_and_match_the_table(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    try:
        with store.transaction() as tx:
            for n in range(3):
                seq = tx.insert_article(_row(f"a{n}", signature=b"sig"))
                tx.update_article(f"a{n}", {"cluster_id": 7, "phase": "core", "vector": b"v" * 4})
        assert seq == 3
        plans = [
            " ".join(str(tuple(r)) for r in store.writer.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            for sql in (
                "SELECT id, seq, published_ts, cluster_id, phase, edge_other, vote_small, vote_large"
                " FROM articles WHERE vector IS NOT NULL AND seq > 0 ORDER BY seq",
                "SELECT id, published_ts, content_hash, canonical_url, signature, edge_other, edge_type,"
                " edge_score FROM articles ORDER BY seq",
            )
        ]
        assert "articles_story_groups" in plans[0] and "COVERING INDEX articles_dedup_keys" in plans[1]
        light = list(store.story_records(after_seq=1, light=True))
        assert [(r.id, r.seq, r.cluster_id, r.phase, r.vector) for r in light] == [
            ("a1", 2, 7, "core", b""),
            ("a2", 3, 7, "core", b""),
        ]
        assert [r.vector for r in store.story_records()] == [b"vvvv"] * 3
        with store.transaction() as tx:  # a1 copies a0 (the detector's edge); a2 only reads like it
            tx.update_article(
                "a1", {"edge_other": "a0", "edge_type": "near", "dup_type": "near", "dup_of": "a0"}
            )
            tx.update_article("a2", {"dup_type": "semantic", "dup_of": "a0"})
        assert [r.duplicate_of for r in store.story_records(light=True)] == [None, "a0", None]
        assert [r.signature for r in store.dedup_records()] == [b"sig"] * 3
    finally:
        store.close()


def test_startup_reads_share_one_string_per_article(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    ids = [f"https://example.sa/{n}/خبر-عاجل-عن-القمة" for n in range(3)]
    try:
        with store.transaction() as tx:
            for n, article_id in enumerate(ids):
                copy = (
                    {"edge_other": ids[0], "edge_type": "near", "edge_score": 0.9, "dup_of": ids[0]}
                    if n
                    else {}
                )
                tx.insert_article(_row(article_id, **copy))
                tx.update_article(article_id, {"cluster_id": 7, "phase": "core", "vector": b"v" * 4})
        story = list(store.story_records(light=True))
        dedup = list(store.dedup_records())
        assert [r.id for r in story] == ids
        assert all(s.id is d.id for s, d in zip(story, dedup, strict=True))
        assert all(r.duplicate_of is story[0].id for r in story[1:])
        assert all(r.edge is not None and r.edge.other_id is story[0].id for r in dedup[1:])
        assert story[1].phase is story[2].phase
    finally:
        store.close()
