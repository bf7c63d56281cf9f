"""Versioned schema migrations for the SQLite store. Append; never edit an applied step."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

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
    # 2: story views (service.cluster_store): per-story facts for listing, facet values, sort-key history.
    """
    CREATE TABLE story_facts (
        cluster_id INTEGER PRIMARY KEY,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        article_count INTEGER NOT NULL,
        duplicate_count INTEGER NOT NULL,
        first_published TEXT,
        last_published TEXT,
        facets TEXT NOT NULL,
        titles_norm TEXT NOT NULL DEFAULT '',
        keywords_norm TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX story_facts_updated ON story_facts(updated_at, cluster_id);
    CREATE INDEX story_facts_size ON story_facts(article_count, cluster_id);
    CREATE INDEX story_facts_created ON story_facts(created_at, cluster_id);
    CREATE TABLE story_facets (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        cluster_id INTEGER NOT NULL,
        PRIMARY KEY (kind, value, cluster_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_facets_cluster ON story_facets(cluster_id);
    CREATE TABLE story_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        cluster_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        prev_updated_at TEXT,
        prev_article_count INTEGER
    );
    CREATE INDEX story_history_cluster ON story_history(cluster_id, seq);
    CREATE INDEX story_history_at ON story_history(at);
    CREATE VIRTUAL TABLE story_search USING fts5(text, tokenize = 'trigram');
    """,
    # 3: covering indexes for the startup reads of the stages: scanning the table itself walks
    # every article body (over a second at 100k articles), the indexes are a few megabytes.
    """
    CREATE INDEX articles_story_keys ON articles(seq, id, published_ts, cluster_id, phase, dup_of)
        WHERE vector IS NOT NULL;
    CREATE INDEX articles_dedup_keys ON articles(
        seq, id, published_ts, content_hash, canonical_url, signature, edge_other, edge_type, edge_score
    );
    """,
    # 4: a covering index for the story facts (service.story_facts.compute_facts): their counts
    # and time spans are aggregated per story without reading article rows (bodies).
    """
    CREATE INDEX articles_story_facts ON articles(
        cluster_id, phase, source, language, published_at, dup_of, published_ts
    );
    """,
    # 5: the story stage reads each article's copy group from the duplicate stage's edge
    # (edge_other) rather than dup_of, which also names semantic duplicates; its covering index
    # for the startup read follows. Each article keeps the fragment vote it cast (small story,
    # large story), so a restart after a crash counts the votes cast since the last checkpoint.
    """
    ALTER TABLE articles ADD COLUMN vote_small INTEGER;
    ALTER TABLE articles ADD COLUMN vote_large INTEGER;
    DROP INDEX articles_story_keys;
    CREATE INDEX articles_story_groups ON articles(
        seq, id, published_ts, cluster_id, phase, edge_other, vote_small, vote_large
    ) WHERE vector IS NOT NULL;
    """,
]


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release of the service than this one."""


def known_version(conn: sqlite3.Connection) -> int:
    """The database's schema version; :class:`SchemaTooNew` when this code does not know it."""
    version = current_version(conn)
    if version > len(MIGRATIONS):
        raise SchemaTooNew(
            f"database schema version {version} is newer than this service ({len(MIGRATIONS)}); "
            "upgrade the service or use another STORYLINE_DATA_DIR"
        )
    return version


def check_database(path: Path) -> None:
    """Refuse (:class:`SchemaTooNew`) a database a newer release wrote, reading it only; a missing
    file passes (it is created at first use)."""
    if path.exists():
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            known_version(conn)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the database's ``user_version``; return the new version."""
    version = known_version(conn)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with conn:
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    return current_version(conn)
