"""The lexical embedder: TF-IDF properties, online IDF and state round trips."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from service.bags import Bag, KeptTerms, TermCounts, concat_bags
from service.config import Settings
from service.documents import PreparedArticle
from service.embedding import LexicalEmbedder, build_embedder, word_id
from service.text import matching_form


def article(article_id: str, title: str, body: str, language: str = "ar") -> PreparedArticle:
    """A prepared article with matching forms, as the pipeline builds it."""
    now = datetime(2015, 8, 6, tzinfo=UTC)
    return PreparedArticle(
        article_id,
        "test",
        body,
        title,
        None,
        None,
        language,
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


def test_build_embedder_is_lexical_by_default_and_otherwise_needs_a_model(tmp_path: Path) -> None:
    embedder = build_embedder(Settings(data_dir=tmp_path, embedder="lexical"))
    assert isinstance(embedder, LexicalEmbedder)
    for kind in ("sentence-transformers", "hybrid"):
        with pytest.raises(ValueError, match="STORYLINE_EMBEDDING_MODEL"):
            build_embedder(Settings(data_dir=tmp_path, embedder=kind, embedding_model=None))


def test_kept_and_full_bags_weigh_the_same() -> None:
    embedder = LexicalEmbedder()
    bags = [bag for bag in embedder.terms([ABHA_1, ABHA_2, OIL]) if bag is not None]
    for bag in bags:
        embedder.observe(bag)
    kept = [KeptTerms.pack(bag) for bag in bags]
    for full, packed in zip(bags, kept, strict=True):
        assert all(
            np.array_equal(a, b) for a, b in zip(embedder.weigh(full), embedder.weigh(packed), strict=True)
        )
    mixed: list[Bag] = [kept[0], bags[1], kept[2]]
    groups: list[list[Bag]] = [list(bags), list(kept), mixed]
    for group in groups:
        ids, counts, sizes = concat_bags(group)
        assert sizes.tolist() == [len(b) for b in bags]
        assert np.array_equal(ids, np.concatenate([b.ids for b in bags]))
        assert np.array_equal(counts, np.concatenate([b.counts for b in bags]))
    assert all(
        np.array_equal(a, b)
        for a, b in zip(embedder.weigh_many(bags), embedder.weigh_many(kept), strict=True)
    )
    assert [len(part) for part in concat_bags([])] == [0, 0, 0]


def _cosine(embedder: LexicalEmbedder, a: PreparedArticle, b: PreparedArticle) -> float:
    """Exact sparse TF-IDF cosine of two articles under the embedder's current IDF."""
    (ids_a, w_a), (ids_b, w_b) = (embedder.weigh(t) for t in embedder.terms([a, b]) if t is not None)
    _, at_a, at_b = np.intersect1d(ids_a, ids_b, return_indices=True)
    return float(np.dot(w_a[at_a], w_b[at_b]))


QUAKE_EN = article(
    "e1",
    "Earthquake kills 12 in eastern Turkey",
    "A strong earthquake struck the Malatya province of eastern Turkey on Monday and killed at least 12 "
    "people, the disaster agency said. Rescue teams were searching the rubble of the buildings.",
    "en",
)
BANK_EN = article(
    "e2",
    "ECB cuts rates for the first time in five years",
    "The European Central Bank cut its deposit rate on Thursday, the first cut since 2019, as inflation "
    "in the euro zone eased. Lagarde said that the bank was not committing to a path of more cuts.",
    "en",
)


def test_unrelated_english_articles_stay_apart_on_an_arabic_store() -> None:
    embedder = LexicalEmbedder()
    for _ in range(200):  # a store of Arabic news: no English feature has been seen
        for doc in (ABHA_1, ABHA_2, OIL):
            embedder.observe(embedder.terms([doc])[0])
    # function words ("the, in, of, and, said") would carry the highest IDF and tie the two
    assert _cosine(embedder, QUAKE_EN, BANK_EN) < 0.05
    english, arabic = (set(t.ids.tolist()) for t in embedder.terms([QUAKE_EN, ABHA_1]) if t is not None)
    assert not {word_id(w) for w in ("the", "of", "and", "said")} & english
    assert word_id("earthquake") in english
    assert word_id("في") in arabic  # Arabic function words stay: an Arabic store's IDF discounts them
