"""What the story stage keeps in memory: members, sparse story profiles and stories.

A :class:`Member` is one stored article as the clusterer sees it (time, story, phase cue,
its strongest sparse features and distinctive keywords). A :class:`Story` keeps running
sums so that joining, leaving and merging are O(member) updates: the dense centroid sum,
a sparse TF-IDF profile capped at ``PROFILE_FEATURES`` features, keyword counts, the time
span and the members' phases.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from service.bags import Bag, TermCounts
from service.phases import CUES
from service.story_keywords import KeywordCounts

KEPT_FEATURES = 192  # sparse features kept in memory per article for exact re-scoring
KEYWORDS = 16  # distinctive words per article (also the keys of the candidate postings)
PROFILE_FEATURES = 600  # sparse story profile size (summed member TF-IDF vectors)
SIGNATURE = 20  # most used keywords of a story that articles are matched against
INCREMENTAL_SIGNATURE = 64  # above this size a story updates its signature ranking on add
DAY = 86400.0
_VERSIONS = itertools.count(1)  # story versions are unique across all stories, so caches never mix them up


@dataclass(slots=True)
class Member:
    """What the clusterer keeps in memory per stored article."""

    id: str
    seq: int
    timestamp: float
    story: int
    cue: str
    terms: Bag | None  # full features until inserted, then the top KEPT_FEATURES, packed
    keywords: bytes = b""  # uint32 word ids: 33 bytes of header where an array costs about 100
    duplicate_of: str | None = None

    def keyword_ids(self) -> np.ndarray:
        """The keywords as a (read-only) uint32 array."""
        return np.frombuffer(self.keywords, np.uint32)

    def keyword_list(self) -> list[int]:
        """The keywords as ints."""
        return memoryview(self.keywords).cast("I").tolist()

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
    """Sum of two sparse vectors, keeping the PROFILE_FEATURES strongest features.

    An empty side returns the other one itself (arrays are never modified in place), so a
    one-article story shares one pair of arrays between its profile and its day profile.
    """
    if not len(a[0]) and len(b[0]) <= 2 * PROFILE_FEATURES:
        return b
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

    # Slots and a float32 vector sum: less memory per story (the sum only serves dense embedders).
    __slots__ = (
        "_centroid",
        "_signature",
        "_top",
        "days",
        "end",
        "id",
        "keywords",
        "members",
        "phases",
        "profile",
        "start",
        "times",
        "version",
        "vsum",
    )

    def __init__(self, story_id: int, dim: int) -> None:
        """``dim``: size of the dense vector sum (0 keeps none: sparse-scored stories)."""
        self.id = story_id
        self.members: set[str] = set()
        self.vsum = np.zeros(dim, dtype=np.float32)
        self.times: list[float] = []
        self.keywords = KeywordCounts()
        self.phases: dict[str, str] = {}
        self._centroid: np.ndarray | None = None
        self._signature: tuple[np.ndarray, np.ndarray] | None = None
        self._top: list[tuple[int, int]] | None = None  # signature (word, uses) by rank, current on add
        self.start = self.end = 0.0
        self.profile: Sparse = _EMPTY_SPARSE
        self.days: dict[int, Sparse] = {}  # profile of the members published on each (UTC) day
        self.version = next(_VERSIONS)  # renewed on every change (keys caches of derived profiles)

    def __len__(self) -> int:
        return len(self.members)

    def add(self, member: Member, vector: np.ndarray, sparse: Sparse | None = None) -> None:
        if sparse is not None:
            self.profile = _combine(self.profile, sparse)
            day = int(member.timestamp // DAY)
            self.days[day] = _combine(self.days.get(day, _EMPTY_SPARSE), sparse)
        first = not self.members
        self.members.add(member.id)
        if self.vsum.size:
            self.vsum += vector
        self.times.append(member.timestamp)
        self.keywords.add(member.keyword_ids())
        self._update_top(member)
        self._changed(added=True)
        t = member.timestamp
        self.start, self.end = (t, t) if first else (min(self.start, t), max(self.end, t))

    def attach(self, members: list[Member]) -> None:
        """Add members whose profile and keywords the story already counts (snapshot restore);
        the caller adds their vectors to ``vsum``."""
        self.members.update(m.id for m in members)
        self.times += [m.timestamp for m in members]
        self._changed()

    def _update_top(self, added: Member) -> None:
        """Keep the signature ranking of a big story current after an add without ranking all
        its keywords: counts only grew, so the new top is among the old top and the added
        member's keywords (read only here: a small story does not need them)."""
        if self._top is None or len(self.members) <= INCREMENTAL_SIGNATURE:
            self._top = None
            return
        ranked = list(dict.fromkeys([*(k for k, _ in self._top), *added.keyword_list()]))
        uses = dict(zip(ranked, self.keywords.counts_of(ranked), strict=True))
        ranked.sort(key=lambda k: -uses[k])  # stable: ties keep the older entries first
        self._top = [(k, uses[k]) for k in ranked[:SIGNATURE] if uses[k] >= 2]

    def signature(self) -> tuple[np.ndarray, np.ndarray]:
        """The story's most used distinctive words (sorted ids) and their shares of use."""
        if self._signature is None:
            top = self._top
            if top is None:
                floor = 2 if len(self.members) > 2 else 1
                top = [(k, n) for k, n in self.keywords.most_common(SIGNATURE) if n >= floor]
            # only a story that is big after its next add updates this ranking then; a smaller one
            # re-ranks from scratch, so it need not keep it
            self._top = top if len(self.members) >= INCREMENTAL_SIGNATURE else None
            ids = np.array([k for k, _ in top], dtype=np.uint32)
            weights = np.array([n for _, n in top], dtype=np.float32)
            order = np.argsort(ids)
            signature = ids[order], weights[order] / max(float(weights.sum()), 1.0)
            self._signature = signature
            return signature
        return self._signature

    def _changed(self, added: bool = False) -> None:
        """Invalidate derived values. After an add the caller updates the span and the signature
        ranking itself; any other change recomputes the span and re-ranks from scratch."""
        self.version = next(_VERSIONS)
        self._signature = None
        self._centroid = None
        if not added:
            self._top = None
            self.start, self.end = (min(self.times), max(self.times)) if self.times else (0.0, 0.0)

    def discard(self, member: Member, vector: np.ndarray, sparse: Sparse | None = None) -> None:
        if sparse is not None:
            self.profile = _combine(self.profile, (sparse[0], -sparse[1]))
            day = int(member.timestamp // DAY)
            self.days[day] = _combine(self.days.get(day, _EMPTY_SPARSE), (sparse[0], -sparse[1]))
        self.members.discard(member.id)
        if self.vsum.size:
            self.vsum -= vector
        self.times.remove(member.timestamp)
        self.keywords.add(member.keyword_ids(), -1)
        self.phases.pop(member.id, None)
        self._changed()

    def absorb(self, other: Story) -> None:
        self.profile = _combine(self.profile, other.profile)
        for day, part in other.days.items():
            self.days[day] = _combine(self.days.get(day, _EMPTY_SPARSE), part)
        self.members |= other.members
        if self.vsum.size:
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

    def profile_near(self, timestamp: float, radius_days: int) -> Sparse:
        """Profile of the members published within ``radius_days`` days of the timestamp.

        Scoring an article against the story's coverage around its own time keeps a long
        story from drifting: old, different coverage no longer pulls new articles in. With
        no coverage that close (a preview days before the event), the whole profile.
        """
        day = int(timestamp // DAY)
        near = _EMPTY_SPARSE
        for d in range(day - radius_days, day + radius_days + 1):
            part = self.days.get(d)
            if part is not None:
                near = _combine(near, part)
        return near if len(near[0]) else self.profile

    def gap_days(self, timestamp: float) -> float:
        """Days between the timestamp and the story's time span (0 inside it)."""
        return max(0.0, self.start - timestamp, timestamp - self.end) / DAY
