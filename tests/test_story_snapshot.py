"""Story snapshot: a restart restores the exact in-memory story state, replays newer records,
and rebuilds from the records when the snapshot disagrees with the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from service.benchmarks.corpus_variants import ArticleStream, synthetic_corpus
from service.config import Settings
from service.pipeline import Pipeline
from service.schemas import ArticleIn
from tests.conftest import crash


def articles(count: int, skip: int = 0) -> list[ArticleIn]:
    stream = ArticleStream(synthetic_corpus(60))  # the real texts, then edited copies of them
    stream.take(skip)
    return [ArticleIn.model_validate(a) for a in stream.take(count)]


def story_state(pipeline: Pipeline) -> dict[str, Any]:
    """Everything the story stage keeps in memory, as comparable plain values."""
    st: Any = pipeline.stories
    members = {
        i: (
            m.seq,
            m.timestamp,
            m.story,
            m.cue,
            m.duplicate_of,
            m.keyword_list(),
            None if m.terms is None else (m.terms.ids.tolist(), m.terms.counts.tolist()),
        )
        for i, m in st.members.items()
    }
    stories = {
        s.id: (
            sorted(s.members),
            s.profile[0].tolist(),
            np.round(s.profile[1], 6).tolist(),
            list(s.keywords.items()),
            sorted(s.times),
            s.phases,
            {d: (p[0].tolist(), np.round(p[1], 6).tolist()) for d, p in sorted(s.days.items())},
        )
        for s in st.stories.values()
    }
    sums = {s.id: s.vsum for s in st.stories.values()}
    return {
        "members": members,
        "stories": stories,
        "postings": dict(st.postings.items()),
        "next": st.next_story,
        "sums": sums,
    }


def test_restart_restores_the_snapshot_exactly(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, load_seeds=False)
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(articles(100))
        pipeline.ingest(articles(50, skip=100))
        before = story_state(pipeline)
    assert len(before["members"]) == 150 and len(before["stories"]) < 150  # some stories grew
    with Pipeline.open(settings) as pipeline:
        assert pipeline.stories.restored  # type: ignore[attr-defined]
        after = story_state(pipeline)
        sums, expected = after.pop("sums"), before.pop("sums")
        assert after == before and sums.keys() == expected.keys()
        assert all(np.array_equal(sums[i], expected[i]) for i in sums)


def test_newer_records_are_replayed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, load_seeds=False, checkpoint_seconds=3600)
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(articles(80))
    crashed = Pipeline.build(settings)
    crashed.ingest(articles(40, skip=80))  # never checkpointed
    expected = {i: m.story for i, m in crashed.stories.members.items()}  # type: ignore[attr-defined]
    crash(crashed)
    with Pipeline.open(settings) as pipeline:
        st: Any = pipeline.stories
        assert st.restored and {i: m.story for i, m in st.members.items()} == expected
        assert st.index.ids() == set(st.by_seq) and len(st.by_seq) == 120


def test_disagreeing_snapshot_is_ignored(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, load_seeds=False)
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(articles(60))
    with Pipeline.open(settings) as pipeline:
        moved = pipeline.store.writer.execute("SELECT id FROM articles WHERE seq = 7").fetchone()[0]
        with pipeline.store.transaction() as tx:
            tx.update_article(moved, {"cluster_id": 999})
        # closing checkpoints a snapshot that still has it in its old story
    with Pipeline.open(settings) as pipeline:
        st: Any = pipeline.stories
        assert not st.restored and st.members[moved].story == 999 and moved in st.stories[999].members
