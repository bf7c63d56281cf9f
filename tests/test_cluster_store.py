"""Story listing, detail, summary cache and the paginated walk, on a real SQLite store, no pipeline."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

from service import cluster_store as sql
from service.priority import CheckPriority
from service.store import Store
from service.stories import SMALL_STORY, StoryViews, refresh_due
from service.story_db import connect
from service.text import normalize
from tests.story_room import Newsroom


def _walk(
    room: Newsroom, sort: str, limit: int, between: Any = None, flt: sql.StoryFilter | None = None
) -> list[int]:
    flt = flt or sql.StoryFilter()
    seen: list[int] = []
    cursor = None
    while True:
        page = room.views.list(flt, sort, limit, cursor)
        seen += [item.id for item in page.data]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
        if between:
            between()


def test_merge_removes_the_absorbed_story_and_redirects(room: Newsroom) -> None:
    room.add(1)
    room.add(2)
    room.merge(2, 1)
    assert [i.id for i in room.views.list(sql.StoryFilter(), "updated", 10, None).data] == [1]
    detail = room.views.detail(2)
    assert detail is not None and detail.id == 1 and detail.redirected and detail.merged_from == 2
    assert detail.article_count == 2
    assert room.views.detail(99) is None


@pytest.mark.parametrize("sort", ["updated", "size", "created"])
def test_walk_lists_every_story_once_while_stories_change(room: Newsroom, sort: str) -> None:
    rng = random.Random(7)
    for cluster_id in range(1, 31):
        for _ in range(rng.randint(1, 4)):
            room.add(cluster_id)
    existing = set(range(1, 31))
    next_new = iter(range(100, 200))

    def churn() -> None:
        for _ in range(3):
            room.add(rng.choice(sorted(existing)))  # bumps updated_at and size of any story
        room.add(next(next_new))  # a story created during the walk

    seen = _walk(room, sort, 4, churn)
    assert len(seen) == len(set(seen)), "a story was listed twice"
    assert set(seen) == existing


def test_walk_skips_stories_merged_away_during_it(room: Newsroom) -> None:
    for cluster_id in range(1, 11):
        room.add(cluster_id)
    merged = iter([(2, 9), (3, 8)])

    def merge() -> None:
        pair = next(merged, None)
        if pair:
            room.merge(*pair)

    seen = _walk(room, "updated", 3, merge)
    assert len(seen) == len(set(seen))
    assert set(seen) == set(range(1, 11)) - {2, 3}


def test_order_is_descending_by_the_sort_key(room: Newsroom) -> None:
    for cluster_id, size in ((1, 3), (2, 1), (3, 2)):
        for _ in range(size):
            room.add(cluster_id)
    assert _walk(room, "size", 2) == [1, 3, 2]
    assert _walk(room, "created", 2) == [3, 2, 1]
    assert _walk(room, "updated", 2) == [3, 2, 1]
    room.add(1)
    assert _walk(room, "updated", 10) == [1, 3, 2]


def test_filters(room: Newsroom) -> None:
    room.add(1, "Al Arabiya", "pre", title="زيارة كيم إلى روسيا")
    room.add(1, "AFP", "arrival", title="وصول القطار")
    room.add(2, "AFP", "core", language="en", title="Oil prices rise")
    views = room.views

    def ids(**kwargs: Any) -> set[int]:
        return {i.id for i in views.list(sql.StoryFilter(**kwargs), "updated", 50, None).data}

    assert ids(min_size=2) == {1}
    assert ids(source=normalize("al arabiya")) == {1} and ids(source="afp") == {1, 2}
    assert ids(language="en") == {2}
    assert ids(phase="arrival") == {1} and ids(phase="aftermath") == set()
    assert ids(q=normalize("روسيا")) == {1} and ids(q="oil") == {2}
    updated = {i.id: i.updated_at.isoformat() for i in views.list(sql.StoryFilter(), "updated", 9, None).data}
    assert ids(since=updated[2]) == {2} and ids(until=updated[1]) == {1}


def test_summary_cache_keeps_the_newest_version(room: Newsroom) -> None:
    room.add(1, title="زيارة كيم إلى روسيا")
    assert room.views.wait_idle()
    conn = connect(room.store.path)
    sql.save_summary(conn, 1, 0, {"title": "old"}, "old")
    query = "SELECT summary, summary_version, content_version FROM clusters"
    row = room.store.reader().execute(query).fetchone()
    assert "old" not in row["summary"] and row["summary_version"] == row["content_version"] == 1
    conn.close()


def test_big_story_summaries_wait_for_the_story_to_grow(room: Newsroom) -> None:
    assert refresh_due(None, 500) and refresh_due(10, 12)  # no summary yet; small stories always
    assert not refresh_due(100, 109) and refresh_due(100, 110) and refresh_due(100, 90)
    assert not refresh_due(1000, 1200, age=5.0) and refresh_due(1000, 1200, age=60.0)  # big: rate-limited
    for i in range(SMALL_STORY):  # one notice: a worker that summarized at 49 would (rightly) wait
        room.add(1, title="زيارة كيم إلى روسيا", notify=i == SMALL_STORY - 1)
    assert room.views.wait_idle()
    query = "SELECT summary_version, content_version, json_extract(summary, '$.size') FROM clusters"
    assert tuple(room.store.reader().execute(query).fetchone()) == (SMALL_STORY, SMALL_STORY, SMALL_STORY)
    room.add(1, title="زيارة كيم إلى روسيا")
    assert room.views.wait_idle()
    version, content, size = room.store.reader().execute(query).fetchone()
    assert (version, content, size) == (SMALL_STORY, SMALL_STORY + 1, SMALL_STORY)
    detail = room.views.detail(1)  # the cached summary is recent enough: served, not recomputed
    assert detail is not None and detail.article_count == SMALL_STORY + 1
    assert room.views.wait_idle()
    assert room.store.reader().execute(query).fetchone()[0] == SMALL_STORY
    grown = SMALL_STORY // 10
    for i in range(grown):  # one notice, as above: a worker may otherwise catch any of the sizes
        room.add(1, title="زيارة كيم إلى روسيا", notify=i == grown - 1)
    assert room.views.wait_idle()
    version, _, size = room.store.reader().execute(query).fetchone()  # recomputed once 10% bigger
    assert version == size == SMALL_STORY + 1 + grown


def test_members_are_paged_in_time_order_with_the_whole_timeline(room: Newsroom) -> None:
    ids = [room.add(1, phase="pre" if i < 3 else "core") for i in range(7)]
    late = room.add(2)  # published after all of story 1; merged into it during the walk
    pages, cursor = [], None
    while True:
        detail = room.views.detail(1, members_limit=3, members_cursor=cursor)
        assert detail is not None
        total = 7 if len(pages) == 0 else 8
        assert sum(d.total for d in detail.timeline) == total  # every page has the whole timeline
        pages.append([m.id for m in detail.members])
        cursor = detail.next_members_cursor
        if cursor is None:
            break
        if len(pages) == 1:
            room.merge(2, 1)  # a merge mid-walk: the walk goes on in the survivor
    assert pages == [ids[:3], ids[3:6], [ids[6], late]]  # time order, each member once
    assert [d.phases for d in detail.timeline] == [{"pre": 3, "core": 5}]


def test_a_members_cursor_only_continues_its_own_story(room: Newsroom) -> None:
    from service.errors import ApiError

    for _ in range(3):
        room.add(1)
    room.add(2)
    first = room.views.detail(1, members_limit=1)
    assert first is not None and first.next_members_cursor is not None
    with pytest.raises(ApiError) as other:
        room.views.detail(2, members_cursor=first.next_members_cursor)
    with pytest.raises(ApiError) as garbage:
        room.views.detail(1, members_cursor="not-a-cursor")
    assert other.value.status == garbage.value.status == 400


def test_the_summary_worker_steps_aside_while_a_check_runs(tmp_path: Path) -> None:
    """Summaries wait (bounded) for checks in flight: a check answers an editor, they do not."""
    store = Store(tmp_path / "db.sqlite3").open()
    priority = CheckPriority(max_wait=0.4)
    views = StoryViews(store, priority).start()
    try:
        room = Newsroom(store, views)
        with priority.check():
            started = time.monotonic()
            room.add(1, title="زيارة كيم إلى روسيا")
            assert views.wait_idle()
            held = time.monotonic() - started
        query = "SELECT summary_version, content_version FROM clusters"
        assert tuple(store.reader().execute(query).fetchone()) == (1, 1)  # summarized all the same
        assert held >= 0.35 and priority.waited >= 0.35
    finally:
        views.stop()
        store.close()


def test_a_summary_a_read_computed_is_reused_until_stored(tmp_path: Path) -> None:
    """Under ingest every commit re-renders the first page: a story's missing or stale summary
    is computed once by a read, not again by each read before the views' thread stores it."""
    store = Store(tmp_path / "db.sqlite3").open()
    views = StoryViews(store)  # not started: no thread stores what reads compute
    try:
        room = Newsroom(store, views)
        room.add(1, title="زيارة كيم إلى روسيا")
        computed: list[int] = []
        compute = views.computer.compute

        def counted(conn: Any, cluster_id: int) -> Any:
            computed.append(cluster_id)
            return compute(conn, cluster_id)

        views.computer.compute = counted  # type: ignore[method-assign]
        pages = [views.list(sql.StoryFilter(), "updated", 20, None) for _ in range(3)]
        assert computed == [1]  # missing: the first read computes it, the others reuse it
        assert {page.data[0].title for page in pages} == {"زيارة كيم إلى روسيا"}
        details = [views.detail(1) for _ in range(2)]
        assert computed == [1]  # a small story's detail wants it current, and it is
        room.add(1, title="بوتين يستقبل كيم")  # the content moves on: the offered one is stale
        details += [views.detail(1) for _ in range(2)]
        assert computed == [1, 1]
        assert all(d is not None for d in details) and details[-1].article_count == 2  # type: ignore[union-attr]
    finally:
        views.stop()
        store.close()


def test_history_older_than_any_accepted_cursor_is_pruned(room: Newsroom) -> None:
    for story in (1, 2, 1):
        room.add(story)
    conn = connect(room.store.path)

    def logged() -> int:
        return int(conn.execute("SELECT COUNT(*) FROM story_history").fetchone()[0])

    assert logged() == 3  # story 1 created, story 2 created, story 1 grew
    sql.prune_history(conn, "2000-01-01T00:00:00+00:00")
    assert logged() == 3
    sql.prune_history(conn, "2999-01-01T00:00:00+00:00")
    assert logged() == 0
    # a walk started afterwards still lists every story once
    assert sorted(i.id for i in room.views.list(sql.StoryFilter(), "updated", 10, None).data) == [1, 2]
