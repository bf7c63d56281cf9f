"""API outcomes (what /ingest and /articles answer): from stored article rows, and a batch's
answers kept up to date with what its later articles changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from service.documents import DuplicateMatch
from service.schemas import ArticleBrief, ArticleOut, DuplicateOut, IngestResult
from service.stages import StoryAssignment

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


def repeated(first: IngestResult) -> IngestResult:
    """The answer to an id given again in its batch: the first occurrence's outcome, as ``exists``."""
    return first.model_copy(update={"status": "exists", "new_story": False})


def settle(
    batch: dict[str, IngestResult], assignment: StoryAssignment, copies: Mapping[str, DuplicateMatch | None]
) -> None:
    """Bring the batch's earlier answers up to date with one article's outcome: duplicate
    statuses it changed (e.g. it is the earlier original of a copy answered before it), stories
    merged or moved and phases recomputed, so a batch answers with what it committed."""
    for article_id, match in copies.items():
        if article_id in batch:
            batch[article_id].duplicate = DuplicateOut.from_match(match)
    if not (assignment.merges or assignment.moves or assignment.phase_updates):
        return
    for result in batch.values():
        for absorbed, survivor in assignment.merges:
            if result.cluster_id == absorbed:
                result.cluster_id = survivor
        result.cluster_id = assignment.moves.get(result.id, result.cluster_id)
        phase = assignment.phase_updates.get(result.id)
        if phase:
            result.phase = phase  # type: ignore[assignment]
