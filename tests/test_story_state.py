"""Story state: sparse profile arithmetic and the time-local profile."""

from __future__ import annotations

import numpy as np

from service.story_state import DAY, Member, Story, sparse_cos


def sparse(ids: list[int], weights: list[float]) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(ids)
    return np.array(ids, np.uint32)[order], np.array(weights, np.float32)[order]


def member(article_id: str, day: float) -> Member:
    return Member(article_id, 0, day * DAY, 1, "", None)


def test_profile_near_follows_the_coverage_around_a_time() -> None:
    story = Story(1, 4)
    old, new = sparse([1, 2], [0.8, 0.6]), sparse([7, 8], [0.6, 0.8])
    for i in range(5):
        story.add(member(f"old{i}", 100 + i * 0.1), np.zeros(4), old)
    story.add(member("new", 110), np.zeros(4), new)
    assert sparse_cos(new, story.profile) < 0.3  # the whole story is mostly the old coverage
    assert sparse_cos(new, story.profile_near(110 * DAY, 1)) > 0.99
    assert sparse_cos(old, story.profile_near(100 * DAY, 1)) > 0.99
    # far from any coverage: the whole profile
    assert story.profile_near(130 * DAY, 1) is story.profile


def test_discard_and_absorb_keep_day_profiles_consistent() -> None:
    a, b = Story(1, 4), Story(2, 4)
    x, y = sparse([1, 2], [0.6, 0.8]), sparse([3], [1.0])
    first, second = member("a1", 100), member("b1", 100.5)
    a.add(first, np.zeros(4), x)
    b.add(second, np.zeros(4), y)
    a.absorb(b)
    assert sparse_cos(y, a.profile_near(100 * DAY, 0)) > 0.5
    a.discard(second, np.zeros(4), y)
    assert sparse_cos(x, a.profile_near(100 * DAY, 0)) > 0.99
    assert sparse_cos(y, a.profile_near(100 * DAY, 0)) < 1e-6


def test_story_versions_change_with_every_update_and_never_repeat() -> None:
    a, b = Story(1, 4), Story(1, 4)  # same id (a reloaded story): still distinct versions
    assert a.version != b.version
    seen = {a.version, b.version}
    a.add(member("a1", 100), np.zeros(4), sparse([1], [1.0]))
    assert a.version not in seen
    seen.add(a.version)
    a.discard(member("a1", 100), np.zeros(4), sparse([1], [1.0]))
    assert a.version not in seen


def test_a_story_without_a_vector_sum_ignores_vectors() -> None:
    story = Story(1, 0)  # sparse-scored stories keep no dense sum
    story.add(member("a", 100), np.ones(4, np.float32), sparse([1], [1.0]))
    other = Story(2, 0)
    other.add(member("b", 100), np.ones(4, np.float32), sparse([2], [1.0]))
    story.absorb(other)
    story.discard(member("a", 100), np.ones(4, np.float32), sparse([1], [1.0]))
    assert story.vsum.size == 0 and story.members == {"b"}


def test_big_story_signature_is_kept_current_on_add_and_matches_a_full_ranking() -> None:
    from service.story_state import INCREMENTAL_SIGNATURE, SIGNATURE

    rng = np.random.default_rng(7)
    story = Story(1, 0)
    for i in range(INCREMENTAL_SIGNATURE + 400):
        m = member(f"m{i}", 100 + i * 0.01)
        m.keywords = np.unique(rng.zipf(1.3, size=16) % 500).astype(np.uint32).tobytes()
        story.add(m, np.zeros(0, np.float32), None)
        ids, weights = story.signature()  # keeps the incremental ranking in use from now on
        # a story still small after its next add re-ranks then, so it does not hold a ranking
        assert (story._top is not None) == (len(story) >= INCREMENTAL_SIGNATURE)
        floor = 2 if len(story) > 2 else 1
        full = [(k, n) for k, n in story.keywords.most_common(SIGNATURE) if n >= floor]
        # the same counts; the same words except where counts tie at the cut
        assert sorted(weights.tolist()) == sorted(
            (np.array([n for _, n in full], np.float32) / max(sum(n for _, n in full), 1)).tolist()
        )
        cut = full[-1][1] if len(full) == SIGNATURE else 0
        assert {k for k, n in full if n > cut} <= set(ids.tolist())
    assert story._top is not None  # the big story ranked incrementally
    story.discard(m, np.zeros(0, np.float32), None)
    assert story._top is None  # any other change re-ranks from scratch
