"""Extractive story summaries: representative article (medoid), title, central sentences.

Everything here is pure computation over a story's articles (no database), so it is
unit-tested on plain data and reused by the background refresher and the lazy read path.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from service.keywords import CorpusFrequencies, group_key, is_stopword, keywords
from service.text import normalize, sentences, strip_furniture, words

MIN_WORDS, MAX_WORDS = 8, 60
MAX_SENTENCES_PER_ARTICLE = 12
MAX_ARTICLES = 150  # summary candidates come from at most this many articles (see _summary_pool)
MAX_KEYWORD_ARTICLES = 300
NEAR_IDENTICAL = 0.6
# The summary speaks for the representative's event: its sentences come from the originals whose
# vector is at least this share of the mean similarity of the representative's closest originals.
FOCUS_SHARE = 0.5
FOCUS_NEIGHBOURS = 5
TITLE_MAX_WORDS = 30


Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """The fields of a stored article a summary needs."""

    id: str
    title: str | None
    body: str
    source: str
    url: str | None
    published_at: str
    published_ts: float
    dup_of: str | None = None
    vector: np.ndarray | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoryArticle:
        blob = row.get("vector")
        vector = np.frombuffer(blob, dtype=np.float32) if blob else None
        return cls(
            row["id"],
            row.get("title"),
            row["body"],
            row["source"],
            row.get("url"),
            row["published_at"],
            float(row["published_ts"]),
            row.get("dup_of"),
            vector,
        )


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    keys: frozenset[str]
    counts: Counter[str]
    article: int
    position: int


def _keys(text: str) -> Counter[str]:
    """Content-word keys (light stems) of a sentence, for similarity."""
    return _word_keys(words(normalize(text)))


def _word_keys(tokens: Sequence[str]) -> Counter[str]:
    """:func:`_keys` of already normalized words."""
    return Counter(key for key in map(_content_key, tokens) if key is not None)


@lru_cache(maxsize=100_000)  # pure; called for every word of every candidate sentence
def _content_key(word: str) -> str | None:
    """Group key of a normalized word, None for short words and stopwords."""
    return group_key(word) if len(word) > 2 and not is_stopword(word) else None


def centrality(articles: Sequence[StoryArticle]) -> np.ndarray:
    """Cosine of each article's vector to the story centroid; TF-IDF word vectors when any is missing."""
    vectors = [a.vector for a in articles if a.vector is not None]
    dims = {v.shape[0] for v in vectors}
    if len(dims) != 1 or len(vectors) != len(articles):
        return _central_scores([_keys(f"{a.title or ''}\n{a.body}") for a in articles])
    matrix = np.vstack(vectors).astype(np.float64)
    centroid = matrix.mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    return matrix @ (centroid / norm) if norm > 0 else np.zeros(len(articles))


def _central_scores(bags: Sequence[Counter[str]]) -> np.ndarray:
    """Each bag's L2-normalized TF-IDF vector dotted with the unit mean of all of them.

    Sparse by hand (row, column, weight triples): a story's sentences share few words, so a
    dense matrix would be mostly zeros.
    """
    vocab: dict[str, int] = {}
    cols = np.fromiter((vocab.setdefault(k, len(vocab)) for bag in bags for k in bag), np.int64)
    tf = np.fromiter((1.0 + math.log(n) for bag in bags for n in bag.values()), np.float64, len(cols))
    rows = np.repeat(np.arange(len(bags)), [len(bag) for bag in bags])
    df = np.bincount(cols, minlength=len(vocab))
    weights = tf * (np.log((1 + len(bags)) / (1 + df)) + 1.0)[cols]
    norms = np.sqrt(np.bincount(rows, weights * weights, minlength=len(bags)))
    weights = weights / np.where(norms > 0, norms, 1.0)[rows]
    centroid = np.bincount(cols, weights, minlength=len(vocab)) / max(1, len(bags))
    norm = float(np.linalg.norm(centroid))
    if norm == 0:
        return np.zeros(len(bags))
    return np.bincount(rows, weights * (centroid / norm)[cols], minlength=len(bags))


def representative(articles: Sequence[StoryArticle]) -> StoryArticle:
    """The medoid: the article closest to the story's centre, originals preferred over copies."""
    return articles[_representative_index(articles)]


def _original_indexes(articles: Sequence[StoryArticle]) -> list[int]:
    """Indexes of the originals (every article when all are copies)."""
    return [i for i, a in enumerate(articles) if a.dup_of is None] or list(range(len(articles)))


def _representative_index(articles: Sequence[StoryArticle]) -> int:
    scores = centrality(articles)
    return max(_original_indexes(articles), key=lambda i: (scores[i], -articles[i].published_ts))


def story_title(article: StoryArticle) -> str:
    """The article's title, or its first meaningful sentence (capped) when it has none."""
    if article.title and article.title.strip():
        return article.title.strip()
    for sentence in sentences(article.body):
        parts = sentence.split()
        if len(words(normalize(sentence))) >= 4:
            return sentence if len(parts) <= TITLE_MAX_WORDS else " ".join(parts[:TITLE_MAX_WORDS]) + " …"
    return article.body.strip()[:200]


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _candidates(articles: Sequence[StoryArticle], low: int, high: int) -> list[_Sentence]:
    found: list[_Sentence] = []
    for index, article in enumerate(articles):
        title_keys = frozenset(_keys(article.title or ""))
        for position, text in enumerate(sentences(article.body)[:MAX_SENTENCES_PER_ARTICLE]):
            tokens = words(normalize(text))
            if not low <= len(tokens) <= high:
                continue
            counts = _word_keys(tokens)
            keys = frozenset(counts)
            if len(keys) < 3 or (title_keys and jaccard(keys, title_keys) > 0.8):
                continue
            found.append(_Sentence(text.strip(), keys, counts, index, position))
    return found


def _summary_pool(articles: Sequence[StoryArticle], rep_index: int) -> tuple[list[int], np.ndarray]:
    """Indexes of the articles summary sentences come from, and their weights.

    With vectors: the originals close to the representative, by similarity to it. A story can
    gather several events of one beat; sentences central to the whole story then told of other
    events than its title (a Jouf airport title over a summary of a jet crash). Without vectors:
    the most central originals."""
    originals = _original_indexes(articles)
    rep = articles[rep_index].vector
    vectors = [articles[i].vector for i in originals]
    if rep is None or any(v is None or v.shape != rep.shape for v in vectors):
        weights = centrality([articles[i] for i in originals])
    else:
        weights = np.vstack([v for v in vectors if v is not None]).astype(np.float64) @ rep.astype(np.float64)
        near = np.sort(weights)[::-1][1 : 1 + FOCUS_NEIGHBOURS]  # [0] is the representative
        if len(near):
            keep = weights >= max(0.0, FOCUS_SHARE * float(near.mean()))
            originals = [i for i, kept in zip(originals, keep, strict=True) if kept]
            weights = weights[keep]
    order = np.argsort(-weights, kind="stable")[:MAX_ARTICLES]
    return [originals[i] for i in order.tolist()], weights[order]


def summarize(
    articles: Sequence[StoryArticle], count: int = 3, rep_index: int | None = None
) -> list[dict[str, str]]:
    """2-3 sentences central to the representative's event, round-robin across sources, no two
    near-identical, in time order (``rep_index``: the representative's, when known)."""
    if not articles:
        return []
    if rep_index is None:
        rep_index = _representative_index(articles)
    chosen_articles, weights = _summary_pool(articles, rep_index)
    pool = [articles[i] for i in chosen_articles]
    candidates = _candidates(pool, MIN_WORDS, MAX_WORDS) or _candidates(pool, 5, 90)
    if not candidates:
        return []
    scores = _central_scores([c.counts for c in candidates])
    by_source: dict[str, list[tuple[float, _Sentence]]] = defaultdict(list)
    for score, sentence in zip(scores, candidates, strict=True):
        lead = 1.0 / (1.0 + 0.08 * sentence.position)
        weight = 0.75 + 0.25 * max(0.0, float(weights[sentence.article]))
        by_source[pool[sentence.article].source].append((float(score) * lead * weight, sentence))
    queues = [sorted(items, key=lambda x: -x[0]) for items in by_source.values()]
    queues.sort(key=lambda q: -q[0][0])
    chosen: list[_Sentence] = []
    while len(chosen) < count and any(queues):
        for queue in queues:
            while queue and len(chosen) < count:
                _, sentence = queue.pop(0)
                if all(jaccard(sentence.keys, c.keys) <= NEAR_IDENTICAL for c in chosen):
                    chosen.append(sentence)
                    break
    chosen.sort(key=lambda s: (pool[s.article].published_ts, s.article, s.position))
    return [
        {"text": s.text, "article_id": pool[s.article].id, "source": pool[s.article].source} for s in chosen
    ]


def text_needed(articles: Sequence[StoryArticle]) -> list[int] | None:
    """Indexes of the articles whose title and body :func:`build_summary` reads.

    With a vector for every article, only the representative, the summary candidates and
    the keyword articles are read (a few hundred of a huge story); the other articles count
    through their vectors alone. None when every text is needed (vectors missing).
    """
    vectors = [a.vector for a in articles]
    if (
        not articles
        or any(v is None for v in vectors)
        or len({v.shape[0] for v in vectors if v is not None}) > 1
    ):
        return None
    rep_index = _representative_index(articles)
    needed = {rep_index, *_summary_pool(articles, rep_index)[0]}
    originals = _original_indexes(articles)
    order = np.argsort(-centrality([articles[i] for i in originals]), kind="stable")
    needed.update(originals[i] for i in order[:MAX_KEYWORD_ARTICLES].tolist())
    return sorted(needed)


def build_summary(articles: Sequence[StoryArticle], corpus: CorpusFrequencies | None = None) -> Row:
    """Everything cached per story: title, summary sentences, representative and keywords."""
    if not articles:
        return {"title": None, "summary": [], "representative": None, "keywords": []}
    rep_index = _representative_index(articles)
    rep = articles[rep_index]
    originals = [articles[i] for i in _original_indexes(articles)]
    if len(originals) > MAX_KEYWORD_ARTICLES:  # huge stories: the most central articles speak for it
        order = np.argsort(-centrality(originals), kind="stable")[:MAX_KEYWORD_ARTICLES]
        originals = [originals[i] for i in sorted(order)]
    texts = [f"{a.title or ''}\n{a.title or ''}\n{strip_furniture(a.body)}" for a in originals]
    return {
        "title": story_title(rep),
        "summary": summarize(articles, rep_index=rep_index),
        "representative": {
            "id": rep.id,
            "title": rep.title,
            "source": rep.source,
            "url": rep.url,
            "published_at": rep.published_at,
        },
        "keywords": keywords(texts, corpus=corpus),
    }
