"""SQL of the story views: listing and reads of the cached story facts, summaries, sort-key history.

``story_facts`` holds what listing filters and sorts on (kept exact by the commit
listener through :mod:`service.story_facts`), ``story_facets`` the source/language/phase
values for indexed filters, and ``story_history`` the sort keys each story had before every
change, so a paginated walk can see every story with the keys it had when the walk began
(see :func:`page`).
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.story_db import read_snapshot, write
from service.story_facts import compute_facts, index_text

Row = dict[str, Any]
SORT_COLUMNS = {"updated": "updated_at", "size": "article_count", "created": "created_at"}
_MEMBER_COLUMNS = (
    "id, title, source, url, published_at, published_ts, phase, dup_type, dup_of, dup_score, similarity"
)
_STORY_COLUMNS = "id, title, body, body_norm, source, url, published_at, published_ts, dup_of, vector"
_LIGHT_COLUMNS = "id, source, url, published_at, published_ts, dup_of, vector"
_NO_TEXT: Row = {"title": None, "body": "", "body_norm": ""}


# -- history (pruned by the refresher) ------------------------------------------------


def prune_history(conn: sqlite3.Connection, before: str) -> None:
    """Forget sort keys older than any cursor still accepted."""
    with write(conn):
        conn.execute("DELETE FROM story_history WHERE at < ?", (before,))


# -- summaries (written by the refresher) -------------------------------------------------


def stale_summary_ids(conn: sqlite3.Connection) -> list[int]:
    sql = (
        "SELECT c.id FROM clusters c JOIN story_facts f ON f.cluster_id = c.id"
        " WHERE c.summary IS NULL OR c.summary_version < c.content_version ORDER BY c.updated_at DESC"
    )
    return [int(row[0]) for row in conn.execute(sql)]


def summary_due(
    conn: sqlite3.Connection, cluster_id: int, due: Callable[[int | None, int, float], bool]
) -> bool:
    """Whether a story's stale summary should be recomputed: ``due(size summarized, size now,
    age in seconds)``; always when it has none or no facts (e.g. merged away), or when it names
    an article that was deleted or left the story (its representative or a sentence's source:
    a big story is otherwise re-summarized only once its size moved by a share)."""
    sql = (
        "SELECT c.summary IS NULL AS missing, json_extract(c.summary, '$.size') AS size,"
        " json_extract(c.summary, '$.at') AS at, f.article_count, EXISTS ("
        "  SELECT 1 FROM (SELECT json_extract(c.summary, '$.representative.id') AS id WHERE id IS NOT NULL"
        "   UNION ALL SELECT json_extract(value, '$.article_id') FROM json_each(c.summary, '$.summary')) r"
        "  WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = r.id AND a.cluster_id = c.id)"
        " ) AS names_gone"
        " FROM clusters c JOIN story_facts f ON f.cluster_id = c.id WHERE c.id = ?"
    )
    row = conn.execute(sql, (cluster_id,)).fetchone()
    if row is None or row["missing"] or row["names_gone"]:
        return True
    return due(row["size"], int(row["article_count"]), time.time() - (row["at"] or 0.0))


def recent_texts(conn: sqlite3.Connection, limit: int) -> list[tuple[str, str]]:
    """(id, normalized body) of the latest stored articles: the sample keyword IDF starts from."""
    sql = "SELECT id, body_norm FROM articles ORDER BY seq DESC LIMIT ?"
    return [(row[0], row[1]) for row in conn.execute(sql, (limit,))]


def story_articles(
    conn: sqlite3.Connection, cluster_id: int, select: Callable[[list[Row]], list[int] | None] | None = None
) -> tuple[int, list[Row]]:
    """(content_version, articles) of a story, read in one snapshot.

    With ``select``, the rows are first read without their texts; ``select`` picks the
    indexes of the rows whose ``title``, ``body`` and ``body_norm`` are then read (None:
    all). The others come with ``title`` None and empty bodies.
    """
    with read_snapshot(conn):
        head = conn.execute("SELECT content_version FROM clusters WHERE id = ?", (cluster_id,)).fetchone()
        order = "FROM articles WHERE cluster_id = ? ORDER BY published_ts, seq"
        rows = None
        if select is not None:
            light = [dict(r) for r in conn.execute(f"SELECT {_LIGHT_COLUMNS} {order}", (cluster_id,))]
            needed = select(light)
            if needed is not None:
                texts = _texts(conn, [light[i]["id"] for i in needed])
                rows = [{**r, **texts.get(r["id"], _NO_TEXT)} for r in light]
        if rows is None:
            rows = [dict(r) for r in conn.execute(f"SELECT {_STORY_COLUMNS} {order}", (cluster_id,))]
    return (int(head[0]) if head else 0), rows


def _texts(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Row]:
    """Title and bodies of these articles by id."""
    found: dict[str, Row] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = f"SELECT id, title, body, body_norm FROM articles WHERE id IN ({','.join('?' * len(chunk))})"
        found.update((r["id"], dict(r)) for r in conn.execute(sql, chunk))
    return found


def save_summary(conn: sqlite3.Connection, cluster_id: int, version: int, summary: Row, search: str) -> None:
    """Store a summary computed for ``version``, unless a newer one is already stored."""
    with write(conn):
        text = json.dumps(summary, ensure_ascii=False)
        cursor = conn.execute(
            "UPDATE clusters SET summary = ?, summary_version = ? WHERE id = ?"
            " AND (summary IS NULL OR summary_version <= ?)",
            (text, version, cluster_id, version),
        )
        if cursor.rowcount:
            sql = "UPDATE story_facts SET keywords_norm = ? WHERE cluster_id = ?"
            conn.execute(sql, (search, cluster_id))
            index_text(conn, cluster_id)


# -- reads ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryFilter:
    """Listing filters, values already validated (``q`` and ``source`` in matching form)."""

    since: str | None = None
    until: str | None = None
    min_size: int | None = None
    source: str | None = None
    language: str | None = None
    q: str | None = None
    phase: str | None = None
    published_since: str | None = None
    published_until: str | None = None


def _timestamp(iso: str | None, default: float) -> float:
    return default if iso is None else datetime.fromisoformat(iso).timestamp()


def _where(flt: StoryFilter, updated: str, size: str) -> tuple[list[str], list[Any]]:
    """SQL conditions of a filter; ``updated``/``size`` name the (possibly frozen) key expressions."""
    where: list[str] = []
    params: list[Any] = []
    bounds = (
        (flt.since, f"{updated} >= ?"),
        (flt.until, f"{updated} <= ?"),
        (flt.min_size, f"{size} >= ?"),
    )
    for value, sql in bounds:
        if value is not None:
            where.append(sql)
            params.append(value)
    if flt.published_since is not None or flt.published_until is not None:
        # an article published in the range (a story's span can straddle a range it has none in)
        where.append(
            "EXISTS (SELECT 1 FROM articles a"
            " WHERE a.cluster_id = f.cluster_id AND a.published_ts BETWEEN ? AND ?)"
        )
        params += [_timestamp(flt.published_since, -math.inf), _timestamp(flt.published_until, math.inf)]
    for kind in ("source", "language", "phase"):
        value = getattr(flt, kind)
        if value is not None:
            where.append(
                "EXISTS (SELECT 1 FROM story_facets x WHERE x.kind = ? AND x.value = ?"
                " AND x.cluster_id = f.cluster_id)"
            )
            params += [kind, value]
    if flt.q:
        where.append("f.cluster_id IN (SELECT rowid FROM story_search WHERE text LIKE ?)")
        params.append(f"%{flt.q}%")
    return where, params


_SELECT = "SELECT f.*, c.summary, c.summary_version, c.content_version"
_JOIN = "JOIN clusters c ON c.id = f.cluster_id"
# The key a story changed since the snapshot had at the snapshot (created_at never changes).
_FROZEN = {"updated": "h.prev_updated_at", "size": "h.prev_article_count", "created": "f.created_at"}


def page(
    conn: sqlite3.Connection,
    flt: StoryFilter,
    sort: str,
    limit: int,
    snapshot: int | None,
    after: tuple[Any, int] | None,
) -> tuple[list[Row], int]:
    """One page of live stories, newest/biggest first, and the walk's snapshot (history seq).

    Without a snapshot (first page) the current keys are used and the snapshot is taken in
    the same read. With one, a story changed since keeps the sort key it had at the
    snapshot (the ``prev_*`` of its first later change) and stories created after it are
    left out: each story existing at the first page is listed exactly once per walk.
    """
    column = SORT_COLUMNS[sort]
    with read_snapshot(conn):
        if snapshot is None:
            snapshot = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM story_history").fetchone()[0])
        unchanged, params = _where(flt, "f.updated_at", "f.article_count")
        unchanged.append(
            "NOT EXISTS (SELECT 1 FROM story_history h WHERE h.cluster_id = f.cluster_id AND h.seq > ?)"
        )
        params.append(snapshot)
        source = f"{_SELECT}, f.{column} AS sort_key FROM story_facts f {_JOIN}"
        rows = _keyed(conn, source, unchanged, params, after, limit)
        frozen = _FROZEN[sort]
        changed, params = _where(flt, "h.prev_updated_at", "h.prev_article_count")
        changed.append("h.prev_updated_at IS NOT NULL")
        source = (
            f"{_SELECT}, {frozen} AS sort_key FROM (SELECT cluster_id, MIN(seq) AS seq"
            " FROM story_history WHERE seq > ? GROUP BY cluster_id) m"
            " JOIN story_history h ON h.seq = m.seq"
            f" JOIN story_facts f ON f.cluster_id = m.cluster_id {_JOIN}"
        )
        rows += _keyed(conn, source, changed, params, after, limit, [snapshot])
    rows.sort(key=lambda r: (r["sort_key"], r["cluster_id"]), reverse=True)
    return rows[:limit], snapshot


def _keyed(
    conn: sqlite3.Connection,
    source: str,
    where: list[str],
    params: list[Any],
    after: tuple[Any, int] | None,
    limit: int,
    leading: list[Any] | None = None,
) -> list[Row]:
    if after is not None:
        where = [*where, "(sort_key, f.cluster_id) < (?, ?)"]
        params = [*params, after[0], after[1]]
    sql = f"{source} WHERE {' AND '.join(where) or '1'} ORDER BY sort_key DESC, f.cluster_id DESC LIMIT ?"
    return [dict(r) for r in conn.execute(sql, [*(leading or []), *params, limit])]


def story(
    conn: sqlite3.Connection, cluster_id: int, limit: int, after: tuple[float, int] | None = None
) -> tuple[Row, list[Row], list[Row]] | None:
    """(facts + cached summary, up to ``limit`` members in time order after the key ``after``,
    articles per day and phase) of a live story, read in one snapshot. Members carry their
    ``seq`` (with ``published_ts``, the key of the next page)."""
    with read_snapshot(conn):
        sql = f"{_SELECT} FROM story_facts f {_JOIN} WHERE f.cluster_id = ?"
        found = conn.execute(sql, (cluster_id,)).fetchone()
        head = dict(found) if found else _unlisted(conn, cluster_id)
        if head is None:
            return None
        keyset = " AND (published_ts, seq) > (?, ?)" if after is not None else ""
        members = conn.execute(
            f"SELECT {_MEMBER_COLUMNS}, seq FROM articles WHERE cluster_id = ?{keyset}"
            " ORDER BY published_ts, seq LIMIT ?",
            (cluster_id, *(after or ()), limit),
        ).fetchall()
        days = conn.execute(
            "SELECT substr(published_at, 1, 10) AS day, COALESCE(phase, 'core') AS phase, COUNT(*) AS n"
            " FROM articles WHERE cluster_id = ? GROUP BY day, phase ORDER BY day",
            (cluster_id,),
        ).fetchall()
    return head, [dict(m) for m in members], [dict(d) for d in days]


def _unlisted(conn: sqlite3.Connection, cluster_id: int) -> Row | None:
    """Facts computed on the spot for a live story whose stored facts are not written yet."""
    facts = compute_facts(conn, cluster_id)
    if facts is None:
        return None
    cached = conn.execute(
        "SELECT summary, summary_version, content_version FROM clusters WHERE id = ?", (cluster_id,)
    ).fetchone()
    return {**facts, **dict(cached)}
