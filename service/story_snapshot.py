"""Snapshot of the story stage's compacted memory, so a restart need not rebuild it record by record.

Rebuilding from the database means decompressing every article's features, re-deriving its
kept features and keywords and re-summing every story profile (about 30 s at 100k
articles). At each checkpoint the clusterer writes instead, as flat numpy arrays, what is
costly to derive: each member's kept features and keywords, and each story's sparse
profile, per-day profiles, vector sum and keyword counts (in insertion order, which breaks
ties between keywords). What the database holds anyway (story of each article, phases,
copies, vectors) is read from it.

A snapshot is used only when it agrees with the database: the same articles up to its last
``seq`` in the same stories (anything newer is replayed from its record). Otherwise, for
instance after a merge or a deletion that was never checkpointed, the caller rebuilds.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from service.bags import KeptTerms
from service.phases import CUES
from service.stages import StoryRecord
from service.story_keywords import KeywordCounts
from service.story_state import KEPT_FEATURES, KEYWORDS, PROFILE_FEATURES, Member, Story

log = logging.getLogger(__name__)
VERSION = 6  # 6: kept features as 3-byte entries (bags.KeptTerms)
LAYOUT = (VERSION, KEPT_FEATURES, KEYWORDS, PROFILE_FEATURES)


def _ragged(parts: Sequence[np.ndarray], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated arrays and their offsets (``len(parts) + 1`` of them)."""
    sizes = np.fromiter((len(p) for p in parts), np.int64, len(parts))
    offsets = np.zeros(len(parts) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    flat = np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
    return flat, offsets


def write(path: Path, embedder: str, members: Iterable[Member], stories: Iterable[Story]) -> None:
    """Write the snapshot of these members and stories atomically."""
    ordered = sorted(members, key=lambda m: m.seq)
    kept = [_packed(m) for m in ordered]
    chosen = list(stories)
    keywords = [s.keywords.arrays() for s in chosen]
    data: dict[str, Any] = {
        "layout": LAYOUT,
        "embedder": embedder,
        "ids": [m.id for m in ordered],
        "seq": np.fromiter((m.seq for m in ordered), np.int64, len(ordered)),
        "story": np.fromiter((m.story for m in ordered), np.int64, len(ordered)),
        "cue": np.fromiter((CUES.index(m.cue) for m in ordered), np.uint8, len(ordered)),
        "has_terms": np.fromiter((m.terms is not None for m in ordered), bool, len(ordered)),
        "kept": _ragged(kept, np.uint8),
        "keywords": _ragged([m.keyword_ids() for m in ordered], np.uint32),
        "story_ids": np.fromiter((s.id for s in chosen), np.int64, len(chosen)),
        "sums": np.stack([s.vsum for s in chosen]) if chosen else np.zeros((0, 0), np.float32),
        "profile": _ragged([s.profile[0] for s in chosen], np.uint32),
        "weights": _ragged([s.profile[1] for s in chosen], np.float32)[0],
        "day_owner": np.fromiter((n for n, st in enumerate(chosen) for _ in st.days), np.int64),
        "day": np.fromiter((d for st in chosen for d in st.days), np.int64),
        "day_profile": _ragged([p[0] for st in chosen for p in st.days.values()], np.uint32),
        "day_weights": _ragged([p[1] for st in chosen for p in st.days.values()], np.float32)[0],
        "story_keywords": _ragged([words for words, _ in keywords], np.int64),
        "keyword_counts": _ragged([counts for _, counts in keywords], np.int64)[0],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        pickle.dump(data, out, protocol=5)
    tmp.replace(path)


def _packed(member: Member) -> np.ndarray:
    """The member's kept features, packed (a member stored without features holds them unpacked)."""
    if member.terms is None:
        return np.zeros(0, np.uint8)
    return np.frombuffer(KeptTerms.pack(member.terms), np.uint8)


@dataclass
class Restored:
    """Members and stories rebuilt from a snapshot, and the last ``seq`` it covers."""

    members: list[Member]
    stories: dict[int, Story]
    phases: dict[str, str]
    postings: tuple[np.ndarray, np.ndarray]  # (keyword, seq) pairs of the members, in seq order
    last_seq: int


def read(path: Path, embedder: str, dim: int, keys: Sequence[StoryRecord]) -> Restored | None:
    """The snapshot's state when it agrees with ``keys`` (the database's articles, by seq), else None."""
    if not path.is_file():
        if keys:
            log.warning("story snapshot %s missing; rebuilding from the database", path)
        return None
    try:
        with path.open("rb") as src:
            data = pickle.load(src)
    except Exception as exc:  # a torn or foreign file is only a missed shortcut
        log.warning("story snapshot %s unreadable (%s); rebuilding", path, exc)
        return None
    if data.get("layout") != LAYOUT or data.get("embedder") != embedder:
        return None
    seqs: np.ndarray = data["seq"]
    last = int(seqs[-1]) if len(seqs) else 0
    covered = [k for k in keys if k.seq <= last]
    same = len(covered) == len(seqs) and all(
        k.id == i and k.seq == s and k.cluster_id == c
        for k, i, s, c in zip(covered, data["ids"], seqs.tolist(), data["story"].tolist(), strict=False)
    )
    if not same:
        log.warning("story snapshot %s disagrees with the database; rebuilding", path)
        return None
    phases = {k.id: k.phase or "core" for k in covered}
    members = _members(data, covered)
    return Restored(members, _stories(data, dim), phases, _postings(data, members), last)


def _members(data: dict[str, Any], keys: Sequence[StoryRecord]) -> list[Member]:
    kept, term_at = data["kept"]
    words, word_at = data["keywords"]
    term_at, word_at = term_at.tolist(), word_at.tolist()
    out = []
    story_ids: dict[int, int] = {}  # one int object per story, not one per member (32 bytes each)
    for n, (key, cue, has_terms) in enumerate(
        zip(keys, data["cue"].tolist(), data["has_terms"].tolist(), strict=True)
    ):
        terms = KeptTerms(kept[term_at[n] : term_at[n + 1]].tobytes()) if has_terms else None
        story = story_ids.setdefault(key.cluster_id, key.cluster_id)
        member = Member(key.id, key.seq, key.timestamp, story, CUES[cue], terms)
        member.keywords = words[word_at[n] : word_at[n + 1]].tobytes()
        member.duplicate_of = key.duplicate_of
        out.append(member)
    return out


def _stories(data: dict[str, Any], dim: int) -> dict[int, Story]:
    ids, at = data["profile"]
    weights = data["weights"]
    words, word_at = data["story_keywords"]
    uses = data["keyword_counts"]
    at, word_at = at.tolist(), word_at.tolist()
    sums = data["sums"]
    out = {}
    for n, story_id in enumerate(data["story_ids"].tolist()):
        story = Story(story_id, dim)
        story.vsum = sums[n].copy()
        story.profile = (ids[at[n] : at[n + 1]], weights[at[n] : at[n + 1]])
        a, b = word_at[n], word_at[n + 1]
        story.keywords = KeywordCounts.from_items(words[a:b], uses[a:b])
        out[story_id] = story
    day_ids, day_at = data["day_profile"]
    day_weights, day_at = data["day_weights"], day_at.tolist()
    story_ids = data["story_ids"].tolist()
    for n, (owner, day) in enumerate(zip(data["day_owner"].tolist(), data["day"].tolist(), strict=True)):
        a, b = day_at[n], day_at[n + 1]
        out[story_ids[owner]].days[day] = (day_ids[a:b], day_weights[a:b])
    return out


def _postings(data: dict[str, Any], members: list[Member]) -> tuple[np.ndarray, np.ndarray]:
    """(keyword, seq) pairs of the members' keywords, in seq order (a bulk load for the postings)."""
    words, at = data["keywords"]
    seqs = np.fromiter((m.seq for m in members), np.int64, len(members))
    return words, np.repeat(seqs, np.diff(at))
