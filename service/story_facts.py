"""Story facts: what the /clusters listing filters and sorts on, cached per story in SQL.

A story's facts are its article and duplicate counts, first and last publication, the
sources, languages and phases with their counts, and its leading titles for the ``q``
search. The commit listener recomputes them for every story a commit touched, so filters
are exact once an ingest returns; they are SQL aggregates over a covering index
(migration 4) because that reads no article row, which keeps a big story's refresh cheap.
Each change of a story's sort keys is logged in ``story_history`` for the paginated walk.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import Any

from service.story_db import write
from service.text import normalize

Row = dict[str, Any]
PHASE_ORDER = ("pre", "arrival", "core", "aftermath")
TITLES_CHARS = 2000  # leading titles kept for the ``q`` search
_GROUPS_SQL = (
    "SELECT phase, source, language, COUNT(*) AS n, SUM(dup_of IS NOT NULL) AS dups,"
    " MIN(published_at) AS first, MAX(published_at) AS last, MIN(published_ts) AS seen"
    " FROM articles WHERE cluster_id = ? GROUP BY phase, source, language"
)


def compute_facts(conn: sqlite3.Connection, cluster_id: int) -> Row | None:
    """Exact facts of a live story from its articles; None when merged away, empty or unknown.

    Counts and time spans are SQL aggregates over a covering index (no article row is read);
    only the first titles, in time order, come from the rows themselves.
    """
    sql = "SELECT created_at, updated_at, merged_into, content_version FROM clusters WHERE id = ?"
    head = conn.execute(sql, (cluster_id,)).fetchone()
    if head is None or head["merged_into"] is not None:
        return None
    groups = conn.execute(_GROUPS_SQL, (cluster_id,)).fetchall()
    if not groups:
        return None
    phases: dict[str, Row] = {}
    sources: Counter[str] = Counter()
    languages: dict[str, list[float]] = {}  # count and first publication time, for the order
    for row in sorted(groups, key=lambda r: r["seen"]):
        span = phases.setdefault(row["phase"] or "core", {"count": 0, "first": None, "last": None})
        span["count"] += row["n"]
        span["first"] = min(filter(None, (span["first"], row["first"])))
        span["last"] = max(filter(None, (span["last"], row["last"])))
        sources[row["source"]] += row["n"]
        seen = languages.setdefault(row["language"], [0, row["seen"]])
        seen[0] += row["n"]
    facets = {
        "sources": [{"source": s, "count": n} for s, n in sorted(sources.items(), key=_by_count)],
        "languages": sorted(languages, key=lambda lang: (-languages[lang][0], languages[lang][1])),
        "phases": [{"phase": p, **phases[p]} for p in sorted(phases, key=_phase_rank)],
    }
    return {
        "cluster_id": cluster_id,
        "version": head["content_version"],
        "created_at": head["created_at"],
        "updated_at": head["updated_at"],
        "article_count": sum(row["n"] for row in groups),
        "duplicate_count": sum(row["dups"] for row in groups),
        "first_published": min(row["first"] for row in groups),
        "last_published": max(row["last"] for row in groups),
        "facets": json.dumps(facets, ensure_ascii=False),
        "titles_norm": _titles(conn, cluster_id),
        "facet_values": [
            *(("source", normalize(s)) for s in sources),
            *(("language", lang) for lang in languages),
            *(("phase", p) for p in phases),
        ],
    }


def _titles(conn: sqlite3.Connection, cluster_id: int) -> str:
    """The story's distinct titles in time order, joined and cut to ``TITLES_CHARS``."""
    sql = "SELECT title_norm FROM articles WHERE cluster_id = ? ORDER BY published_ts, seq"
    titles: dict[str, None] = {}
    length = 0
    for (title,) in conn.execute(sql, (cluster_id,)):
        if title and title not in titles:
            titles[title] = None
            length += len(title) + 1
            if length > TITLES_CHARS:
                break
    return " ".join(titles)[:TITLES_CHARS]


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    """Sort key of a (source, count): most articles first, then by name, so the order is stable."""
    return -item[1], item[0]


def _phase_rank(phase: str) -> int:
    """Sort key of a phase: story order (``PHASE_ORDER``), unknown phases last."""
    return PHASE_ORDER.index(phase) if phase in PHASE_ORDER else len(PHASE_ORDER)


def refresh_facts(conn: sqlite3.Connection, cluster_ids: Iterable[int], now: str) -> None:
    """Recompute the facts of these stories in one write transaction, logging changed sort keys."""
    with write(conn):
        for cluster_id in cluster_ids:
            facts = compute_facts(conn, cluster_id)
            old = conn.execute(
                "SELECT updated_at, article_count, titles_norm FROM story_facts WHERE cluster_id = ?",
                (cluster_id,),
            ).fetchone()
            if facts is None:
                conn.execute("DELETE FROM story_facts WHERE cluster_id = ?", (cluster_id,))
                conn.execute("DELETE FROM story_facets WHERE cluster_id = ?", (cluster_id,))
                conn.execute("DELETE FROM story_search WHERE rowid = ?", (cluster_id,))
                continue
            keys = (facts["updated_at"], facts["article_count"])
            if old is None or (old["updated_at"], old["article_count"]) != keys:
                prev = (old["updated_at"], old["article_count"]) if old else (None, None)
                conn.execute(
                    "INSERT INTO story_history (cluster_id, at, prev_updated_at, prev_article_count)"
                    " VALUES (?,?,?,?)",
                    (cluster_id, now, *prev),
                )
            values = {k: v for k, v in facts.items() if k != "facet_values"}
            cols = ",".join(values)
            updates = ",".join(f"{k} = excluded.{k}" for k in values if k != "cluster_id")
            conn.execute(
                f"INSERT INTO story_facts ({cols}) VALUES ({','.join('?' * len(values))})"
                f" ON CONFLICT(cluster_id) DO UPDATE SET {updates}",
                list(values.values()),
            )
            conn.execute("DELETE FROM story_facets WHERE cluster_id = ?", (cluster_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO story_facets (kind, value, cluster_id) VALUES (?,?,?)",
                [(kind, value, cluster_id) for kind, value in facts["facet_values"]],
            )
            if old is None or old["titles_norm"] != facts["titles_norm"]:  # else the indexed text stands
                index_text(conn, cluster_id)


def index_text(conn: sqlite3.Connection, cluster_id: int) -> None:
    """Refresh the story's row of the trigram index ``q`` searches (titles and keywords)."""
    conn.execute("DELETE FROM story_search WHERE rowid = ?", (cluster_id,))
    conn.execute(
        "INSERT INTO story_search (rowid, text) SELECT cluster_id,"
        " titles_norm || ' ' || keywords_norm FROM story_facts WHERE cluster_id = ?",
        (cluster_id,),
    )


def story_count(conn: sqlite3.Connection) -> int:
    """Live stories: one facts row each. Current wherever the views refresh facts on commit
    (the server); counting distinct stories over the articles instead reads a whole index."""
    return int(conn.execute("SELECT COUNT(*) FROM story_facts").fetchone()[0])


def stale_fact_ids(conn: sqlite3.Connection) -> list[int]:
    """Stories whose facts lag their content (e.g. ingested by the CLI, or a crash after commit)."""
    sql = (
        "SELECT c.id FROM clusters c LEFT JOIN story_facts f ON f.cluster_id = c.id"
        " WHERE (c.merged_into IS NULL AND (f.version IS NULL OR f.version <> c.content_version))"
        " OR (c.merged_into IS NOT NULL AND f.cluster_id IS NOT NULL)"
    )
    return [int(row[0]) for row in conn.execute(sql)]
