"""SQLite persistence (WAL): articles, duplicate outcomes, stories, merges and stage state.

All SQL lives here and in :mod:`service.migrations`, so another SQL backend can follow.
Writes go through one connection in explicit transactions; reads use one connection
per thread, which WAL lets run while a write is in progress.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from sys import intern
from typing import Any, cast

from service.documents import DuplicateType
from service.migrations import known_version, migrate
from service.stages import DedupRecord, DuplicateEdge, StoryRecord

Row = dict[str, Any]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def articles_by_id(conn: sqlite3.Connection, ids: Sequence[str], columns: str = "*") -> dict[str, Row]:
    """Rows of the given ids read through ``conn`` (rows as ``sqlite3.Row``); missing ids are left out."""
    found: dict[str, Row] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT {columns}, id FROM articles WHERE id IN ({marks})"
        for row in conn.execute(sql, chunk):
            found[row["id"]] = dict(row)
    return found


class Store:
    """The database of one data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: sqlite3.Connection | None = None
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    def open(self, upgrade: bool = True) -> Store:
        """Connect, and bring the schema up to date; ``upgrade=False`` (read-only tools) only checks
        that this code knows the schema. A newer one raises :class:`service.migrations.SchemaTooNew`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = _connect(self.path)
        try:
            migrate(self._writer) if upgrade else known_version(self._writer)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    @property
    def writer(self) -> sqlite3.Connection:
        if self._writer is None:
            raise RuntimeError("store is not open")
        return self._writer

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path)
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction: committed when the block ends, rolled back on error."""
        conn = self.writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Transaction(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- reads ---------------------------------------------------------------------------

    def article(self, article_id: str) -> Row | None:
        row = self.reader().execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return dict(row) if row else None

    def articles(self, ids: Sequence[str], columns: str = "*") -> dict[str, Row]:
        """Rows of the given ids (missing ids are left out)."""
        return articles_by_id(self.reader(), ids, columns)

    def bodies(self, ids: Sequence[str]) -> Mapping[str, str]:
        """Normalized bodies by id, for duplicate verification."""
        return {k: v["body_norm"] for k, v in self.articles(ids, "body_norm").items()}

    def count_articles(self) -> int:
        return int(self.reader().execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def count_clusters(self) -> int:
        sql = "SELECT COUNT(DISTINCT cluster_id) FROM articles WHERE cluster_id IS NOT NULL"
        return int(self.reader().execute(sql).fetchone()[0])

    def _tuples(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Rows as plain tuples (startup reads every article: ``sqlite3.Row`` costs a second at 100k).

        The startup readers intern the ids (and phase and copy-type names) they yield: the
        duplicate and story stages, copy edges and story members then share one string per
        article instead of each holding its own copy read from its own row (about 150 bytes
        per copy).
        """
        cursor = self.writer.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params)

    def dedup_records(self) -> Iterator[DedupRecord]:
        sql = (
            "SELECT id, published_ts, content_hash, canonical_url, signature, edge_other, edge_type,"
            " edge_score FROM articles ORDER BY seq"
        )
        for article_id, ts, content, url, signature, other, kind, score in self._tuples(sql):
            article_id = intern(article_id)
            edge = (
                DuplicateEdge(article_id, intern(other), cast(DuplicateType, intern(kind)), score)
                if other is not None
                else None
            )
            yield DedupRecord(article_id, ts, content, url, signature, edge)

    def vector_width(self) -> int | None:
        """Dimensions of the stored vectors (None before the first article)."""
        row = (
            self.reader()
            .execute("SELECT length(vector) FROM articles WHERE vector IS NOT NULL LIMIT 1")
            .fetchone()
        )
        return int(row[0]) // 4 if row and row[0] is not None else None  # float32

    def last_story_id(self) -> int:
        """The highest story id ever stored, merged-away stories included (0 when none)."""
        return int(self.reader().execute("SELECT COALESCE(MAX(id), 0) FROM clusters").fetchone()[0])

    def story_records(self, after_seq: int = 0, light: bool = False) -> Iterator[StoryRecord]:
        """Story stage records by seq (after ``after_seq``); ``light`` leaves out vector and features."""
        blobs = "X'' AS vector, NULL AS features" if light else "vector, features"
        sql = (
            f"SELECT id, seq, published_ts, cluster_id, phase, {blobs}, edge_other, vote_small, vote_large"
            " FROM articles"
            " WHERE vector IS NOT NULL AND seq > ? ORDER BY seq"
        )
        # the copy group as the duplicate stage has it (edge), not a semantic duplicate's dup_of
        for (
            article_id,
            seq,
            ts,
            cluster_id,
            phase,
            vector,
            features,
            group_original,
            small,
            large,
        ) in self._tuples(sql, (after_seq,)):
            yield StoryRecord(
                intern(article_id),
                seq,
                ts,
                cluster_id,
                phase and intern(phase),
                vector,
                features,
                group_original and intern(group_original),
                None if small is None else (small, large),
            )

    def survivor(self, cluster_id: int) -> int | None:
        """The live story an id answers for (following merges), or None when unknown."""
        conn = self.reader()
        seen: set[int] = set()
        current = cluster_id
        while current not in seen:
            seen.add(current)
            row = conn.execute("SELECT merged_into FROM clusters WHERE id = ?", (current,)).fetchone()
            if row is None:
                return None
            if row["merged_into"] is None:
                return current
            current = int(row["merged_into"])
        return None

    def get_state(self, key: str) -> bytes | None:
        row = self.writer.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return bytes(row["value"]) if row and row["value"] is not None else None


class Transaction:
    """Write operations inside one transaction (see :meth:`Store.transaction`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert_article(self, values: Mapping[str, Any]) -> int:
        """Insert an article row; returns its ``seq`` (the FAISS id)."""
        cols = ",".join(values)
        marks = ",".join("?" * len(values))
        cursor = self.conn.execute(f"INSERT INTO articles ({cols}) VALUES ({marks})", list(values.values()))
        return int(cursor.lastrowid or 0)

    def update_article(self, article_id: str, values: Mapping[str, Any]) -> None:
        sets = ",".join(f"{k} = ?" for k in values)
        self.conn.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*values.values(), article_id])

    def delete_article(self, article_id: str) -> None:
        self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    def clear_semantic_links(self, article_id: str) -> set[int]:
        """Clear the ``semantic`` duplicate status of the articles that name ``article_id`` (being
        removed: the duplicate stage re-points only its own groups); returns their stories."""
        rows = self.conn.execute(
            "UPDATE articles SET dup_type = NULL, dup_of = NULL, dup_score = NULL"
            " WHERE dup_of = ? AND dup_type = 'semantic' RETURNING cluster_id",
            (article_id,),
        ).fetchall()
        return {int(row[0]) for row in rows if row[0] is not None}

    def touch_cluster(self, cluster_id: int, now: str) -> None:
        """Create the story row if new, mark it changed (its summary is recomputed on read)."""
        self.conn.execute(
            "INSERT INTO clusters (id, created_at, updated_at, content_version) VALUES (?, ?, ?, 1)"
            " ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at,"
            " content_version = content_version + 1",
            (cluster_id, now, now),
        )

    def merge_clusters(self, absorbed: int, survivor: int, now: str, by_article: str | None) -> None:
        """Move every article of ``absorbed`` to ``survivor`` and record the redirect."""
        self.conn.execute("UPDATE articles SET cluster_id = ? WHERE cluster_id = ?", (survivor, absorbed))
        self.conn.execute("UPDATE clusters SET merged_into = ? WHERE id = ?", (survivor, absorbed))
        self.conn.execute("UPDATE clusters SET merged_into = ? WHERE merged_into = ?", (survivor, absorbed))
        self.conn.execute(
            "INSERT OR REPLACE INTO cluster_merges (absorbed, survivor, merged_at, by_article)"
            " VALUES (?, ?, ?, ?)",
            (absorbed, survivor, now, by_article),
        )
        self.touch_cluster(survivor, now)

    def put_state(self, key: str, value: bytes) -> None:
        self.conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))
