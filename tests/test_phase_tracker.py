"""Incremental re-phasing gives exactly the phases and changes of a full recompute."""

from __future__ import annotations

import numpy as np
import pytest

from service import phase_tracker
from service.phase_tracker import MIN_TRACKED, PhaseTracker
from service.phases import CUES, story_phases
from service.story_state import Member, Story

HOUR = 3600.0
insert = phase_tracker._insert
splice = phase_tracker._splice


def _reference(story: Story, members: dict[str, Member]) -> dict[str, str]:
    ids = sorted(story.members)
    times = np.array([members[i].timestamp for i in ids])
    return dict(zip(ids, story_phases(times, [members[i].cue for i in ids]), strict=True))


def _check(
    tracker: PhaseTracker, story_id: int, stories: dict[int, Story], members: dict[str, Member]
) -> None:
    before = dict(stories[story_id].phases)
    changed = tracker.rephase(story_id, stories, members)
    expected = _reference(stories[story_id], members)
    assert stories[story_id].phases == expected
    assert changed == {i: p for i, p in expected.items() if before.get(i) != p}
    assert list(changed) == sorted(changed)


def test_tracked_stories_match_a_full_recompute(monkeypatch: pytest.MonkeyPatch) -> None:
    inserts, splices = [], []
    monkeypatch.setattr(phase_tracker, "_insert", lambda *a: inserts.append(1) or insert(*a))
    monkeypatch.setattr(phase_tracker, "_splice", lambda *a: splices.append(1) or splice(*a))
    rng = np.random.default_rng(3)
    tracker = PhaseTracker()
    members: dict[str, Member] = {}
    stories = {1: Story(1, 2), 2: Story(2, 2)}
    vector = np.zeros(2, np.float32)
    for seq in range(1, 700):
        story_id = 1 if rng.random() < 0.8 else 2
        # bursts of reports and reactions, a few previews, some ties
        when = float(rng.choice([rng.uniform(0, 400), rng.normal(200, 10), 150.0])) * HOUR
        cue = str(rng.choice(CUES, p=[0.4, 0.1, 0.15, 0.15, 0.2]))
        member = Member(f"a{seq:04d}", seq, when, story_id, cue, None)
        members[member.id] = member
        stories[story_id].add(member, vector)
        _check(tracker, story_id, stories, members)
        if seq % 97 == 0:  # a removal
            gone = members.pop(sorted(stories[1].members)[int(rng.integers(len(stories[1])))])
            stories[1].discard(gone, vector)
            _check(tracker, 1, stories, members)
        if seq % 41 == 0 and len(stories[2]) > 3:  # a few members move between stories at once
            source, target = (1, 2) if rng.random() < 0.5 else (2, 1)
            moved = rng.choice(sorted(stories[source].members), int(rng.integers(1, 5)), replace=False)
            for member_id in moved.tolist():
                stories[source].discard(members[member_id], vector)
                stories[target].add(members[member_id], vector)
                members[member_id].story = target
            _check(tracker, source, stories, members)
            _check(tracker, target, stories, members)
        if seq in (400, 650):  # a merge of story 2 into 1 (big, then small), then a fresh story 2
            for member_id in stories[2].members:
                members[member_id].story = 1
            stories[1].absorb(stories.pop(2))
            stories[2] = Story(2, 2)
            _check(tracker, 1, stories, members)
    assert len(stories[1]) > MIN_TRACKED and len(inserts) > 400 and len(splices) > 15


def test_a_reloaded_story_is_tracked_afresh() -> None:
    tracker = PhaseTracker()
    members = {f"a{i}": Member(f"a{i}", i, i * HOUR, 1, "core", None) for i in range(1, 100)}
    story = Story(1, 2)
    for member in members.values():
        story.add(member, np.zeros(2, np.float32))
    tracker.rephase(1, {1: story}, members)
    reloaded = Story(1, 2)
    for member in members.values():
        reloaded.add(member, np.zeros(2, np.float32))
    reloaded.phases = {i: "pre" for i in members}  # e.g. phases read back from the database
    changed = tracker.rephase(1, {1: reloaded}, members)
    assert reloaded.phases == _reference(reloaded, members)
    assert set(changed) == set(members)
