"""Persistence of the story stage: counters, restart from the store or the snapshot, checkpoints.

A restart rebuilds the clusterer's memory (members, stories, keyword postings) from the stored
records, or, when the checkpoint's snapshot (:mod:`service.story_snapshot`) agrees with the
database, from the snapshot plus the records stored after it; then the FAISS time shards are
synchronized with the stored ids (rebuilt where they disagree).

The embedder's document frequencies must count exactly the stored articles, or every later
article is weighed wrongly (after a crash before the first checkpoint they counted nothing and
stories collapsed into one). The checkpoint's counts are used with the snapshot of the same
checkpoint; without such a pair they are recounted from the articles the snapshot covers (none
without a snapshot). Every article replayed after that is counted in just before it is added, as
ingest counted it, so a rebuild weighs and compacts each under the counts it had then. New story
ids continue after the highest id the database ever stored, so a story merged away after the
last checkpoint does not lend its id to a new one.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from service import story_snapshot
from service.embedding import Embedder
from service.index import VectorIndex
from service.postings import KeywordPostings
from service.stages import StoryRecord, StoryRecordSource
from service.story_merge import StoryMerger
from service.story_scoring import StoryScorer
from service.story_state import Member, Story

SNAPSHOT_FILE = "stories.snapshot"


class PersistentStories:
    """Load and save for :class:`service.clustering.StoryClusterer` (which owns the attributes)."""

    data_dir: Path
    embedder: Embedder
    scorer: StoryScorer
    index: VectorIndex
    merger: StoryMerger
    members: dict[str, Member]
    by_seq: dict[int, str]
    stories: dict[int, Story]
    postings: KeywordPostings
    next_story: int
    sum_dim: int
    restored: bool

    def state(self) -> bytes:
        """Embedder statistics, counters and pending merge votes, with the last seq they cover
        (the snapshot written with them covers the same); article data comes back through the records."""
        state = {
            "embedder": self.embedder.state(),
            "next_story": self.next_story,
            "last_seq": max(self.by_seq, default=0),
            "votes": self.merger.pending_votes(),
        }
        return zlib.compress(pickle.dumps(state), 1)

    def load(self, records: Iterable[StoryRecord] | StoryRecordSource, state: bytes | None) -> None:
        """Rebuild memory, then sync the FAISS shards with the stored ids.

        From a record source (the store) the checkpoint's snapshot is used when it agrees with
        the database and only newer records are replayed; otherwise every record is read.
        """
        data = pickle.loads(zlib.decompress(state)) if state else {}
        self.embedder.load_state(data.get("embedder"))
        for table in (self.members, self.by_seq, self.stories, self.postings):
            table.clear()
        self.merger.clear()
        restored: story_snapshot.Restored | None = None
        if isinstance(records, StoryRecordSource):
            source = records
            keys = list(source.story_records(light=True))
            times = {k.seq: k.timestamp for k in keys}
            restored = story_snapshot.read(self.snapshot_path, self.embedder.name, self.sum_dim, keys)
            rows = source.story_records(after_seq=restored.last_seq if restored else 0)
            everything: Callable[[], Iterable[StoryRecord]] = source.story_records
            last_used = source.last_story_id()
        else:
            listed = keys = sorted(records, key=lambda r: r.seq)
            rows, everything, times, last_used = iter(listed), lambda: listed, None, 0
        # The checkpoint's counts go with its own snapshot only (states before "last_seq" had one).
        # Otherwise the counts start from the articles the snapshot covers (none without one).
        covered = restored.last_seq if restored is not None else 0
        if not (data and restored is not None and data.get("last_seq", covered) == covered):
            self._recount(r for r in everything() if r.seq <= covered)
        self.restored = restored is not None
        if restored is not None:
            self._restore(restored)
        vectors: dict[int, np.ndarray] = {}
        for record in rows:
            vectors[record.seq] = self._load_record(record)
        self.next_story = max([data.get("next_story", 1), last_used + 1, *(s + 1 for s in self.stories)])
        # the checkpoint's votes count those cast up to its last seq; every later article's is added
        # (whichever seq the snapshot covers: one can be written without its state, by a crash)
        voted_after = data.get("last_seq", 0)
        cast = [k.vote for k in keys if k.vote is not None and k.seq > voted_after]
        self.merger.restore_votes(data.get("votes", []), cast)

        def stored_vectors() -> dict[int, np.ndarray]:
            if restored is None:
                return vectors
            return {r.seq: np.frombuffer(r.vector, dtype=np.float32) for r in source.story_records()}

        if times is None:
            times = {seq: self.members[i].timestamp for seq, i in self.by_seq.items()}
        self.index.sync(stored_vectors, times)

    def _recount(self, records: Iterable[StoryRecord]) -> None:
        """Document frequencies counted afresh from these stored articles."""
        self.embedder.load_state(None)
        for record in records:
            self.embedder.observe(Member.from_bytes(record.id, record.seq, 0.0, 0, record.features).terms)

    def _load_record(self, record: StoryRecord) -> np.ndarray:
        """Add one stored article to memory (full rebuild or replay after a snapshot); its vector.

        Its features are counted into the document frequencies first, as ingest counted them, so
        it is compacted and weighed under the counts it had then (a rebuild reproduces the state
        ingest built, but for deletions and moved duplicate groups)."""
        vector = np.frombuffer(record.vector, dtype=np.float32)
        member = Member.from_bytes(
            record.id, record.seq, record.timestamp, record.cluster_id, record.features
        )
        member.duplicate_of = record.duplicate_of
        self.embedder.observe(member.terms)
        self.scorer.compact(member)
        self._remember(member)
        story = self.stories.get(record.cluster_id) or self.stories.setdefault(
            record.cluster_id, Story(record.cluster_id, self.sum_dim)
        )
        story.add(member, vector, self.scorer.sparse(member))
        story.phases[record.id] = record.phase or "core"
        return vector

    def _remember(self, member: Member) -> None:
        """Index a loaded member by id, seq and keywords."""
        self.members[member.id] = member
        self.by_seq[member.seq] = member.id
        for keyword in member.keyword_list():
            self.postings.add(keyword, member.seq)

    def _restore(self, restored: story_snapshot.Restored) -> None:
        """Members and stories of a snapshot."""
        self.stories.update(restored.stories)
        self.members.update((m.id, m) for m in restored.members)
        self.by_seq.update((m.seq, m.id) for m in restored.members)
        self.postings.load(*restored.postings)
        for story_id, members in _by_story(restored.members).items():
            story = self.stories[story_id]
            story.attach(members)
            story.phases.update((m.id, restored.phases[m.id]) for m in members)

    @property
    def snapshot_path(self) -> Path:
        """Where :meth:`save` writes the story snapshot."""
        return self.data_dir / SNAPSHOT_FILE

    def save(self) -> None:
        """Persist the FAISS shards and the story snapshot."""
        self.index.save()
        story_snapshot.write(
            self.snapshot_path, self.embedder.name, self.members.values(), self.stories.values()
        )


def _by_story(members: Iterable[Member]) -> dict[int, list[Member]]:
    """Members grouped by story, in the given order."""
    groups: dict[int, list[Member]] = {}
    for member in members:
        groups.setdefault(member.story, []).append(member)
    return groups
