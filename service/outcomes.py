"""Stored article rows turned into API outcomes (what /ingest and /articles answer)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from service.schemas import ArticleBrief, ArticleOut, DuplicateOut, IngestResult

Row = dict[str, Any]
Resolver = Callable[[int], int | None]


def duplicate_out(row: Row) -> DuplicateOut | None:
    """The stored duplicate status of an article row."""
    if not row.get("dup_type"):
        return None
    return DuplicateOut(type=row["dup_type"], of=row["dup_of"], score=round(float(row["dup_score"] or 0), 4))


def _cluster(row: Row, resolve: Resolver) -> int | None:
    """The live story of an article (a merged-away id answers with its survivor)."""
    cluster_id = row.get("cluster_id")
    if cluster_id is None:
        return None
    return resolve(int(cluster_id)) or int(cluster_id)


def result_from_row(row: Row, resolve: Resolver) -> IngestResult:
    """The answer to re-posting an article that is already stored."""
    return IngestResult(
        id=row["id"],
        status="exists",
        cluster_id=_cluster(row, resolve),
        phase=row.get("phase"),
        duplicate=duplicate_out(row),
        new_story=False,
    )


def article_out(row: Row, resolve: Resolver) -> ArticleOut:
    """A stored article with its current outcome."""
    return ArticleOut(
        id=row["id"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        body=row["body"],
        language=row["language"],
        published_at=datetime.fromisoformat(row["published_at"]),
        received_at=datetime.fromisoformat(row["received_at"]),
        cluster_id=_cluster(row, resolve),
        phase=row.get("phase"),
        duplicate=duplicate_out(row),
        similarity=row.get("similarity"),
    )


def article_brief(row: Row) -> ArticleBrief:
    """A short reference to a stored article."""
    return ArticleBrief(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        url=row["url"],
        published_at=datetime.fromisoformat(row["published_at"]),
        duplicate=duplicate_out(row),
    )
