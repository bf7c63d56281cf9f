"""Versioned schema migrations for the SQLite store. Append; never edit an applied step."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: articles, their duplicate and story outcome, stories, merges, stage state.
    """
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        url TEXT,
        canonical_url TEXT,
        source TEXT NOT NULL,
        title TEXT,
        body TEXT NOT NULL,
        language TEXT NOT NULL,
        published_at TEXT NOT NULL,
        published_ts REAL NOT NULL,
        received_at TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        title_norm TEXT NOT NULL,
        body_norm TEXT NOT NULL,
        signature BLOB,
        edge_other TEXT,
        edge_type TEXT,
        edge_score REAL,
        dup_type TEXT,
        dup_of TEXT,
        dup_score REAL,
        cluster_id INTEGER,
        phase TEXT,
        similarity REAL,
        vector BLOB,
        features BLOB
    );
    CREATE INDEX articles_cluster ON articles(cluster_id, published_ts);
    CREATE INDEX articles_dup_of ON articles(dup_of);
    CREATE INDEX articles_published ON articles(published_ts);
    CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        merged_into INTEGER,
        summary TEXT,
        summary_version INTEGER NOT NULL DEFAULT 0,
        content_version INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX clusters_updated ON clusters(updated_at, id);
    CREATE TABLE cluster_merges (
        absorbed INTEGER PRIMARY KEY,
        survivor INTEGER NOT NULL,
        merged_at TEXT NOT NULL,
        by_article TEXT
    );
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value BLOB
    );
    """,
]


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database's ``user_version``; return the new version."""
    version = current_version(conn)
    if version > len(MIGRATIONS):
        raise RuntimeError(
            f"database schema version {version} is newer than this service ({len(MIGRATIONS)}); "
            "upgrade the service or use another STORYLINE_DATA_DIR"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with conn:
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return current_version(conn)
