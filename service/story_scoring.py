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
        """Score each candidate story (the query is in the scratch arrays)."""
        out = []
        for story_id, (sim, best_id) in best.items():
            story = stories[story_id]
            if q_sparse is not None and self.s.profile_days >= 0:
                centroid = self._local_cos(q_norm, story, query.timestamp)
            elif q_sparse is not None:
                centroid = self._cos(q_norm, story.profile, float(np.linalg.norm(story.profile[1])))
            else:
                centroid = float(np.dot(vector, story.centroid))
            shared = self._shared_terms(story)
            gap = (story.gap_days(query.timestamp) / self.s.window_days) ** 2
            score = (
                self.s.article_weight * sim
                + self.s.centroid_weight * centroid
                + self.s.terms_weight * shared
                - self.s.time_weight * gap
            )
            out.append(Candidate(story_id, score, sim, best_id, centroid, shared))
        return sorted(out, key=lambda c: (-c.score, c.story))

    def _cos(self, q_norm: float, profile: Sparse, norm: float) -> float:
        """Cosine of the query in the scratch array to a sparse vector of the given norm."""
        norms = q_norm * norm
        return float(np.dot(self._scratch.weights[profile[0]], profile[1])) / norms if norms > 0 else 0.0

    def _local_cos(self, q_norm: float, story: Story, timestamp: float) -> float:
        """Cosine of the article to the story's coverage near its time (cached per story and day)."""
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
        return self._cos(q_norm, cached[1], cached[2])

    def _shared_terms(self, story: Story) -> float:
        """Share of the story's signature (its most used keywords, by use) that the article (its
        words in the scratch mask) contains."""
        sig_ids, sig_weights = story.signature()
        if not len(sig_ids):
            return 0.0
        return float(sig_weights[self._scratch.words[sig_ids]].sum())

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
