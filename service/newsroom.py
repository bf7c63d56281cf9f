"""The newsroom check: does a draft or incoming piece duplicate something already seen?

Runs the same normalization and the same duplicate and story stages as ingest, but
read-only: nothing is stored and no index changes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from service.pipeline import Pipeline
from service.prepare import prepare
from service.schemas import ArticleIn, DuplicateCheckIn, DuplicateCheckOut, DuplicateHit, StoryHit

DRAFT_ID = "\x00draft"  # cannot collide with a stored id: ids never start with NUL


def check_draft(pipeline: Pipeline, request: DuplicateCheckIn) -> DuplicateCheckOut:
    """Matches best first (exact, URL, near), plus the story the piece would join; ingest and
    summary work step aside while it runs (``check_priority_ms``)."""
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
    with pipeline.state_lock.reading():
        planned = pipeline.dedup.plan_check(doc, sketched)
        story = pipeline.stories.probe(doc, embedded)
    limit = request.limit or pipeline.settings.dedup.check_limit
    matches = planned.matches(limit, pipeline.verifier)  # reads stored texts: no lock needed
    rows = pipeline.store.articles(
        [m.of for m in matches], "title, source, url, published_at, cluster_id, dup_of"
    )
    hits = [
        DuplicateHit(
            id=m.of,
            type=m.type,
            score=round(m.score, 4),
            title=rows[m.of]["title"],
            source=rows[m.of]["source"],
            url=rows[m.of]["url"],
            published_at=datetime.fromisoformat(rows[m.of]["published_at"]),
            original=rows[m.of]["dup_of"] or m.of,
        )
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
    return DuplicateCheckOut(duplicates=hits, story=story_hit)
