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
