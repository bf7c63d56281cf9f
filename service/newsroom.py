"""The newsroom check: does a draft or incoming piece duplicate something already seen?

Runs the same normalization and the same duplicate and story stages as ingest, but
read-only: nothing is stored and no index changes. Asked with ``passages``, it also names the
stored articles the piece takes passages from without copying them (:mod:`service.reuse`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from service.check_schemas import DuplicateCheckIn, DuplicateCheckOut, DuplicateHit, ReusedHit, StoryHit
from service.pipeline import Pipeline
from service.prepare import prepare
from service.reuse import DraftText, Reuse, draft_text, find_reuse
from service.schemas import ArticleIn

DRAFT_ID = "\x00draft"  # cannot collide with a stored id: ids never start with NUL


def check_draft(pipeline: Pipeline, request: DuplicateCheckIn) -> DuplicateCheckOut:
    """Matches best first (exact, URL, near), the story the piece would join and, with
    ``passages``, the articles it quotes; ingest and summary work step aside while it runs
    (``check_priority_ms``)."""
    with pipeline.priority.check():
        return _check(pipeline, request)


def _check(pipeline: Pipeline, request: DuplicateCheckIn) -> DuplicateCheckOut:
    draft = ArticleIn.model_construct(  # already validated (and its markup rendered) as a check
        id=DRAFT_ID,
        language=None,
        source="draft",
        title=request.title,
        body=request.body,
        url=request.url,
        published_at=request.published_at,
    )
    doc = prepare(draft, datetime.now(UTC))
    # hashing and embedding are pure: only the lookups in the shared state take the lock (shared)
    sketched, embedded = pipeline.dedup.sketch(doc), pipeline.stories.embed_draft(doc)
    text = draft_text(doc.body) if request.passages else None
    parts = pipeline.stories.embed_parts(doc, text) if text is not None else None
    with pipeline.state_lock.reading():
        planned = pipeline.dedup.plan_check(doc, sketched)
        story = pipeline.stories.probe(doc, embedded)
        related = [] if parts is None else pipeline.stories.near_parts(parts, doc.timestamp)
    limit = request.limit or pipeline.settings.dedup.check_limit
    matches = planned.matches(limit, pipeline.verifier)  # reads stored texts: no lock needed
    rows = pipeline.store.articles(
        [m.of for m in matches], "title, source, url, published_at, cluster_id, dup_of"
    )
    hits = [
        DuplicateHit(type=m.type, score=round(m.score, 4), **_stored(m.of, rows[m.of]))
        for m in matches
        if m.of in rows
    ]
    copied = next((m for m in matches if m.of in rows and rows[m.of]["cluster_id"] is not None), None)
    if copied is not None:
        # A copy belongs to its original's story, whatever the time window says.
        story = (int(rows[copied.of]["cluster_id"]), copied.score)
    story_hit = None
    if story is not None:
        cluster_id = pipeline.store.survivor(story[0]) or story[0]
        story_hit = StoryHit(cluster_id=cluster_id, score=round(story[1], 4))
    reused = None
    if text is not None:
        reused = _reused(pipeline, text, [*related, *planned.others], hits, limit)
    return DuplicateCheckOut(duplicates=hits, story=story_hit, reused=reused)


def _reused(
    pipeline: Pipeline,
    draft: DraftText,
    candidates: Iterable[str],
    copies: list[DuplicateHit],
    limit: int,
) -> list[ReusedHit]:
    """The stored articles the piece takes passages from (:mod:`service.reuse`), most reused words
    first: one per duplicate group (a wire report and its republications are one source), and
    none of the groups the piece copies (those are reported as duplicates)."""
    ids = sorted(set(candidates) - {hit.id for hit in copies})
    copied_groups = {hit.original for hit in copies}
    found = _verified_reuse(pipeline, draft, ids)
    rows = pipeline.store.articles(list(found), "title, source, url, published_at, dup_of")
    best: dict[str, tuple[str, Reuse]] = {}
    for i, reuse in found.items():
        if i not in rows:
            continue
        group = rows[i]["dup_of"] or i
        held = best.get(group)
        if group not in copied_groups and (
            held is None or (reuse.words, i == group) > (held[1].words, held[0] == group)
        ):
            best[group] = (i, reuse)
    ranked = sorted(best.values(), key=lambda pick: (-pick[1].words, pick[0]))[:limit]
    return [
        ReusedHit(
            reused_words=reuse.words,
            share_of_piece=reuse.draft_share,
            share_of_source=reuse.source_share,
            sentences=[draft.sentences[n] for n in reuse.sentences],
            **_stored(i, rows[i]),
        )
        for i, reuse in ranked
    ]


def _stored(article_id: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a hit gives of the stored article (``row``: title, source, url, published_at,
    dup_of), its duplicate group's original included."""
    return {
        "id": article_id,
        "title": row["title"],
        "source": row["source"],
        "url": row["url"],
        "published_at": datetime.fromisoformat(row["published_at"]),
        "original": row["dup_of"] or article_id,
    }


def _verified_reuse(pipeline: Pipeline, draft: DraftText, ids: list[str]) -> dict[str, Reuse]:
    """Reuse of each candidate, measured by the check verifier's worker when there is one."""

    def local() -> dict[str, Reuse]:
        return find_reuse(draft, pipeline.texts.bodies(ids), pipeline.settings.dedup)

    return local() if pipeline.verifier is None else pipeline.verifier.reuses(draft, ids, local)
