"""Persistence of the story stage: counters, restart from the store or the snapshot, checkpoints.

A restart rebuilds the clusterer's memory (members, stories, keyword postings) from the stored
records, or, when the checkpoint's snapshot (:mod:`service.story_snapshot`) agrees with the
database, from the snapshot plus the records stored after it; then the FAISS time shards are
synchronized with the stored ids (rebuilt where they disagree).
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable
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
        """Embedder statistics and counters (article data comes back through the records)."""
        return zlib.compress(
            pickle.dumps({"embedder": self.embedder.state(), "next_story": self.next_story}), 1
        )

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
        else:
            rows = iter(sorted(records, key=lambda r: r.seq))
            times = None
        self.restored = restored is not None
        if restored is not None:
            self._restore(restored)
        vectors: dict[int, np.ndarray] = {}
        for record in rows:
            vectors[record.seq] = self._load_record(record)
        self.next_story = max([data.get("next_story", 1), *(s + 1 for s in self.stories)])

        def stored_vectors() -> dict[int, np.ndarray]:
            if restored is None:
                return vectors
            return {r.seq: np.frombuffer(r.vector, dtype=np.float32) for r in source.story_records()}

        if times is None:
            times = {seq: self.members[i].timestamp for seq, i in self.by_seq.items()}
        self.index.sync(stored_vectors, times)

    def _load_record(self, record: StoryRecord) -> np.ndarray:
        """Add one stored article to memory (full rebuild or replay after a snapshot); its vector."""
        vector = np.frombuffer(record.vector, dtype=np.float32)
        member = Member.from_bytes(
            record.id, record.seq, record.timestamp, record.cluster_id, record.features
        )
        member.duplicate_of = record.duplicate_of
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
