"""Rows of the story detail view: members grouped under their originals, and the daily timeline."""

from __future__ import annotations

from collections import Counter
from typing import Any

Row = dict[str, Any]


def members_tree(rows: list[Row]) -> list[Row]:
    """Members in time order; a duplicate whose original is in the story goes under its ``copies``."""
    rows_by_id = {r["id"]: r for r in rows}
    by_id = {r["id"]: {**_member(r), "copies": []} for r in rows}
    top: list[Row] = []
    for row in rows:
        root = row["dup_of"]
        for _ in range(5):  # follow a chain of copies to its root within the story
            parent = rows_by_id.get(root)
            if parent is None or parent["dup_of"] not in rows_by_id:
                break
            root = parent["dup_of"]
        is_root = root in rows_by_id and rows_by_id[root]["dup_of"] not in rows_by_id
        if root != row["id"] and is_root:
            by_id[root]["copies"].append(by_id[row["id"]])
        else:
            top.append(by_id[row["id"]])
    return top


def _member(row: Row) -> Row:
    duplicate = None
    if row["dup_type"]:
        score = round(float(row["dup_score"] or 0), 4)
        duplicate = {"type": row["dup_type"], "of": row["dup_of"], "score": score}
    return {
        "id": row["id"],
        "title": row["title"],
        "source": row["source"],
        "url": row["url"],
        "published_at": row["published_at"],
        "phase": row["phase"],
        "duplicate": duplicate,
        "similarity": row["similarity"],
    }


def timeline(days: list[Row]) -> list[Row]:
    """Articles per UTC day and phase, from ``(day, phase, n)`` rows in day order."""
    out: dict[str, Counter[str]] = {}
    for row in days:
        out.setdefault(row["day"], Counter())[row["phase"]] += row["n"]
    return [{"day": d, "total": sum(c.values()), "phases": dict(c)} for d, c in out.items()]
