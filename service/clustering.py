"""Online story assignment: each article joins the best nearby story or opens a new one.

Per article: the time-sharded FAISS index returns the nearest stored articles within
``window_days`` of its publication time, plus articles sharing two or more of its
distinctive words; they are re-scored exactly on the sparse TF-IDF features (lexical
embedders) and each candidate story is scored by :mod:`service.story_scoring`. The
article joins the best story at or above ``join_threshold`` (``popular_join_threshold``
for stories of ``popular_size`` articles or more), else opens a new one; then
:mod:`service.story_merge` applies the bridging and fragment merge rules. Duplicates join
their original's story, unless the copy clearly fits another story better: then the whole
duplicate group moves there (``rehome_margin``). Close copies inside a story are reported as
``semantic`` duplicates. Phases are recomputed per story by :mod:`service.phase_tracker`.
Restart and checkpoints are in :mod:`service.story_persistence`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from service.batch_search import BatchSearch, EmbeddedArticle
from service.config import Settings
from service.documents import DuplicateMatch, PreparedArticle
from service.embedding import Embedder, build_embedder
from service.index import VectorIndex
from service.phase_tracker import PhaseTracker
from service.phases import article_cue
from service.postings import KeywordPostings
from service.stages import StoryAssignment
from service.story_merge import StoryMerger
from service.story_persistence import PersistentStories
from service.story_probes import CheckProbes
from service.story_scoring import Candidate, StoryScorer
from service.story_state import DAY, Member, Story

INDEX_DIR = "stories.index"  # one FAISS file per time shard
POSTING_SCAN = 400  # most recent postings read per keyword


class StoryClusterer(PersistentStories, CheckProbes):
    """The :class:`service.stages.StoryStage` implementation."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings.stories
        self.data_dir = settings.data_dir
        self.embedder = embedder or build_embedder(settings)
        self.index = VectorIndex(
            self.embedder.dim,
            settings.data_dir / INDEX_DIR,
            self.settings.exact_index_max,
            bucket_seconds=self.settings.window_days * DAY,
        )
        self.scorer = StoryScorer(self.settings, self.embedder)
        # dense vector sums only where centroids are scored (1 KB per story saved otherwise)
        self.sum_dim = 0 if self.scorer.sparse_scoring else self.embedder.dim
        self.members: dict[str, Member] = {}
        self.by_seq: dict[int, str] = {}
        self.stories: dict[int, Story] = {}
        self.postings = KeywordPostings()
        self.next_story = 1
        self._ahead: dict[str, EmbeddedArticle] = {}
        self._batch: BatchSearch | None = None
        self.merger = StoryMerger(self.settings, self.scorer, self.stories, self.members, self.index.vectors)
        self.phase_tracker = PhaseTracker()
        self.restored = False  # whether the last load used the snapshot

    # --- embedding -------------------------------------------------------------------------
    def _embed(self, docs: Sequence[PreparedArticle]) -> list[EmbeddedArticle]:
        """Dense vectors, features and cues of a batch."""
        terms = self.embedder.terms(docs)
        vectors = self.embedder.vectors(docs, terms)
        out = []
        for doc, tc, vec in zip(docs, terms, vectors, strict=True):
            cue = article_cue(doc.title_norm or "", doc.body_norm)
            out.append(EmbeddedArticle(vec, Member(doc.id, -1, doc.timestamp, 0, cue, tc)))
        return out

    def prepare(self, docs: Sequence[PreparedArticle]) -> None:
        """Embed and search a batch ahead of :meth:`assign` calls for the same articles (faster)."""
        self._ahead.clear()  # leftovers of a failed batch
        items = self._embed(docs)
        if items:
            found = self.index.search_many(
                np.stack([item.vector for item in items]),
                self.settings.neighbours,
                np.array([item.member.timestamp for item in items]),
                self.settings.window_days * DAY,
            )
            for item, near in zip(items, found, strict=True):
                item.near = near
            self._batch = BatchSearch()
        for doc, item in zip(docs, items, strict=True):
            self._ahead[doc.id] = item

    def vectors(self, docs: Sequence[PreparedArticle]) -> np.ndarray:
        """Batch embedding with the configured embedder."""
        return self.embedder.vectors(docs)

    def _prepared(self, doc: PreparedArticle) -> EmbeddedArticle:
        item = self._ahead.pop(doc.id, None) or self._embed([doc])[0]
        if not self._ahead:
            self._batch = None  # the batch is done: stop tracking the articles it adds
        return item

    def _search(self, item: EmbeddedArticle) -> tuple[np.ndarray, np.ndarray]:
        """The article's nearest stored articles in its time window (scores, ids)."""
        k, within = self.settings.neighbours, self.settings.window_days * DAY
        batch = self._batch
        if item.near is None or batch is None or batch.stale:
            scores, ids = self.index.search(item.vector, k, item.member.timestamp, within)
            return scores[0], ids[0]
        if not batch.seqs:
            return item.near
        low = self.index.bucket(item.member.timestamp - within)
        high = self.index.bucket(item.member.timestamp + within)
        return batch.top_up(item.near, item.vector, low, high, k)

    # --- assignment ------------------------------------------------------------------------
    def _candidates(self, item: EmbeddedArticle, exclude: str | None = None) -> list[Candidate]:
        """Scored candidate stories for an embedded article, best first.

        Neighbours come from FAISS and from the keyword postings (articles sharing at least
        two of its distinctive words), restricted to the time window around the article.
        """
        if not len(item.member.keywords):
            self.scorer.compact(item.member, keep=None)
        scores, ids = self._search(item)
        dense = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        sharing = self.postings.sharing(item.member.keyword_list(), POSTING_SCAN, self.settings.neighbours)
        extra = [seq for seq in sharing if seq not in dense]
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

    def _joinable(self, ranked: list[Candidate]) -> Candidate | None:
        """The best candidate when it reaches ``join_threshold`` (``popular_join_threshold`` for a
        story of ``popular_size`` articles or more: the larger story is the likelier home)."""
        if not ranked:
            return None
        best, bar = ranked[0], self.settings.join_threshold
        if len(self.stories[best.story]) >= self.settings.popular_size:
            bar = min(bar, self.settings.popular_join_threshold)
        return best if best.score >= bar else None

    def plan(self, doc: PreparedArticle) -> list[Candidate] | None:
        """Candidate stories of a new article, best first: what :meth:`assign` reads before it
        changes anything. Only the (single) writer calls it, so nothing changes in between;
        ``None`` for an article already stored, which is ranked after its removal."""
        if doc.id in self.members:
            return None
        item = self._ahead.get(doc.id)
        if item is None:
            item = self._ahead[doc.id] = self._embed([doc])[0]
        return self._candidates(item)

    def assign(
        self,
        doc: PreparedArticle,
        seq: int,
        duplicate: DuplicateMatch | None,
        planned: list[Candidate] | None = None,
        reopen: int | None = None,
        copies: Mapping[str, float] | None = None,
    ) -> StoryAssignment:
        """Place one new article (ranked by :meth:`plan` just before, or here); returns where
        it went and everything that changed. ``reopen``: a story id no longer in use, taken
        should the article open a story (a corrected article keeps its lone story's id).
        ``copies``: stored copies that name this article their original now (it is earlier than
        the group's original was), with their scores: it joins their story as a copy joins its
        original's."""
        item = self._prepared(doc)
        member = item.member
        member.seq = seq
        if doc.id in self.members:
            self.remove(doc.id)
            planned = None
        ranked = planned if planned is not None else self._candidates(item)
        group, anchor, score = self.merger.group_home(doc.id, duplicate, copies or {})
        semantic = None
        similarity = ranked[0].best if ranked else 0.0
        moves: dict[str, int] = {}
        moved_from: set[int] = set()
        if anchor is not None:
            story_id, similarity = anchor.story, score
            target = self.merger.rehome_target(anchor, ranked, self._joinable(ranked))
            if target is not None and (moves := self.merger.move_group(group, anchor.story, target)):
                moved_from, story_id = {story_id}, target
        elif (best := self._joinable(ranked)) is not None:
            story_id = best.story
            if duplicate is None and best.best >= self.settings.semantic_threshold and best.best_id:
                semantic = DuplicateMatch("semantic", best.best_id, round(best.best, 4))
        else:
            story_id = reopen if reopen is not None and reopen not in self.stories else self.next_story
        new_story = story_id not in self.stories
        if new_story:
            self.next_story = max(self.next_story, story_id + 1)
            self.stories[story_id] = Story(story_id, self.sum_dim)
        member.duplicate_of = duplicate.of if duplicate is not None and anchor is not None else None
        features = member.to_bytes()
        self.embedder.observe(member.terms)
        self.scorer.compact(member)
        self._insert(member, item.vector, story_id)
        merges: list[tuple[int, int]] = []
        vote = None
        if not new_story:
            story_id, merges, vote = self.merger.after_join(story_id, ranked, bridge=anchor is None)
        updates = self._rephase(story_id)
        for source in moved_from:
            if source in self.stories:
                updates.update(self._rephase(source))
        phase = updates.pop(member.id, self.stories[story_id].phases.get(member.id, "arrival"))
        return StoryAssignment(
            cluster_id=story_id,
            phase=phase,
            new_story=new_story and story_id != reopen,  # a corrected article's own story is not new
            similarity=float(similarity),
            vector=item.vector.astype(np.float32).tobytes(),
            features=features,
            semantic=semantic,
            merges=merges,
            phase_updates=updates,
            touched_clusters={story_id, *(a for a, _ in merges), *moved_from},
            moves=moves,
            vote=vote,
        )

    def regroup(self, changed: Mapping[str, DuplicateMatch | None]) -> set[int]:
        """Point stored members at their copy group's original as the duplicate stage now has it;
        returns their stories (whose duplicate counts changed)."""
        stories = set()
        for article_id, match in changed.items():
            member = self.members.get(article_id)
            if member is not None:
                member.duplicate_of = match.of if match is not None else None
                stories.add(member.story)
        return stories

    def _insert(self, member: Member, vector: np.ndarray, story_id: int) -> None:
        """Add a member to the index, the lookup tables and its story."""
        member.story = story_id
        self.members[member.id] = member
        self.by_seq[member.seq] = member.id
        for keyword in member.keyword_list():
            self.postings.add(keyword, member.seq)
        self.index.add(np.array([member.seq]), vector[None, :], np.array([member.timestamp]))
        if self._batch is not None:
            self._batch.added(member.seq, vector, self.index.bucket(member.timestamp))
        self.stories[story_id].add(member, vector, self.scorer.sparse(member))

    def _rephase(self, story_id: int) -> dict[str, str]:
        """Recompute the story's phases; returns the members whose phase changed.

        Big stories are re-phased incrementally (:mod:`service.phase_tracker`, same result).
        """
        return self.phase_tracker.rephase(story_id, self.stories, self.members)

    def remove(self, article_id: str, features: bytes | None = None) -> StoryAssignment | None:
        """Forget an article; returns its story's changes (``None`` when unknown). ``features``:
        its stored features (``StoryAssignment.features``), all of which its ingest counted into
        the document frequencies; the member keeps only its strongest ones."""
        member = self.members.pop(article_id, None)
        if member is None:
            return None
        self.by_seq.pop(member.seq, None)
        if self._batch is not None:
            self._batch.stale = True
        vector = self.index.vectors([member.seq])[0]
        self.index.remove([member.seq])
        counted = Member.from_bytes(article_id, 0, 0.0, 0, features).terms if features else member.terms
        self.embedder.observe(counted, -1)
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


StoryIndex = StoryClusterer
