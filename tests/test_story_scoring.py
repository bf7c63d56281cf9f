"""Candidate story scoring: components, the cached local profile, shared signature words."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from service.clustering import StoryClusterer
from service.config import Settings
from service.documents import PreparedArticle
from service.embedding import word_id
from service.function_words import function_words
from service.pipeline import prepare
from service.schemas import ArticleIn
from service.story_state import sparse_cos

TEXTS = [
    ("Summit opens in Vladivostok", "Leaders arrived in Vladivostok for the summit on energy and trade."),
    ("Vladivostok summit talks", "Talks at the Vladivostok summit covered energy, trade and rail links."),
    ("Flood warning in the north", "Heavy rain raised rivers and the north issued a flood warning."),
]


def doc(i: int, title: str, body: str) -> PreparedArticle:
    published = datetime(2024, 3, 1, 8, i, tzinfo=UTC).isoformat()
    raw = {"id": f"a{i}", "title": title, "body": body, "source": "wire", "published_at": published}
    return prepare(ArticleIn.model_validate(raw), datetime(2024, 4, 1, tzinfo=UTC))


def test_rank_scores_the_local_profile_exactly_and_follows_story_changes(tmp_path: Path) -> None:
    clusterer = StoryClusterer(Settings(data_dir=tmp_path))
    docs = [doc(i, t, b) for i, (t, b) in enumerate(TEXTS)]
    for seq, d in enumerate(docs):
        clusterer.assign(d, seq, None)
    summit = clusterer.members["a0"].story
    assert clusterer.members["a1"].story == summit != clusterer.members["a2"].story

    query = doc(9, "Summit in Vladivostok ends", "The Vladivostok summit ended with an energy deal.")
    item = clusterer._embed([query])[0]
    clusterer.scorer.compact(item.member, keep=None)
    q = clusterer.scorer.sparse(item.member)
    assert q is not None

    def centroid_of(story: int) -> float:
        ranked = clusterer._candidates(item)
        return next(c.centroid for c in ranked if c.story == story)

    story = clusterer.stories[summit]
    expected = sparse_cos(q, story.profile_near(item.member.timestamp, 1))
    assert np.isclose(centroid_of(summit), expected)
    assert np.isclose(centroid_of(summit), expected)  # from the cache: the same figure
    # the story changes (a flood article is added to it): the cached profile must not be reused
    flood = clusterer._embed([doc(5, "Flood in the north", "Flood waters rose in the north.")])[0]
    clusterer.scorer.compact(flood.member)
    story.add(flood.member, flood.vector, clusterer.scorer.sparse(flood.member))
    changed = sparse_cos(q, story.profile_near(item.member.timestamp, 1))
    assert not np.isclose(changed, expected)
    assert np.isclose(centroid_of(summit), changed)


def test_shared_terms_is_the_signature_share_the_article_contains(tmp_path: Path) -> None:
    clusterer = StoryClusterer(Settings(data_dir=tmp_path))
    for seq, (t, b) in enumerate(TEXTS[:2]):
        clusterer.assign(doc(seq, t, b), seq, None)
    story = clusterer.stories[clusterer.members["a0"].story]
    sig_ids, sig_weights = story.signature()
    assert len(sig_ids) and np.isclose(sig_weights.sum(), 1.0)
    scorer = clusterer.scorer
    words = np.sort(sig_ids[: len(sig_ids) // 2])

    def shared(words: np.ndarray) -> float:
        with scorer.loaded(None, words):
            return scorer._shared_terms([story])[0]

    assert np.isclose(shared(words), float(sig_weights[np.isin(sig_ids, words)].sum()))
    assert np.isclose(shared(np.sort(sig_ids)), 1.0)
    assert shared(np.zeros(0, np.uint32)) == 0.0
    assert not scorer._scratch.words.any()  # the scratch mask is cleared after each query


QUAKE = (
    "Earthquake kills 12 in eastern Turkey",
    "A strong earthquake struck the Malatya province of eastern Turkey on Monday and killed at least 12 "
    "people, the disaster agency AFAD said. It was felt in Adiyaman and Elazig, and rescue teams were "
    "searching the rubble of the collapsed buildings in the city for people who were trapped.",
)
BANK = (
    "ECB cuts rates for the first time in five years",
    "The European Central Bank cut its deposit rate on Thursday, the first cut since 2019, as inflation "
    "in the euro zone eased. Lagarde said that the bank was not committing to a path of more cuts and "
    "that it would decide at each of its meetings, economists at the bank said.",
)
SEISME = "Un séisme a frappé lundi la province de Malatya, dans l'est de la Turquie."


def _keyword_words(clusterer: StoryClusterer, d: PreparedArticle) -> list[str]:
    """The article's keywords as words (its ids mapped back through its own text)."""
    item = clusterer._embed([d])[0]
    clusterer.scorer.compact(item.member, keep=None)
    vocab = {word_id(w): w for w in f"{d.title_norm} {d.body_norm}".split()}
    return [vocab[i] for i in item.member.keyword_list()]


def test_english_and_french_keywords_leave_out_function_words(tmp_path: Path) -> None:
    clusterer = StoryClusterer(Settings(data_dir=tmp_path))
    english = _keyword_words(clusterer, doc(0, *QUAKE))
    french = _keyword_words(clusterer, doc(1, "Séisme en Turquie", SEISME))
    assert not set(english) & function_words("en") and not set(french) & function_words("fr")
    assert {"malatya", "earthquake", "afad"} <= set(english)
    assert {"malatya", "turquie", "séisme"} <= set(french)


def test_unrelated_english_articles_share_no_signature_words(tmp_path: Path) -> None:
    clusterer = StoryClusterer(Settings(data_dir=tmp_path))
    clusterer.assign(doc(0, *QUAKE), 0, None)
    ranked = clusterer._candidates(clusterer._embed([doc(1, *BANK)])[0])
    assert [c.story for c in ranked] == [clusterer.members["a0"].story]
    assert ranked[0].terms == 0.0  # "the, in, of, said, at" no longer count as shared words
    assert clusterer._joinable(ranked) is None
