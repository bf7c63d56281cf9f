"""Scoring of candidate stories for one article.

Each candidate story (one that holds a near neighbour of the article) is scored as

    score = w_article * best article similarity + w_centroid * profile similarity
          + w_terms * shared distinctive words - w_time * (time gap / window) ** 2

with exact sparse TF-IDF cosines when the embedder is lexical (the dense FAISS scores
otherwise). :meth:`StoryScorer.mergeable` decides whether two stories are one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from service.bags import EMPTY_TERMS, Bag, KeptTerms, TermCounts
from service.config import StorySettings
from service.embedding import N_FEATURES, WORD_SPACE, Embedder, LexicalEmbedder
from service.story_state import DAY, KEPT_FEATURES, KEYWORDS, Member, Sparse, Story, sparse_cos

_NO_WORDS = np.zeros(0, np.uint32)
LOCAL_CACHE = 4096  # cached local story profiles (consecutive articles share most candidate stories)


@dataclass(slots=True)
class Candidate:
    """A candidate story for one article, with its score components."""

    story: int
    score: float
    best: float
    best_id: str
    centroid: float
    terms: float


class _Scratch(threading.local):
    """Per-thread dense copies of one query: its weights by feature id and its words as a mask.

    Scoring a query against dozens of sparse vectors is then a gather per vector instead of
    a sorted search; the arrays are cleared again after each query.
    """

    def __init__(self) -> None:
        self.weights = np.zeros(N_FEATURES, np.float32)
        self.words = np.zeros(WORD_SPACE, np.bool_)


def _strongest(terms: Bag, lexical: LexicalEmbedder, weights: np.ndarray | None = None) -> Bag:
    """The KEPT_FEATURES features of highest TF-IDF weight (what members keep in memory);
    ``weights``: the bag's weights under the current IDF when the caller has them already."""
    if len(terms) <= KEPT_FEATURES:
        return terms
    if weights is None:
        _, weights = lexical.weigh(terms)
    top = np.sort(np.argpartition(-weights, KEPT_FEATURES)[:KEPT_FEATURES])
    ids, counts = terms.arrays()
    return TermCounts(ids[top], counts[top])


class StoryScorer:
    """Scores candidate stories for an article from its nearest stored neighbours."""

    def __init__(self, settings: StorySettings, embedder: Embedder) -> None:
        self.s = settings
        self.embedder = embedder
        lexical = embedder if isinstance(embedder, LexicalEmbedder) else getattr(embedder, "lexical", None)
        self.lexical: LexicalEmbedder | None = lexical
        self._local: OrderedDict[tuple[int, int], tuple[int, Sparse, float]] = OrderedDict()
        self._scratch = _Scratch()

    @property
    def sparse_scoring(self) -> bool:
        """Whether stories are scored on sparse TF-IDF profiles (the lexical embedder) rather than
        dense centroids, which then need no vector sum."""
        return self.lexical is not None and self.embedder is self.lexical

    def compact(self, member: Member, keep: int | None = KEPT_FEATURES) -> None:
        """Derive the member's keywords; with ``keep``, drop all but its strongest features."""
        if self.lexical is None or member.terms is None or not len(member.terms):
            return
        ids, weights = self.lexical.weigh(member.terms)
        words = ids < WORD_SPACE
        order = np.argsort(-weights[words])[:KEYWORDS]
        member.keywords = ids[words][order].astype(np.uint32).tobytes()
        if keep is not None:
            member.terms = KeptTerms.pack(_strongest(member.terms, self.lexical, weights))

    def similarities(self, query: Member, near: list[Member], dense: list[float]) -> list[float]:
        """Exact sparse cosine of the query to each neighbour (dense scores when not lexical)."""
        if self.lexical is None or self.embedder is not self.lexical or query.terms is None or not near:
            return dense
        q_ids, q_w = self.lexical.weigh(_strongest(query.terms, self.lexical))
        bags = [EMPTY_TERMS if o.terms is None else o.terms for o in near]  # an empty kept bag stays kept
        ids, weights, rows = self.lexical.weigh_many(bags)
        if not len(q_ids) or not len(ids):
            return [0.0] * len(near)
        with self.loaded((q_ids, q_w), _NO_WORDS):
            return np.bincount(rows, self._scratch.weights[ids] * weights, minlength=len(near)).tolist()

    def rank(
        self,
        vector: np.ndarray,
        query: Member,
        near: list[Member],
        dense: list[float],
        stories: dict[int, Story],
    ) -> list[Candidate]:
        """Candidate stories of the neighbours, best score first."""
        sims = self.similarities(query, near, dense)
        q_sparse = self.sparse(query)
        best: dict[int, tuple[float, str]] = {}
        for other, sim in zip(near, sims, strict=True):
            if sim > best.get(other.story, (-1.0, ""))[0]:
                best[other.story] = (sim, other.id)
        # the article's word features
        ids = query.terms.ids if query.terms is not None else None
        words = ids[ids < WORD_SPACE] if ids is not None else query.keyword_ids()
        q_norm = float(np.linalg.norm(q_sparse[1])) if q_sparse is not None else 0.0
        with self.loaded(q_sparse, words):
            return self._score(vector, query, q_sparse, q_norm, best, stories)

    @contextmanager
    def loaded(self, q_sparse: Sparse | None, words: np.ndarray) -> Iterator[None]:
        """Hold a query's weights and words in this thread's scratch arrays for the block."""
        scratch = self._scratch
        if q_sparse is not None:
            scratch.weights[q_sparse[0]] = q_sparse[1]
        scratch.words[words] = True
        try:
            yield
        finally:
            scratch.words[words] = False
            if q_sparse is not None:
                scratch.weights[q_sparse[0]] = 0.0

    def _score(
        self,
        vector: np.ndarray,
        query: Member,
        q_sparse: Sparse | None,
        q_norm: float,
        best: dict[int, tuple[float, str]],
        stories: dict[int, Story],
    ) -> list[Candidate]:
        """Score each candidate story (the query is in the scratch arrays): the profile cosines and
        the shared signatures of all candidates are each one gather over their concatenation."""
        chosen = [stories[story_id] for story_id in best]
        if q_sparse is None:
            centroids = [float(np.dot(vector, story.centroid)) for story in chosen]
        elif self.s.profile_days >= 0:
            centroids = self._cosines(
                q_norm, [self._local_profile(story, query.timestamp) for story in chosen]
            )
        else:
            centroids = self._cosines(
                q_norm, [(s.profile, float(np.linalg.norm(s.profile[1]))) for s in chosen]
            )
        shared = self._shared_terms(chosen)
        out = []
        for (story_id, (sim, best_id)), story, centroid, terms in zip(
            best.items(), chosen, centroids, shared, strict=True
        ):
            gap = (story.gap_days(query.timestamp) / self.s.window_days) ** 2
            score = (
                self.s.article_weight * sim
                + self.s.centroid_weight * centroid
                + self.s.terms_weight * terms
                - self.s.time_weight * gap
            )
            out.append(Candidate(story_id, score, sim, best_id, centroid, terms))
        return sorted(out, key=lambda c: (-c.score, c.story))

    def _gathered(self, parts: list[tuple[np.ndarray, np.ndarray]], table: np.ndarray) -> np.ndarray:
        """Per part (ids, weights): the sum of its weights times ``table`` at its ids."""
        sizes = [len(ids) for ids, _ in parts]
        if not sum(sizes):
            return np.zeros(len(parts))
        ids = np.concatenate([ids for ids, _ in parts])
        weights = np.concatenate([weights for _, weights in parts])
        rows = np.repeat(np.arange(len(parts)), sizes)
        return np.bincount(rows, table[ids] * weights, minlength=len(parts))

    def _cosines(self, q_norm: float, profiles: list[tuple[Sparse, float]]) -> list[float]:
        """Cosines of the query in the scratch array to sparse vectors (each with its norm)."""
        dots = self._gathered([profile for profile, _ in profiles], self._scratch.weights)
        norms = q_norm * np.array([norm for _, norm in profiles])
        return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0).tolist()

    def _local_profile(self, story: Story, timestamp: float) -> tuple[Sparse, float]:
        """The story's coverage near the article's time and its norm (cached per story and day)."""
        key = (story.id, int(timestamp // DAY))
        cached = self._local.get(key)
        if cached is None or cached[0] != story.version:
            profile = story.profile_near(timestamp, self.s.profile_days)
            cached = (story.version, profile, float(np.linalg.norm(profile[1])))
            self._local[key] = cached
            if len(self._local) > LOCAL_CACHE:
                self._local.popitem(last=False)
        else:
            self._local.move_to_end(key)
        return cached[1], cached[2]

    def _shared_terms(self, stories: list[Story]) -> list[float]:
        """Per story, the share of its signature (its most used keywords, by use) that the article
        (its words in the scratch mask) contains."""
        return self._gathered([story.signature() for story in stories], self._scratch.words).tolist()

    def sparse(self, member: Member) -> Sparse | None:
        """The member's normalized sparse TF-IDF vector (None for dense-only embedders)."""
        if self.lexical is None or self.embedder is not self.lexical or member.terms is None:
            return None
        return self.lexical.weigh(member.terms)

    def mergeable(self, a: Story, b: Story) -> bool:
        """Two stories close enough in content and time to be one."""
        if self.embedder is self.lexical:
            similarity = sparse_cos(a.profile, b.profile)
        else:
            similarity = float(np.dot(a.centroid, b.centroid))
        close = similarity >= self.s.merge_centroid
        return close and max(b.start - a.end, a.start - b.end) / DAY <= self.s.window_days
