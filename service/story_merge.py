"""Story-to-story merges (bridging articles, fragments absorbed by their main story) and moves
of a duplicate group to the story its new copy shows it belongs to.

Two rules, both checked when an article has been placed:

* *bridging*: the article also scores ``merge_threshold`` or more for another story whose
  profile is close to its own (:meth:`StoryScorer.mergeable`): the article connects two
  stories that are one;
* *fragments*: reactions and statements about an event (and their copies) often open a
  story of their own in the event's first hours, before the main story has the words that
  match them. Each article that joins such a story while also scoring at least
  ``join_threshold`` for a story ``FRAGMENT_RATIO`` times larger and no younger is a vote;
  at ``fragment_votes`` of the small story's size (at least 2) the small story is absorbed.

The larger story (then the older) survives; merges are reported as ``(absorbed, survivor)``.

A copy also brings evidence about its duplicate group: when the story it would join on its own
content scores ``rehome_margin`` more than the group's current story, the original landed in the
wrong story (usually a broad one that took it before the event's own story existed), and the
whole group moves (:meth:`StoryMerger.rehome_target`, :meth:`StoryMerger.move_group`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np

from service.config import StorySettings
from service.documents import DuplicateMatch
from service.story_scoring import Candidate, StoryScorer
from service.story_state import DAY, Member, Story

FRAGMENT_RATIO = 5  # a fragment's main story is at least this many times larger


class StoryMerger:
    """Applies the merge rules to the clusterer's stories and members (shared, not copied)."""

    def __init__(
        self,
        settings: StorySettings,
        scorer: StoryScorer,
        stories: dict[int, Story],
        members: dict[str, Member],
        vectors: Callable[[list[int]], np.ndarray],
    ) -> None:
        """``vectors`` reads members' dense vectors by seq (the FAISS index's)."""
        self.s = settings
        self.scorer = scorer
        self.stories = stories
        self.members = members
        self.vectors = vectors
        self._votes: dict[tuple[int, int], int] = {}

    def after_join(
        self, story_id: int, ranked: list[Candidate], bridge: bool
    ) -> tuple[int, list[tuple[int, int]], tuple[int, int] | None]:
        """Merges caused by an article that joined ``story_id``: its story now, the merges, and the
        fragment vote it cast as (small story, large story), stored with it so that a restart
        after a crash counts the votes cast since the last checkpoint."""
        merges: list[tuple[int, int]] = []
        for other in ranked if bridge else []:
            if other.story == story_id or other.story not in self.stories:
                continue
            if other.score >= self.s.merge_threshold and self.scorer.mergeable(
                self.stories[story_id], self.stories[other.story]
            ):
                survivor, absorbed = self.merge(story_id, other.story)
                merges.append((absorbed, survivor))
                story_id = survivor
        vote = self._fragment_vote(story_id, ranked)
        if vote is not None and vote[0] not in self.stories:  # the vote merged the fragment
            merges.append(vote)
            story_id = vote[1]
        return story_id, merges, vote

    def _fragment_vote(self, story_id: int, ranked: list[Candidate]) -> tuple[int, int] | None:
        """Count the vote of an article of ``story_id`` for a much larger story and merge at enough
        votes; returns the vote (small, large), the small story absorbed when it merged."""
        if not self.s.fragment_votes:
            return None
        story = self.stories[story_id]
        for other in ranked:
            if other.story == story_id or other.story not in self.stories:
                continue
            big = self.stories[other.story]
            if other.score < self.s.join_threshold or len(big) < FRAGMENT_RATIO * len(story):
                return None
            if story.start < big.start - DAY:
                return None
            key = (story_id, other.story)
            self._votes[key] = self._votes.get(key, 0) + 1
            if self._votes[key] >= max(2.0, self.s.fragment_votes * len(story)):
                self.merge(story_id, other.story)  # the larger survives: other.story
            return key
        return None

    def merge(self, a: int, b: int) -> tuple[int, int]:
        """Merge two stories; the larger (then older) survives. Returns (survivor, absorbed)."""
        sa, sb = self.stories[a], self.stories[b]
        survivor, absorbed = (sa, sb) if (len(sa), -sa.id) >= (len(sb), -sb.id) else (sb, sa)
        for member_id in list(absorbed.members):
            self.members[member_id].story = survivor.id
        survivor.absorb(absorbed)
        del self.stories[absorbed.id]
        self._votes = {k: v for k, v in self._votes.items() if absorbed.id not in k}
        return survivor.id, absorbed.id

    def clear(self) -> None:
        """Forget pending votes (the stories were reloaded)."""
        self._votes.clear()

    def pending_votes(self) -> list[tuple[int, int, int]]:
        """The fragment votes not yet acted on, as (small story, large story, votes): checkpointed
        with the stories, so a restart merges when the uninterrupted run would."""
        return [(small, large, n) for (small, large), n in self._votes.items()]

    def restore_votes(self, votes: list[tuple[int, int, int]], since: Iterable[tuple[int, int]] = ()) -> None:
        """Take back :meth:`pending_votes` and add the votes cast after them (``since``: each a
        stored article's vote), for the stories that still exist."""
        counts = {(a, b): n for a, b, n in votes}
        for key in since:
            counts[key] = counts.get(key, 0) + 1
        self._votes = {(a, b): n for (a, b), n in counts.items() if a in self.stories and b in self.stories}

    def rehome_target(self, original: Member, ranked: list[Candidate], best: Candidate | None) -> int | None:
        """The story a copy's whole duplicate group should move to, if any: the copy's own best
        joinable story (``best``) when it scores ``rehome_margin`` more than the group's current
        story (for which the group's own members count)."""
        if not self.s.rehome_margin or best is None or best.story == original.story:
            return None
        own = next((c.score for c in ranked if c.story == original.story), 0.0)
        return best.story if best.score >= own + self.s.rehome_margin else None

    def group_home(
        self, article_id: str, duplicate: DuplicateMatch | None, copies: Mapping[str, float]
    ) -> tuple[str, Member | None, float]:
        """The copy group of a new article, the stored member whose story it joins, and its score
        to it: a copy joins its original's story; an original that arrives after its copies
        (``copies``: those now naming it their original, with their scores) joins theirs."""
        if duplicate is not None:
            return duplicate.of, self.members.get(duplicate.of), duplicate.score
        led = [c for c in copies if c in self.members]
        if not led:
            return article_id, None, 1.0
        first = min(led, key=lambda c: self.members[c].seq)
        return article_id, self.members[first], copies[first]

    def move_group(self, original: str, source_id: int, target: int) -> dict[str, int]:
        """Move the copy group of ``original`` (it and the members naming it their original) from
        story ``source_id`` to ``target``; returns the moved ids (none when the group is its whole
        story: that is a merge, left to the merge rules)."""
        source = self.stories[source_id]
        group = sorted(
            (m for m in map(self.members.__getitem__, source.members) if original in (m.id, m.duplicate_of)),
            key=lambda m: m.seq,
        )
        if len(group) >= len(source):
            return {}
        for m, vector in zip(group, self.vectors([m.seq for m in group]), strict=True):
            sparse = self.scorer.sparse(m)
            source.discard(m, vector, sparse)
            self.stories[target].add(m, vector, sparse)
            m.story = target
        return {m.id: target for m in group}
