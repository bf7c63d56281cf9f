"""Story-to-story merges: bridging articles and fragments absorbed by their main story.

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
"""

from __future__ import annotations

from service.config import StorySettings
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
    ) -> None:
        self.s = settings
        self.scorer = scorer
        self.stories = stories
        self.members = members
        self._votes: dict[tuple[int, int], int] = {}

    def after_join(
        self, story_id: int, ranked: list[Candidate], bridge: bool
    ) -> tuple[int, list[tuple[int, int]]]:
        """Merges caused by an article that joined ``story_id``: its story now, and the merges."""
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
        fragment = self._fragment_vote(story_id, ranked)
        if fragment is not None:
            merges.append(fragment)
            story_id = fragment[1]
        return story_id, merges

    def _fragment_vote(self, story_id: int, ranked: list[Candidate]) -> tuple[int, int] | None:
        """Count the vote of an article of ``story_id`` for a much larger story; merge at enough votes."""
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
            if self._votes[key] < max(2.0, self.s.fragment_votes * len(story)):
                return None
            survivor, absorbed = self.merge(story_id, other.story)
            return absorbed, survivor
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
