"""Online story assignment: each article joins the best nearby story or opens a new one.

Per article: FAISS returns the nearest stored articles; those outside ``window_days`` of
its publication time are dropped and the rest re-scored exactly on the sparse TF-IDF
features (lexical embedders). Each candidate story is scored as

    score = w_article * best article similarity + w_centroid * centroid similarity
          + w_terms * shared distinctive words - w_time * (time gap / window) ** 2

and the article joins the best story at or above ``join_threshold``, else opens a new
one. When a second story also scores ``merge_threshold`` or more and its centroid is
close to the winner's, the article bridges them and the smaller story is merged into
the larger (reported as ``(absorbed, survivor)``). Duplicates join their original's
story; close copies inside a story are reported as ``semantic`` duplicates. Phases are
recomputed per story by :mod:`service.phases`.
"""

from __future__ import annotations

import pickle
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from service.config import Settings, StorySettings
from service.documents import DuplicateMatch, PreparedArticle
from service.embedding import EMPTY_TERMS, WORD_SPACE, Embedder, LexicalEmbedder, TermCounts, build_embedder
from service.index import VectorIndex
from service.phases import CUES, article_cue, story_phases
from service.stages import StoryAssignment, StoryRecord
from service.story_merge import merge_pass

INDEX_FILE = "stories.faiss"
KEPT_FEATURES = 192  # sparse features kept in memory per article for exact re-scoring
KEYWORDS = 16  # distinctive words per article (also the keys of the candidate postings)
POSTING_SCAN = 400  # most recent postings read per keyword
PROFILE_FEATURES = 600  # sparse story profile size (summed member TF-IDF vectors)
SIGNATURE = 20  # most used keywords of a story that articles are matched against
DAY = 86400.0


@dataclass(slots=True)
class Member:
    """What the clusterer keeps in memory per stored article."""

    id: str
    seq: int
    timestamp: float
    story: int
    cue: str
    terms: TermCounts | None  # full features until inserted, then the top KEPT_FEATURES
    keywords: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    duplicate_of: str | None = None

    def to_bytes(self) -> bytes:
        """Cue and features, as persisted in ``StoryAssignment.features``."""
        return bytes([CUES.index(self.cue)]) + (self.terms.to_bytes() if self.terms is not None else b"")

    @classmethod
    def from_bytes(
        cls, article_id: str, seq: int, timestamp: float, story: int, data: bytes | None
    ) -> Member:
        """Inverse of :meth:`to_bytes`."""
        cue = CUES[data[0]] if data else ""
        terms = TermCounts.from_bytes(data[1:]) if data and len(data) > 1 else None
        return cls(article_id, seq, timestamp, story, cue, terms)


Sparse = tuple[np.ndarray, np.ndarray]  # sorted feature ids, weights
_EMPTY_SPARSE: Sparse = (np.zeros(0, np.uint32), np.zeros(0, np.float32))


def _combine(a: Sparse, b: Sparse) -> Sparse:
    """Sum of two sparse vectors, keeping the PROFILE_FEATURES strongest features."""
    ids, inverse = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    weights = np.bincount(inverse, np.concatenate([a[1], b[1]]), minlength=len(ids)).astype(np.float32)
    if len(ids) > 2 * PROFILE_FEATURES:
        top = np.sort(np.argpartition(-weights, PROFILE_FEATURES)[:PROFILE_FEATURES])
        ids, weights = ids[top], weights[top]
    return ids, weights


def sparse_cos(a: Sparse, b: Sparse) -> float:
    """Cosine of two sparse vectors."""
    norms = float(np.linalg.norm(a[1]) * np.linalg.norm(b[1]))
    return sparse_dot(a, b) / norms if norms > 0 else 0.0


def sparse_dot(a: Sparse, b: Sparse) -> float:
    """Inner product of two sparse vectors with sorted ids."""
    if not len(a[0]) or not len(b[0]):
        return 0.0
    pos = np.minimum(np.searchsorted(a[0], b[0]), len(a[0]) - 1)
    hit = a[0][pos] == b[0]
    return float(np.dot(a[1][pos[hit]], b[1][hit]))


class Story:
    """A story's members, dense centroid sum, time span, keyword counts and phases."""

    def __init__(self, story_id: int, dim: int) -> None:
        self.id = story_id
        self.members: set[str] = set()
        self.vsum = np.zeros(dim, dtype=np.float64)
        self.times: list[float] = []
        self.keywords: Counter[int] = Counter()
        self.phases: dict[str, str] = {}
        self._centroid: np.ndarray | None = None
        self._signature: tuple[np.ndarray, np.ndarray] | None = None
        self.start = self.end = 0.0
        self.profile: Sparse = _EMPTY_SPARSE

    def __len__(self) -> int:
        return len(self.members)

    def add(self, member: Member, vector: np.ndarray, sparse: Sparse | None = None) -> None:
        if sparse is not None:
            self.profile = _combine(self.profile, sparse)
        self.members.add(member.id)
        self.vsum += vector
        self.times.append(member.timestamp)
        self.keywords.update(member.keywords.tolist())
        self._changed()

    def signature(self) -> tuple[np.ndarray, np.ndarray]:
        """The story's most used distinctive words (sorted ids) and their shares of use."""
        if self._signature is None:
            floor = 2 if len(self.members) > 2 else 1
            top = [(k, n) for k, n in self.keywords.most_common(SIGNATURE) if n >= floor]
            ids = np.array([k for k, _ in top], dtype=np.uint32)
            weights = np.array([n for _, n in top], dtype=np.float32)
            order = np.argsort(ids)
            signature = ids[order], weights[order] / max(float(weights.sum()), 1.0)
            self._signature = signature
            return signature
        return self._signature

    def _changed(self) -> None:
        self._signature = None
        self._centroid = None
        self.start, self.end = (min(self.times), max(self.times)) if self.times else (0.0, 0.0)

    def discard(self, member: Member, vector: np.ndarray, sparse: Sparse | None = None) -> None:
        if sparse is not None:
            self.profile = _combine(self.profile, (sparse[0], -sparse[1]))
        self.members.discard(member.id)
        self.vsum -= vector
        self.times.remove(member.timestamp)
        self.keywords.subtract(member.keywords.tolist())
        self.phases.pop(member.id, None)
        self._changed()

    def absorb(self, other: Story) -> None:
        self.profile = _combine(self.profile, other.profile)
        self.members |= other.members
        self.vsum += other.vsum
        self.times += other.times
        self.keywords.update(other.keywords)
        self.phases.update(other.phases)
        self._changed()

    @property
    def centroid(self) -> np.ndarray:
        if self._centroid is None:
            self._centroid = (self.vsum / max(float(np.linalg.norm(self.vsum)), 1e-12)).astype(np.float32)
        return self._centroid

    def gap_days(self, timestamp: float) -> float:
        """Days between the timestamp and the story's time span (0 inside it)."""
        return max(0.0, self.start - timestamp, timestamp - self.end) / DAY


@dataclass(slots=True)
class Candidate:
    """A candidate story for one article, with its score components."""

    story: int
    score: float
    best: float
    best_id: str
    centroid: float
    terms: float


def _strongest(terms: TermCounts, lexical: LexicalEmbedder) -> TermCounts:
    """The KEPT_FEATURES features of highest TF-IDF weight (what members keep in memory)."""
    if len(terms.ids) <= KEPT_FEATURES:
        return terms
    _, weights = lexical.weigh(terms)
    top = np.sort(np.argpartition(-weights, KEPT_FEATURES)[:KEPT_FEATURES])
    return TermCounts(terms.ids[top], terms.counts[top])


class StoryScorer:
    """Scores candidate stories for an article from its nearest stored neighbours."""

    def __init__(self, settings: StorySettings, embedder: Embedder) -> None:
        self.s = settings
        self.embedder = embedder
        lexical = embedder if isinstance(embedder, LexicalEmbedder) else getattr(embedder, "lexical", None)
        self.lexical: LexicalEmbedder | None = lexical

    def compact(self, member: Member, keep: int | None = KEPT_FEATURES) -> None:
        """Derive the member's keywords; with ``keep``, drop all but its strongest features."""
        if self.lexical is None or member.terms is None or not len(member.terms.ids):
            return
        ids, weights = self.lexical.weigh(member.terms)
        words = ids < WORD_SPACE
        order = np.argsort(-weights[words])[:KEYWORDS]
        member.keywords = ids[words][order].astype(np.uint32)
        if keep is not None:
            member.terms = _strongest(member.terms, self.lexical)

    def similarities(self, query: Member, near: list[Member], dense: list[float]) -> list[float]:
        """Exact sparse cosine of the query to each neighbour (dense scores when not lexical)."""
        if self.lexical is None or self.embedder is not self.lexical or query.terms is None or not near:
            return dense
        q_ids, q_w = self.lexical.weigh(_strongest(query.terms, self.lexical))
        ids, weights, rows = self.lexical.weigh_many([o.terms or EMPTY_TERMS for o in near])
        if not len(q_ids) or not len(ids):
            return [0.0] * len(near)
        pos = np.minimum(np.searchsorted(q_ids, ids), len(q_ids) - 1)
        hit = q_ids[pos] == ids
        return np.bincount(rows[hit], q_w[pos[hit]] * weights[hit], minlength=len(near)).tolist()

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
        out = []
        words = query.terms.ids[query.terms.ids < WORD_SPACE] if query.terms is not None else query.keywords
        q_keys, q_idf = self._distinctive(query)
        for story_id, (sim, best_id) in best.items():
            story = stories[story_id]
            if q_sparse is not None:
                centroid = sparse_cos(q_sparse, story.profile)
            else:
                centroid = float(np.dot(vector, story.centroid))
            shared = self._shared_terms(story, words)
            gap = (story.gap_days(query.timestamp) / self.s.window_days) ** 2
            entity = self._entity_share(story, q_keys, q_idf) if len(q_keys) else 0.0
            score = (
                self.s.entity_weight * entity
                + self.s.article_weight * sim
                + self.s.centroid_weight * centroid
                + self.s.terms_weight * shared
                - self.s.time_weight * gap
            )
            out.append(Candidate(story_id, score, sim, best_id, centroid, shared))
        return sorted(out, key=lambda c: (-c.score, c.story))

    def _distinctive(self, query: Member) -> tuple[list[int], np.ndarray]:
        """The article's keywords of at least ``entity_min_idf`` IDF and their IDF."""
        if self.lexical is None or not self.s.entity_weight or not len(query.keywords):
            return [], np.zeros(0, np.float32)
        idf = self.lexical.idf(query.keywords)
        keep = idf >= self.s.entity_min_idf
        return query.keywords[keep].tolist(), idf[keep]

    def _entity_share(self, story: Story, keys: list[int], idf: np.ndarray) -> float:
        """IDF-weighted share of the article's distinctive words that many story members use (>= 2 needed)."""
        floor = max(2.0, self.s.entity_share * len(story))
        hit = np.array([story.keywords.get(k, 0) >= floor for k in keys], dtype=bool)
        if hit.sum() < 2:
            return 0.0
        return float(idf[hit].sum() / idf.sum())

    def _shared_terms(self, story: Story, words: np.ndarray) -> float:
        """Share of the story's signature (its most used keywords, by use) that the article contains."""
        sig_ids, sig_weights = story.signature()
        if not len(sig_ids):
            return 0.0
        return float(sig_weights[np.isin(sig_ids, words, assume_unique=True)].sum())

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


@dataclass(slots=True)
class _Prepared:
    """An embedded article: dense vector, sparse features, cue (computed once per batch)."""

    vector: np.ndarray
    member: Member


class StoryClusterer:
    """The :class:`service.stages.StoryStage` implementation."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings.stories
        self.embedder = embedder or build_embedder(settings)
        self.index = VectorIndex(
            self.embedder.dim, settings.data_dir / INDEX_FILE, self.settings.exact_index_max
        )
        self.scorer = StoryScorer(self.settings, self.embedder)
        self.members: dict[str, Member] = {}
        self.by_seq: dict[int, str] = {}
        self.stories: dict[int, Story] = {}
        self.postings: dict[int, list[int]] = {}
        self.next_story = 1
        self._ahead: dict[str, _Prepared] = {}
        self._since_pass = 0

    # --- embedding -------------------------------------------------------------------------
    def _embed(self, docs: Sequence[PreparedArticle]) -> list[_Prepared]:
        """Dense vectors, features and cues of a batch."""
        terms = self.embedder.terms(docs)
        vectors = self.embedder.vectors(docs, terms)
        out = []
        for doc, tc, vec in zip(docs, terms, vectors, strict=True):
            cue = article_cue(doc.title_norm or "", doc.body_norm)
            out.append(_Prepared(vec, Member(doc.id, -1, doc.timestamp, 0, cue, tc)))
        return out

    def prepare(self, docs: Sequence[PreparedArticle]) -> None:
        """Embed a batch ahead of :meth:`assign` calls for the same articles (faster)."""
        for doc, item in zip(docs, self._embed(docs), strict=True):
            self._ahead[doc.id] = item

    def vectors(self, docs: Sequence[PreparedArticle]) -> np.ndarray:
        """Batch embedding with the configured embedder."""
        return self.embedder.vectors(docs)

    def _prepared(self, doc: PreparedArticle) -> _Prepared:
        return self._ahead.pop(doc.id, None) or self._embed([doc])[0]

    # --- assignment ------------------------------------------------------------------------
    def _candidates(self, item: _Prepared, exclude: str | None = None) -> list[Candidate]:
        """Scored candidate stories for an embedded article, best first.

        Neighbours come from FAISS and from the keyword postings (articles sharing at least
        two of its distinctive words), restricted to the time window around the article.
        """
        if not len(item.member.keywords):
            self.scorer.compact(item.member, keep=None)
        scores, ids = self.index.search(item.vector, self.settings.neighbours)
        dense = dict(zip(ids[0].tolist(), scores[0].tolist(), strict=True))
        shared: Counter[int] = Counter()
        for keyword in item.member.keywords.tolist():
            shared.update(self.postings.get(keyword, [])[-POSTING_SCAN:])
        extra = [
            seq for seq, n in shared.most_common(self.settings.neighbours) if n >= 2 and seq not in dense
        ]
        if extra and self.scorer.embedder is not self.scorer.lexical:
            dense.update(zip(extra, (self.index.vectors(extra) @ item.vector).tolist(), strict=True))
        else:
            dense.update(dict.fromkeys(extra, 0.0))
        window = self.settings.window_days * DAY
        near, near_dense = [], []
        for seq, score in dense.items():
            article_id = self.by_seq.get(seq)
            if article_id is None or article_id == exclude:
                continue
            other = self.members[article_id]
            if abs(other.timestamp - item.member.timestamp) <= window:
                near.append(other)
                near_dense.append(score)
        return self.scorer.rank(item.vector, item.member, near, near_dense, self.stories)

    def probe(self, doc: PreparedArticle) -> tuple[int, float] | None:
        """The story the article would join and its score, without changing anything."""
        item = self._ahead.get(doc.id) or self._embed([doc])[0]
        ranked = self._candidates(item, exclude=doc.id)
        if ranked and ranked[0].score >= self.settings.join_threshold:
            return ranked[0].story, ranked[0].score
        return None

    def assign(self, doc: PreparedArticle, seq: int, duplicate: DuplicateMatch | None) -> StoryAssignment:
        """Place one new article; returns where it went and everything that changed."""
        item = self._prepared(doc)
        member = item.member
        member.seq = seq
        if doc.id in self.members:
            self.remove(doc.id)
        ranked = self._candidates(item)
        original = self.members.get(duplicate.of) if duplicate is not None else None
        merges: list[tuple[int, int]] = []
        semantic = None
        similarity = ranked[0].best if ranked else 0.0
        if original is not None:
            story_id, similarity = original.story, duplicate.score if duplicate else 1.0
        elif ranked and ranked[0].score >= self.settings.join_threshold:
            story_id = ranked[0].story
            best = ranked[0]
            if duplicate is None and best.best >= self.settings.semantic_threshold and best.best_id:
                semantic = DuplicateMatch("semantic", best.best_id, round(best.best, 4))
        else:
            story_id = self.next_story
        new_story = story_id not in self.stories
        if new_story:
            self.next_story = max(self.next_story, story_id) + 1
            self.stories[story_id] = Story(story_id, self.embedder.dim)
        member.duplicate_of = original.id if original is not None else None
        features = member.to_bytes()
        self.embedder.observe(member.terms)
        self.scorer.compact(member)
        self._insert(member, item.vector, story_id)
        if original is None and not new_story:
            # The article may bridge its story to others (checked with the story it now extends).
            for other in ranked[1:]:
                if other.score >= self.settings.merge_threshold and self.scorer.mergeable(
                    self.stories[story_id], self.stories[other.story]
                ):
                    survivor, absorbed = self._merge(story_id, other.story)
                    merges.append((absorbed, survivor))
                    story_id = survivor
        updates: dict[str, str] = {}
        self._since_pass += 1
        lexical = self.scorer.lexical
        if lexical and self.settings.merge_pass_every and self._since_pass >= self.settings.merge_pass_every:
            self._since_pass = 0
            passed = merge_pass(self.stories, member.timestamp, self.settings, lexical.idf, self._merge)
            merges += passed
            for _, survivor in passed:
                if survivor in self.stories and survivor != story_id:
                    updates.update(self._rephase(survivor))
            story_id = self.members[member.id].story
        updates.update(self._rephase(story_id))
        phase = updates.pop(member.id, self.stories[story_id].phases.get(member.id, "arrival"))
        return StoryAssignment(
            cluster_id=story_id,
            phase=phase,
            new_story=new_story,
            similarity=float(similarity),
            vector=item.vector.astype(np.float32).tobytes(),
            features=features,
            semantic=semantic,
            merges=merges,
            phase_updates=updates,
            touched_clusters={story_id, *(a for a, _ in merges)},
        )

    def _insert(self, member: Member, vector: np.ndarray, story_id: int) -> None:
        """Add a member to the index, the lookup tables and its story."""
        member.story = story_id
        self.members[member.id] = member
        self.by_seq[member.seq] = member.id
        for keyword in member.keywords.tolist():
            self.postings.setdefault(keyword, []).append(member.seq)
        self.index.add(np.array([member.seq]), vector[None, :])
        self.stories[story_id].add(member, vector, self.scorer.sparse(member))

    def _merge(self, a: int, b: int) -> tuple[int, int]:
        """Merge two stories; the larger (then older) survives. Returns (survivor, absorbed)."""
        sa, sb = self.stories[a], self.stories[b]
        survivor, absorbed = (sa, sb) if (len(sa), -sa.id) >= (len(sb), -sb.id) else (sb, sa)
        for member_id in list(absorbed.members):
            self.members[member_id].story = survivor.id
        survivor.absorb(absorbed)
        del self.stories[absorbed.id]
        return survivor.id, absorbed.id

    def _rephase(self, story_id: int) -> dict[str, str]:
        """Recompute the story's phases; returns the members whose phase changed."""
        story = self.stories[story_id]
        ids = sorted(story.members)
        times = np.array([self.members[i].timestamp for i in ids])
        phases = story_phases(times, [self.members[i].cue for i in ids])
        changed = {i: p for i, p in zip(ids, phases, strict=True) if story.phases.get(i) != p}
        story.phases = dict(zip(ids, phases, strict=True))
        return changed

    def remove(self, article_id: str) -> StoryAssignment | None:
        """Forget an article; returns its story's changes (``None`` when unknown)."""
        member = self.members.pop(article_id, None)
        if member is None:
            return None
        self.by_seq.pop(member.seq, None)
        vector = self.index.vectors([member.seq])[0]
        self.index.remove([member.seq])
        self.embedder.observe(member.terms, -1)
        story = self.stories[member.story]
        story.discard(member, vector, self.scorer.sparse(member))
        updates: dict[str, str] = {}
        if len(story):
            updates = self._rephase(story.id)
        else:
            del self.stories[story.id]
        return StoryAssignment(
            member.story, "", False, 0.0, b"", phase_updates=updates, touched_clusters={story.id}
        )

    # --- persistence -----------------------------------------------------------------------
    def state(self) -> bytes:
        """Embedder statistics and counters (article data comes back through the records)."""
        return zlib.compress(
            pickle.dumps({"embedder": self.embedder.state(), "next_story": self.next_story}), 1
        )

    def load(self, records: Iterable[StoryRecord], state: bytes | None) -> None:
        """Rebuild memory from stored records, then sync the FAISS file with their ids."""
        data = pickle.loads(zlib.decompress(state)) if state else {}
        self.embedder.load_state(data.get("embedder"))
        for table in (self.members, self.by_seq, self.stories, self.postings):
            table.clear()
        vectors: dict[int, np.ndarray] = {}
        for record in sorted(records, key=lambda r: r.seq):
            vector = np.frombuffer(record.vector, dtype=np.float32)
            member = Member.from_bytes(
                record.id, record.seq, record.timestamp, record.cluster_id, record.features
            )
            member.duplicate_of = record.duplicate_of
            self.scorer.compact(member)
            self.members[record.id] = member
            self.by_seq[record.seq] = record.id
            for keyword in member.keywords.tolist():
                self.postings.setdefault(keyword, []).append(record.seq)
            story = self.stories.get(record.cluster_id) or self.stories.setdefault(
                record.cluster_id, Story(record.cluster_id, self.embedder.dim)
            )
            story.add(member, vector, self.scorer.sparse(member))
            story.phases[record.id] = record.phase or "core"
            vectors[record.seq] = vector
        self.next_story = max([data.get("next_story", 1), *(s + 1 for s in self.stories)])
        self.index.sync(vectors)

    def save(self) -> None:
        """Persist the FAISS index file."""
        self.index.save()


StoryIndex = StoryClusterer
