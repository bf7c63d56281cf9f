"""Article columns the pipeline writes: the inserted row, and the updates an ingest or a delete causes.

Kept apart from :class:`service.pipeline.Pipeline`, which orchestrates locks, stages and
transactions: these functions only turn stage outcomes into column values and store calls,
so every written column of ``articles`` is named in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.documents import DuplicateMatch, PreparedArticle
from service.prepare import iso_utc
from service.stages import DuplicateEdge, StoryAssignment
from service.store import Transaction

Changed = Mapping[str, DuplicateMatch | None]  # article id -> new duplicate status


def article_values(
    doc: PreparedArticle, signature: bytes | None, edge: DuplicateEdge | None
) -> dict[str, Any]:
    """Columns of a new article row, with its MinHash signature and its own duplicate edge."""
    return {
        "id": doc.id,
        "url": doc.url,
        "canonical_url": doc.canonical_url,
        "source": doc.source,
        "title": doc.title,
        "body": doc.body,
        "language": doc.language,
        "published_at": iso_utc(doc.published_at),
        "published_ts": doc.timestamp,
        "received_at": iso_utc(doc.received_at),
        "content_hash": doc.content_hash,
        "title_norm": doc.title_norm,
        "body_norm": doc.body_norm,
        "signature": signature,
        "edge_other": edge.other_id if edge else None,
        "edge_type": edge.type if edge else None,
        "edge_score": edge.score if edge else None,
    }


Links = Mapping[str, DuplicateMatch | None]


def dup_values(
    match: DuplicateMatch | None, *, edge: bool = True, link: DuplicateMatch | Any | None = ...
) -> dict[str, Any]:
    """Columns of a duplicate status. The edge columns (what the detector reloads its groups from)
    hold ``link``, the link the detector keeps for the article (the status itself by default), so
    a restart reproduces groups re-pointed after arrival; the status may be typed otherwise
    (:func:`service.duplicate_entries.typed`), which a restart must not make permanent."""
    values = {
        "dup_type": match.type if match else None,
        "dup_of": match.of if match else None,
        "dup_score": match.score if match else None,
    }
    if edge:
        raw = match if link is ... else link
        values.update(
            edge_other=raw.of if raw else None,
            edge_type=raw.type if raw else None,
            edge_score=raw.score if raw else None,
        )
    return values


def _link(links: Links | None, article_id: str, match: DuplicateMatch | None) -> DuplicateMatch | Any | None:
    return links[article_id] if links is not None and article_id in links else match


def write_outcome(
    tx: Transaction,
    article_id: str,
    now: str,
    duplicate: DuplicateMatch | None,
    changed: Changed,
    assignment: StoryAssignment,
    links: Links | None = None,
) -> set[int]:
    """Write where a new article went and what it changed in other articles and stories
    (``links``: the detector's links of the articles in ``changed``, see :func:`dup_values`);
    returns the ids of the stories touched."""
    own = {}
    if article_id in changed:
        own = dup_values(changed[article_id], link=_link(links, article_id, changed[article_id]))
    tx.update_article(
        article_id,
        {
            **own,
            **dup_values(duplicate, edge=False),
            "cluster_id": assignment.cluster_id,
            "phase": assignment.phase,
            "similarity": assignment.similarity,
            "vector": assignment.vector,
            "features": assignment.features,
            "vote_small": assignment.vote[0] if assignment.vote else None,
            "vote_large": assignment.vote[1] if assignment.vote else None,
        },
    )
    for other_id, match in changed.items():
        if other_id != article_id:
            tx.update_article(other_id, dup_values(match, link=_link(links, other_id, match)))
    for other_id, cluster_id in assignment.moves.items():
        tx.update_article(other_id, {"cluster_id": cluster_id})
    for other_id, phase in assignment.phase_updates.items():
        tx.update_article(other_id, {"phase": phase})
    touched = {assignment.cluster_id, *assignment.touched_clusters}
    for cluster_id in touched:
        tx.touch_cluster(cluster_id, now)
    for absorbed, survivor in assignment.merges:
        tx.merge_clusters(absorbed, survivor, now, article_id)
        touched.update((absorbed, survivor))
    return touched


def write_removal(
    tx: Transaction,
    now: str,
    article_id: str,
    changed: Changed,
    change: StoryAssignment | None,
    cluster_id: int | None,
    links: Links | None = None,
) -> set[int]:
    """Write what deleting an article (of story ``cluster_id``) changed in the other articles and
    stories; returns the ids of the stories touched."""
    for other_id, match in changed.items():
        tx.update_article(other_id, dup_values(match, link=_link(links, other_id, match)))
    touched = tx.clear_semantic_links(article_id)
    for touched_id in touched:
        tx.touch_cluster(touched_id, now)
    if change is not None:
        for other_id, phase in change.phase_updates.items():
            tx.update_article(other_id, {"phase": phase})
        for touched_id in change.touched_clusters:
            tx.touch_cluster(touched_id, now)
        touched.update(change.touched_clusters)
    if cluster_id is not None:
        tx.touch_cluster(cluster_id, now)
        touched.add(cluster_id)
    return touched


def holds(row: Any, doc: PreparedArticle) -> bool:
    """Whether a stored row holds the article as ``doc`` gives it."""
    given = (doc.source, doc.title, doc.body, doc.url, doc.language, iso_utc(doc.published_at))
    return given == (
        row["source"],
        row["title"],
        row["body"],
        row["url"],
        row["language"],
        row["published_at"],
    )
