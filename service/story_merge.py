"""Periodic story-to-story merge pass: joins fragments of one event opened side by side.

Reactions to an event (condolences, condemnations, sermons, blood drives) often open their
own stories next to the main coverage because their wording differs from the reports,
while they name the same specific entities (place, target, the event's own words).
Every ``merge_pass_every`` assignments, the stories active in the last ``merge_pass_days``
with at least two members are compared pairwise on their *entity sets*: the distinctive
keywords (article keywords of at least ``entity_min_idf`` IDF) that at least
``entity_share`` of a story's members use. Two stories merge when the IDF-weighted share
of the smaller entity set found in the other reaches ``merge_pass_overlap`` (with at
least ``MIN_SHARED`` shared words) and they *started* within ``merge_pass_start_hours``
of each other: fragments of one event begin together, while an older story that drifted
into a new event's vocabulary, or a different event with the same generic words, does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np

from service.config import StorySettings

HOUR = 3600.0
ENTITIES = 12  # most used distinctive keywords per story
MIN_SHARED = 2


class _Story(Protocol):
    id: int
    start: float
    end: float
    keywords: Counter[int]

    def __len__(self) -> int: ...


def entities(story: _Story, idf: Callable[[np.ndarray], np.ndarray], s: StorySettings) -> dict[int, float]:
    """The story's distinctive keywords used by at least ``entity_share`` of its members, with IDF."""
    floor = max(2.0, s.entity_share * len(story))
    used = [k for k, n in story.keywords.most_common(4 * ENTITIES) if n >= floor]
    if not used:
        return {}
    weights = idf(np.array(used, dtype=np.uint32))
    keep = [(k, float(w)) for k, w in zip(used, weights.tolist(), strict=True) if w >= s.entity_min_idf]
    return dict(keep[:ENTITIES])


def overlap(a: dict[int, float], b: dict[int, float]) -> float:
    """IDF-weighted share of the smaller entity set found in the other (0 below MIN_SHARED words)."""
    shared = a.keys() & b.keys()
    if len(shared) < MIN_SHARED:
        return 0.0
    small = a if sum(a.values()) <= sum(b.values()) else b
    return sum(small[k] for k in shared) / max(sum(small.values()), 1e-9)


def merge_pairs(
    stories: Mapping[int, _Story], now: float, s: StorySettings, idf: Callable[[np.ndarray], np.ndarray]
) -> list[tuple[int, int, float]]:
    """Pairs of recent stories (a, b, overlap) that qualify for merging, most similar first."""
    recent = sorted(
        (st for st in stories.values() if len(st) >= 2 and st.end >= now - s.merge_pass_days * 86400.0),
        key=lambda st: st.start,
    )
    sets = [entities(st, idf, s) for st in recent]
    pairs = []
    for i, a in enumerate(recent):
        for j in range(i + 1, len(recent)):
            b = recent[j]
            if b.start - a.start > s.merge_pass_start_hours * HOUR:
                break
            score = overlap(sets[i], sets[j]) if sets[i] and sets[j] else 0.0
            if score >= s.merge_pass_overlap:
                pairs.append((a.id, b.id, score))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def merge_pass(
    stories: Mapping[int, _Story],
    now: float,
    s: StorySettings,
    idf: Callable[[np.ndarray], np.ndarray],
    merge: Callable[[int, int], tuple[int, int]],
) -> list[tuple[int, int]]:
    """Run the pass; ``merge(a, b)`` returns (survivor, absorbed). Returns (absorbed, survivor) pairs."""
    alias: dict[int, int] = {}

    def find(x: int) -> int:
        while x in alias:
            x = alias[x]
        return x

    out = []
    for a, b, _ in merge_pairs(stories, now, s, idf):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        survivor, absorbed = merge(ra, rb)
        alias[absorbed] = survivor
        out.append((absorbed, survivor))
    return out
