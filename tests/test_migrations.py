"""Schema migrations: a fresh store, upgrades of databases left at every older version, no-op
reopens, refusal of a newer schema, and all-or-nothing steps."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import migrations
from service.app import create_app
from service.config import Settings
from service.migrations import MIGRATIONS, current_version, migrate
from service.pipeline import Pipeline
from service.schemas import ArticleIn
from service.store import Store

LATEST = len(MIGRATIONS)
OLD_VERSIONS = list(range(1, LATEST))  # every version a database can be left at short of the latest
_CREATE = re.compile(r"CREATE\s+(?:VIRTUAL\s+)?(TABLE|INDEX)\s+(\w+)", re.IGNORECASE)
_DROP = re.compile(r"DROP\s+(TABLE|INDEX)\s+(\w+)", re.IGNORECASE)
_ADD = re.compile(r"ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)", re.IGNORECASE)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _created(scripts: list[str]) -> dict[str, str]:
    """Name -> kind (``table`` / ``index``) of every object the migration scripts leave created."""
    found: dict[str, str] = {}
    for script in scripts:
        for statement in _statements(script):
            if created := _CREATE.match(statement):
                kind, name = created.groups()
                assert name not in found, f"{name} is created by two migrations"
                found[name] = kind.lower()
            elif dropped := _DROP.match(statement):
                found.pop(dropped.group(2), None)  # created by an earlier script than these
    return found


def _schema(path: Path) -> dict[str, str]:
    """Name -> SQL of the named tables and indexes in the database (FTS shadow tables left out)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, type, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL"
        ).fetchall()
    finally:
        conn.close()
    virtual = {name for name, _, sql in rows if sql.upper().startswith("CREATE VIRTUAL TABLE")}
    return {name: sql for name, _, sql in rows if not any(name.startswith(f"{v}_") for v in virtual)}


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return current_version(conn)
    finally:
        conn.close()


def _dump(path: Path, tables: list[str], like: Any = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given tables, in a fixed order (``story_facets`` has no rowid); with
    ``like`` (an earlier dump's columns), only those columns: a migration may add some."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for t in tables:
            cursor = conn.execute(f"SELECT * FROM {t}")
            names = [d[0] for d in cursor.description]
            keep = [names.index(c) for c in (like[t] if like else names)]
            out[t] = sorted((tuple(row[i] for i in keep) for row in cursor.fetchall()), key=repr)
        return out
    finally:
        conn.close()


def _columns(path: Path, tables: list[str]) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        return {t: [d[0] for d in conn.execute(f"SELECT * FROM {t} LIMIT 0").description] for t in tables}
    finally:
        conn.close()


def _old_database(path: Path, version: int) -> list[str]:
    """A database built by hand at ``version`` (its first migrations only) holding rows valid then;
    returns the tables that hold rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:version], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    at = "2023-09-12T09:00:00+00:00"
    article = (
        "INSERT INTO articles (id, source, body, language, published_at, published_ts, received_at,"
        " content_hash, title_norm, body_norm, cluster_id, phase, dup_type, dup_of, dup_score)"
        " VALUES (?, 'wire', ?, 'en', ?, 1694509200.0, ?, ?, '', ?, 1, 'arrival', ?, ?, ?)"
    )
    conn.execute(article, ("a1", "Kim arrives.", at, at, "h1", "kim arrives", None, None, None))
    conn.execute(article, ("a2", "Kim arrives!", at, at, "h2", "kim arrives", "near", "a1", 0.9))
    conn.execute(
        "INSERT INTO clusters (id, created_at, updated_at, content_version) VALUES (1, ?, ?, 3)", (at, at)
    )
    conn.execute(
        "INSERT INTO clusters (id, created_at, updated_at, merged_into) VALUES (2, ?, ?, 1)", (at, at)
    )
    conn.execute("INSERT INTO cluster_merges VALUES (2, 1, ?, 'a2')", (at,))
    conn.execute("INSERT INTO state VALUES ('note', x'00ff')")
    tables = ["articles", "clusters", "cluster_merges", "state"]
    if version >= 2:
        conn.execute(
            "INSERT INTO story_facts (cluster_id, version, created_at, updated_at, article_count,"
            " duplicate_count, facets) VALUES (1, 3, ?, ?, 2, 1, '{}')",
            (at, at),
        )
        conn.execute("INSERT INTO story_facets VALUES ('source', 'wire', 1)")
        conn.execute("INSERT INTO story_history (cluster_id, at, prev_article_count) VALUES (1, ?, 1)", (at,))
        conn.execute("INSERT INTO story_search (rowid, text) VALUES (1, 'kim arrives')")
        tables += ["story_facts", "story_facets", "story_history", "story_search"]
    conn.close()
    return tables


def _member_ids(members: list[dict[str, Any]]) -> set[str]:
    """Ids of a story's listed members, copies listed under their original included."""
    return {m["id"] for m in members} | {i for m in members for i in _member_ids(m["copies"])}


def _downgrade(path: Path, version: int) -> None:
    """Take a current database back to ``version``: undo the later migrations, newest first (a
    created object is dropped, a dropped one created again as its migration had it)."""
    conn = sqlite3.connect(path, isolation_level=None)
    for number in range(LATEST, version, -1):
        for statement in reversed(_statements(MIGRATIONS[number - 1])):
            if created := _CREATE.match(statement):
                conn.execute(f"DROP {created.group(1).upper()} {created.group(2)}")
            elif dropped := _DROP.match(statement):
                earlier = [
                    s
                    for script in MIGRATIONS[: number - 1]
                    for s in _statements(script)
                    if (c := _CREATE.match(s)) and c.group(2) == dropped.group(2)
                ]
                conn.execute(earlier[-1])
            elif added := _ADD.match(statement):
                conn.execute(f"ALTER TABLE {added.group(1)} DROP COLUMN {added.group(2)}")
            else:
                raise AssertionError(
                    f"a migration does more than CREATE and DROP: update _downgrade ({statement})"
                )
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def test_a_fresh_store_ends_at_the_latest_version_with_every_migration_applied(tmp_path: Path) -> None:
    """A new database gets exactly the tables and indexes the migrations create, and the last version."""
    path = tmp_path / "db.sqlite3"
    Store(path).open().close()
    assert _version(path) == LATEST
    assert set(_schema(path)) == set(_created(MIGRATIONS))


def test_each_migration_runs_once_in_order_and_a_migrated_database_runs_none(tmp_path: Path) -> None:
    """The version is stamped once per step, 1 to the latest; a second pass executes no step."""
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    assert migrate(conn) == LATEST
    stamps = [int(m) for s in statements for m in re.findall(r"PRAGMA user_version = (\d+)", s)]
    assert stamps == list(range(1, LATEST + 1))
    statements.clear()
    assert migrate(conn) == LATEST
    assert statements and not [s for s in statements if "CREATE" in s or "user_version =" in s]
    conn.close()


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_an_old_database_is_upgraded_on_open_and_keeps_its_rows(tmp_path: Path, version: int) -> None:
    """A database left at an older version reaches the latest on open, rows untouched and readable."""
    path = tmp_path / "db.sqlite3"
    tables = _old_database(path, version)
    columns = _columns(path, tables)
    before = _dump(path, tables)
    assert _version(path) == version
    assert not set(_created(MIGRATIONS[version:])) & set(_schema(path))

    store = Store(path).open()
    try:
        assert current_version(store.writer) == LATEST
        assert store.count_articles() == 2 and store.count_clusters() == 1
        row = store.article("a2")
        assert row is not None and (row["dup_of"], row["cluster_id"], row["phase"]) == ("a1", 1, "arrival")
        assert store.survivor(2) == 1 and store.get_state("note") == b"\x00\xff"
        assert (
            store.writer.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        )  # new indexes hold the rows
    finally:
        store.close()
    assert _dump(path, tables, like=columns) == before  # every old column of every row kept
    assert set(_schema(path)) == set(_created(MIGRATIONS))


@pytest.mark.parametrize("version", [*OLD_VERSIONS, LATEST])
def test_opening_again_changes_nothing(tmp_path: Path, version: int) -> None:
    """A second open of an upgraded (or current) database: same version, schema and rows."""
    path = tmp_path / "db.sqlite3"
    tables = _old_database(path, version)
    Store(path).open().close()
    schema, rows = _schema(path), _dump(path, tables)
    Store(path).open().close()
    assert _version(path) == LATEST
    assert _schema(path) == schema
    assert _dump(path, tables) == rows


def test_a_newer_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """A schema from a later release is not touched: version, schema and rows stay."""
    path = tmp_path / "db.sqlite3"
    tables = _old_database(path, LATEST)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    schema, rows = _schema(path), _dump(path, tables)
    store = Store(path)
    with pytest.raises(RuntimeError, match=rf"version {LATEST + 1} is newer than this service \({LATEST}\)"):
        store.open()
    store.close()
    assert _version(path) == LATEST + 1
    assert _schema(path) == schema and _dump(path, tables) == rows


def test_a_failing_migration_leaves_the_database_at_its_last_good_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that fails half-way is rolled back whole; a fixed release then upgrades normally."""
    path = tmp_path / "db.sqlite3"
    tables = _old_database(path, LATEST)
    rows = _dump(path, tables)
    broken = "CREATE TABLE half_done (x INTEGER); CREATE TABLE articles (x INTEGER);"
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, broken])
    store = Store(path)
    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        store.open()
    store.close()
    assert _version(path) == LATEST
    assert "half_done" not in _schema(path) and _dump(path, tables) == rows
    fixed = "CREATE TABLE half_done (x INTEGER);"
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, fixed])
    Store(path).open().close()
    assert _version(path) == LATEST + 1 and "half_done" in _schema(path)


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_a_data_directory_from_an_older_release_serves_its_stories(
    settings: Settings, seeds: list[dict[str, Any]], version: int
) -> None:
    """Seeds ingested, the database taken back to an older version, then served: the app upgrades
    it and answers the same articles, stories and story members (facts rebuilt when missing)."""
    with Pipeline.open(settings) as pipeline:
        results = pipeline.ingest([ArticleIn.model_validate(a) for a in seeds])
    stories: dict[int, set[str]] = {}
    for result in results:
        assert result.cluster_id is not None
        stories.setdefault(result.cluster_id, set()).add(result.id)
    _downgrade(settings.database_path, version)
    assert _version(settings.database_path) == version

    with TestClient(create_app(settings)) as client:
        health = client.get("/health").json()
        assert (health["articles"], health["clusters"]) == (len(seeds), len(stories))
        for cluster_id, members in stories.items():
            detail = client.get(f"/clusters/{cluster_id}")
            assert detail.status_code == 200, detail.text
            assert _member_ids(detail.json()["members"]) == members
        for result in results:
            assert client.get(f"/articles/{result.id}").json()["cluster_id"] == result.cluster_id
    assert _version(settings.database_path) == LATEST
    assert set(_schema(settings.database_path)) == set(_created(MIGRATIONS))
