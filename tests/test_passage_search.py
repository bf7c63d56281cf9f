"""Candidate sources of a draft's passages: its parts, and the stored articles nearest to each."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from service.config import Settings
from service.documents import PreparedArticle
from service.index import VectorIndex
from service.passage_search import CHUNK_WORDS, MAX_CANDIDATES, MAX_PARTS, draft_parts, nearest_to_parts
from service.pipeline import Pipeline
from service.prepare import prepare
from service.reuse import draft_text
from service.schemas import ArticleIn
from service.story_state import DAY
from service.text import normalize, sentences
from tests.test_reuse import OWN


def _doc(body: str, published_at: object = None) -> PreparedArticle:
    return prepare(ArticleIn(id="d", source="s", body=body, published_at=published_at), datetime.now(UTC))


@given(st.lists(st.integers(min_value=1, max_value=70), min_size=1, max_size=30))
def test_parts_are_runs_of_whole_sentences(lengths: list[int]) -> None:
    """Every sentence once, in order, raw and normalized alike; parts of at least CHUNK_WORDS
    words except a single one, and none shorter than half of that."""
    said = [" ".join(f"w{n}x{i}" for i in range(length)) + "." for n, length in enumerate(lengths)]
    doc = _doc(" ".join(said))
    parts = draft_parts(doc, draft_text(doc.body))
    assert " ".join(p.body for p in parts) == " ".join(said)
    assert " ".join(p.body_norm for p in parts) == doc.body_norm
    assert all(p.title is None and p.title_norm == "" for p in parts) and len({p.id for p in parts}) == len(
        parts
    )
    sizes = [len(p.body_norm.split()) for p in parts]
    assert len(parts) == 1 or min(sizes) >= CHUNK_WORDS // 2
    assert all(size >= CHUNK_WORDS for size in sizes[:-1])


def test_the_quoted_part_finds_its_source(settings: Settings, seeds: list[dict[str, object]]) -> None:
    wire = next(s for s in seeds if str(s["id"]).startswith("000"))
    quote = "\n".join(sentences(str(wire["body"]))[7:10])
    doc = _doc(f"{OWN}\n{OWN}\n{quote}\n{OWN}", wire["published_at"])
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn.model_validate(s) for s in seeds])
        parts = draft_parts(doc, draft_text(doc.body))
        vectors = pipeline.stories.embed_parts(doc, draft_text(doc.body))
        assert vectors.shape == (len(parts), pipeline.stories.embedder.dim)  # type: ignore[attr-defined]
        with pipeline.state_lock.reading():
            found = pipeline.stories.near_parts(vectors, doc.timestamp)
            far = pipeline.stories.near_parts(vectors, doc.timestamp + 400 * DAY)
            index, by_seq = pipeline.stories.index, pipeline.stories.by_seq  # type: ignore[attr-defined]
            nearest = [
                nearest_to_parts(index, by_seq, v[None, :], doc.timestamp, 10 * DAY, 1) for v in vectors
            ]
    assert wire["id"] in found and len(found) == len(set(found))
    assert far == []  # outside the story window around the draft's time
    quoted = set(normalize(quote).split())
    mostly_quote = [n for n, p in enumerate(parts) if sum(w in quoted for w in p.body_norm.split()) > 30]
    assert mostly_quote and all(nearest[n] == [wire["id"]] for n in mostly_quote)


def test_a_long_piece_gets_at_most_max_parts() -> None:
    said = [" ".join(f"w{n}x{i}" for i in range(30)) + "." for n in range(600)]  # 18,000 words
    doc = _doc(" ".join(said))
    parts = draft_parts(doc, draft_text(doc.body))
    assert len(parts) <= MAX_PARTS and " ".join(p.body_norm for p in parts) == doc.body_norm


def test_each_part_keeps_its_nearest_then_the_most_voted_fill_up_to_max_candidates() -> None:
    """A long piece on a big story: every part is near some of the story's articles, which each
    gather several votes; the one part that quotes another article keeps that source."""
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(16)
    index.add(np.arange(200), vectors)
    names = {seq: f"a{seq}" for seq in range(200)}
    story = [vectors[[n, (n + 1) % 50, (n + 2) % 50]].mean(axis=0) for n in range(59)]  # near 3 of a0..a49
    for at in (0, 30, 59):
        parts = np.array([*story[:at], vectors[150] + 0.01, *story[at:]])
        found = nearest_to_parts(index, names, parts, 0.0, 1.0)
        assert "a150" in found and len(found) == len(set(found)) <= max(MAX_CANDIDATES, len(parts))
    votes = np.vstack([vectors[[7, 7, 7, 50]], vectors[100:160]]) + 0.01  # 64 parts, 62 distinct nearest
    found = nearest_to_parts(index, names, votes, 0.0, 1.0, per_chunk=1)
    assert found[:2] == ["a7", "a50"] and len(found) == 62  # every part's nearest, beyond MAX_CANDIDATES
    few = nearest_to_parts(index, names, votes[:4], 0.0, 1.0, per_chunk=3)
    assert few[:2] == ["a7", "a50"] and len(few) <= MAX_CANDIDATES
    assert nearest_to_parts(index, names, votes[:0], 0.0, 1.0) == []
