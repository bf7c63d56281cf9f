"""Periodic story-to-story merge pass: joins fragments of one event opened side by side.

Reactions to an event (condolences, condemnations, sermons, blood drives) often open their
own stories next to the main coverage because their wording differs from the reports.
Every ``merge_pass_every`` assignments, the stories active in the last ``merge_pass_days``
with at least two members are compared pairwise on their sparse TF-IDF profiles; two
stories merge when the cosine reaches ``merge_pass_cosine`` and they *started* within
``merge_pass_start_hours`` of each other (fragments of one event begin together, while an
older story that drifted into a new event's vocabulary does not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np
from scipy import sparse as sp

from service.config import StorySettings

HOUR = 3600.0


class _Story(Protocol):
    id: int
    start: float
    end: float
    profile: tuple[np.ndarray, np.ndarray]

    def __len__(self) -> int: ...


def merge_pairs(stories: Mapping[int, _Story], now: float, s: StorySettings) -> list[tuple[int, int, float]]:
    """Pairs of recent stories (a, b, cosine) that qualify for merging, most similar first."""
    recent = [
        st
        for st in stories.values()
        if len(st) >= 2 and st.end >= now - s.merge_pass_days * 86400.0 and len(st.profile[0])
    ]
    if len(recent) < 2:
        return []
    ids = np.concatenate([st.profile[0] for st in recent])
    cols, inverse = np.unique(ids, return_inverse=True)
    data = np.concatenate([st.profile[1] / max(float(np.linalg.norm(st.profile[1])), 1e-12) for st in recent])
    rows = np.repeat(np.arange(len(recent)), [len(st.profile[0]) for st in recent])
    matrix = sp.csr_matrix((data, (rows, inverse)), shape=(len(recent), len(cols)))
    sims = (matrix @ matrix.T).tocoo()
    starts = np.array([st.start for st in recent])
    keep = (sims.row < sims.col) & (sims.data >= s.merge_pass_cosine)
    keep &= np.abs(starts[sims.row] - starts[sims.col]) <= s.merge_pass_start_hours * HOUR
    order = np.argsort(-sims.data[keep], kind="stable")
    a, b, c = sims.row[keep][order], sims.col[keep][order], sims.data[keep][order]
    return [
        (recent[i].id, recent[j].id, float(x))
        for i, j, x in zip(a.tolist(), b.tolist(), c.tolist(), strict=True)
    ]


def merge_pass(
    stories: Mapping[int, _Story], now: float, s: StorySettings, merge: Callable[[int, int], tuple[int, int]]
) -> list[tuple[int, int]]:
    """Run the pass; ``merge(a, b)`` returns (survivor, absorbed). Returns (absorbed, survivor) pairs."""
    alias: dict[int, int] = {}

    def find(x: int) -> int:
        while x in alias:
            x = alias[x]
        return x

    out = []
    for a, b, _ in merge_pairs(stories, now, s):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        survivor, absorbed = merge(ra, rb)
        alias[absorbed] = survivor
        out.append((absorbed, survivor))
    return out
