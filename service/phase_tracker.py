"""Incremental story phases: big stories keep their members in time order between inserts.

Re-phasing a story sorts and phases every member; done on each insert into stories of
thousands of members, that dominated assignment. A tracked story keeps its members
sorted by time with their cue and phase codes. When exactly one newer article joined
since the last call (the common case), it is inserted in place and the main event time
is recomputed on the sorted arrays (vectorized). If the event time did not move, only
members within ``WINDOW_HOURS`` of the new article can change phase (through their
neighbour votes, which look ``VOTE_HOURS`` either side), so only those are re-phased;
otherwise every member is. A few members added or removed at once (a duplicate group moved
between stories, a small story merged in, a deletion) are spliced into the sorted arrays and
every member is re-phased on them (vectorized). The result is always the same as
:func:`story_phases` on the whole story; anything else (big merges, reloads) re-tracks the
story from scratch, which reads every member.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from service.phases import PHASES, VOTE_HOURS, cue_codes, event_codes, phase_codes_at, story_phases
from service.story_state import Member, Story

_CODES = {phase: code for code, phase in enumerate(PHASES)}
MIN_TRACKED = 64  # smaller stories are simply re-phased in full
WINDOW_HOURS = VOTE_HOURS + 1.0  # members whose votes a new article can change (with a margin)
PRUNE_EVERY = 1000  # calls between dropping the entries of stories that no longer exist
MAX_SPLICE = 64  # most members added plus removed that are spliced in rather than re-tracked


@dataclass(slots=True)
class _Tracked:
    """A story's members in time order, with cue and phase codes and its event time."""

    story: Story
    ids: np.ndarray  # of str (object): masks and inserts stay vectorized
    times: np.ndarray
    cues: np.ndarray
    phases: np.ndarray
    event: float
    last_seq: int


class PhaseTracker:
    """Re-phases stories after changes; see the module docstring."""

    def __init__(self) -> None:
        self._tracked: dict[int, _Tracked] = {}
        self._calls = 0

    def rephase(
        self, story_id: int, stories: Mapping[int, Story], members: dict[str, Member]
    ) -> dict[str, str]:
        """Recompute a story's phases (in ``story.phases``); returns the members whose phase changed.

        ``members`` must be in insertion order (a dict): its last entry is the newest article.
        """
        self._calls += 1
        if self._calls % PRUNE_EVERY == 0:
            self._tracked = {k: e for k, e in self._tracked.items() if stories.get(k) is e.story}
        story = stories[story_id]
        if len(story) < MIN_TRACKED:
            self._tracked.pop(story_id, None)
            return _full(story, members)
        entry = self._tracked.get(story_id)
        newest = members[next(reversed(members))] if members else None
        if entry is not None and newest is not None and _extends(entry, story, newest):
            return _insert(entry, newest)
        if entry is not None and entry.story is story:
            # a set of the tracked ids only here (moves, merges, deletions), not kept between calls
            tracked = set(entry.ids.tolist())
            gone, added = tracked - story.members, story.members - tracked
            if len(gone) + len(added) <= MAX_SPLICE:
                return _splice(entry, gone, added, members)
        return self._track(story, members)

    def _track(self, story: Story, members: dict[str, Member]) -> dict[str, str]:
        """Sort and phase every member, and keep the story tracked."""
        ids = list(story.members)
        times = np.array([members[i].timestamp for i in ids], dtype=float)
        cues = cue_codes([members[i].cue for i in ids])
        order = np.argsort(times, kind="stable")
        ids = [ids[i] for i in order.tolist()]
        times, cues = times[order], cues[order]
        event = event_codes(times, cues)
        codes = phase_codes_at(times, cues, event)
        phases = [PHASES[c] for c in codes.tolist()]
        changed = {i: p for i, p in zip(ids, phases, strict=True) if story.phases.get(i) != p}
        story.phases = dict(zip(ids, phases, strict=True))
        last = max(members[i].seq for i in ids)
        self._tracked[story.id] = _Tracked(story, _objects(ids), times, cues, codes, event, last)
        return dict(sorted(changed.items()))


def _full(story: Story, members: dict[str, Member]) -> dict[str, str]:
    """Phase every member of a small story."""
    ids = sorted(story.members)
    times = np.array([members[i].timestamp for i in ids], dtype=float)
    phases = story_phases(times, [members[i].cue for i in ids])
    changed = {i: p for i, p in zip(ids, phases, strict=True) if story.phases.get(i) != p}
    story.phases = dict(zip(ids, phases, strict=True))
    return changed


def _extends(entry: _Tracked, story: Story, newest: Member) -> bool:
    """Whether the story is the tracked one plus exactly the newest article."""
    return (
        entry.story is story
        and newest.story == story.id
        and newest.seq > entry.last_seq
        and len(story) == len(entry.ids) + 1
        and newest.id in story.members
    )


def _insert(entry: _Tracked, newest: Member) -> dict[str, str]:
    """Insert the newest member in time order and re-phase what it can change."""
    t = newest.timestamp
    pos = int(np.searchsorted(entry.times, t, side="right"))
    entry.ids = np.insert(entry.ids, pos, newest.id)
    entry.times = times = np.insert(entry.times, pos, t)
    entry.cues = cues = np.insert(entry.cues, pos, cue_codes([newest.cue]))
    old = np.insert(entry.phases, pos, -1)
    event = event_codes(times, cues)
    if event == entry.event:
        # votes look VOTE_HOURS either side: targets within WINDOW_HOURS need their neighbours too
        margin = WINDOW_HOURS * 3600.0
        lo = int(np.searchsorted(times, t - 2 * margin, side="left"))
        hi = int(np.searchsorted(times, t + 2 * margin, side="right"))
        part = phase_codes_at(times[lo:hi], cues[lo:hi], event)
        near = np.abs(times[lo:hi] - t) <= margin
        new = old.copy()
        new[lo:hi][near] = part[near]
    else:
        new = phase_codes_at(times, cues, event)
    entry.phases, entry.event, entry.last_seq = new, event, newest.seq
    changed = {entry.ids[i]: PHASES[new[i]] for i in np.nonzero(new != old)[0].tolist()}
    entry.story.phases.update(changed)
    return dict(sorted(changed.items()))


def _splice(entry: _Tracked, gone: set[str], added: set[str], members: dict[str, Member]) -> dict[str, str]:
    """Drop ``gone`` and insert ``added`` (ids of the story's members) in time order, then
    re-phase every member on the arrays."""
    story, ids, times, cues, old = entry.story, entry.ids, entry.times, entry.cues, entry.phases
    if gone:
        keep = np.fromiter((i not in gone for i in ids.tolist()), bool, len(ids))
        ids, times, cues, old = ids[keep], times[keep], cues[keep], old[keep]
    if added:
        new = sorted(added, key=lambda i: members[i].timestamp)
        new_times = np.array([members[i].timestamp for i in new], dtype=float)
        at = np.searchsorted(times, new_times, side="right")
        ids = np.insert(ids, at, _objects(new))
        times = np.insert(times, at, new_times)
        cues = np.insert(cues, at, cue_codes([members[i].cue for i in new]))
        # what the story already says of an arriving member (e.g. from a merged story) counts as before
        known = np.array([_CODES.get(story.phases.get(i, ""), -1) for i in new], dtype=old.dtype)
        old = np.insert(old, at, known)
        entry.last_seq = max(entry.last_seq, *(members[i].seq for i in new))
    event = event_codes(times, cues)
    codes = phase_codes_at(times, cues, event)
    entry.ids, entry.times, entry.cues, entry.phases, entry.event = ids, times, cues, codes, event
    for member_id in gone:
        story.phases.pop(member_id, None)
    changed = {ids[i]: PHASES[codes[i]] for i in np.nonzero(codes != old)[0].tolist()}
    story.phases.update(changed)
    return dict(sorted(changed.items()))


def _objects(ids: list[str]) -> np.ndarray:
    """A 1-d object array of the ids (``np.array`` of equal-length strings would make a str array)."""
    out = np.empty(len(ids), dtype=object)
    out[:] = ids
    return out
