"""Story facts, summary cache and the paginated walk, on a real SQLite store without the pipeline."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service import cluster_store as sql
from service.errors import ApiError
from service.store import Store
from service.stories import SMALL_STORY, StoryViews, decode_cursor, encode_cursor, refresh_due
from service.text import normalize


class Newsroom:
    """Writes articles and story changes the way the pipeline does, then tells the views."""

    def __init__(self, store: Store, views: StoryViews) -> None:
        self.store, self.views, self.seq, self.clock = store, views, 0, 0

    def now(self) -> str:
        self.clock += 1
        return f"2024-01-01T{self.clock // 3600:02d}:{self.clock // 60 % 60:02d}:{self.clock % 60:02d}+00:00"

    def add(
        self,
        cluster_id: int,
        source: str = "src",
        phase: str = "core",
        dup_of: str | None = None,
        title: str = "خبر",
        language: str = "ar",
        published_at: str | None = None,
    ) -> str:
        self.seq += 1
        aid, now = f"a{self.seq}", self.now()
        with self.store.transaction() as tx:
            tx.insert_article(
                {
                    "id": aid,
                    "source": source,
                    "title": title,
                    "body": f"{title} نص الخبر رقم {self.seq}.",
                    "language": language,
                    "published_at": published_at or now,
                    "published_ts": float(self.seq),
                    "received_at": now,
                    "content_hash": aid,
                    "title_norm": normalize(title),
                    "body_norm": normalize(title),
                    "cluster_id": cluster_id,
                    "phase": phase,
                    "dup_of": dup_of,
                    "dup_type": "near" if dup_of else None,
                    "dup_score": 0.9 if dup_of else None,
                }
            )
            tx.touch_cluster(cluster_id, now)
        self.views.on_commit({cluster_id})
        return aid

    def merge(self, absorbed: int, survivor: int) -> None:
        with self.store.transaction() as tx:
            tx.merge_clusters(absorbed, survivor, self.now(), None)
        self.views.on_commit({absorbed, survivor})


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Newsroom]:
    store = Store(tmp_path / "db.sqlite3").open()
    views = StoryViews(store).start()
    yield Newsroom(store, views)
    views.stop()
    store.close()


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


def test_facts_are_exact_after_each_commit(room: Newsroom) -> None:
    first = room.add(1, "A", "pre", published_at="2024-01-01T00:00:00+00:00")
    room.add(1, "B", "pre", published_at="2024-01-02T00:00:00+00:00")
    room.add(1, "B", "arrival", dup_of=first, language="en", published_at="2024-01-03T00:00:00+00:00")
    facts = sql.story(room.store.reader(), 1)
    assert facts is not None
    head, members = facts
    assert head["article_count"] == 3 and head["duplicate_count"] == 1 and len(members) == 3
    assert head["first_published"].startswith("2024-01-01")
    assert head["last_published"].startswith("2024-01-03")
    item = room.views.detail(1)
    assert item is not None
    assert [(s.source, s.count) for s in item.sources] == [("B", 2), ("A", 1)]
    assert [(p.phase, p.count) for p in item.phases] == [("pre", 2), ("arrival", 1)]
    assert set(item.languages) == {"ar", "en"}
    assert [m.id for m in item.members] == [first, "a2"] and item.members[0].copies[0].id == "a3"
    days = [(d.day, d.total) for d in item.timeline]
    assert days == [("2024-01-01", 1), ("2024-01-02", 1), ("2024-01-03", 1)]


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


def test_cursor_is_checked(room: Newsroom) -> None:
    flt = sql.StoryFilter(min_size=1)
    cursor = encode_cursor("updated", flt, 3, "2999-01-01T00:00:00+00:00", ("2024-01-01", 4))
    assert decode_cursor(cursor, "updated", flt)[0] == 3
    cases = (
        (cursor, "size", flt),
        (cursor, "updated", sql.StoryFilter()),
        ("%%%", "updated", flt),
        ("eyJ2IjoxfQ", "updated", flt),
    )
    for bad, sort, used in cases:
        with pytest.raises(ApiError) as err:
            decode_cursor(bad, sort, used)
        assert err.value.status == 400 and err.value.details == {"parameter": "cursor"}
    old = encode_cursor("updated", flt, 3, "2000-01-01T00:00:00+00:00", ("2024-01-01", 4))
    with pytest.raises(ApiError, match="expired"):
        decode_cursor(old, "updated", flt)


def test_summary_cache_keeps_the_newest_version(room: Newsroom) -> None:
    room.add(1, title="زيارة كيم إلى روسيا")
    assert room.views.wait_idle()
    conn = sql.connect(room.store.path)
    sql.save_summary(conn, 1, 0, {"title": "old"}, "old")
    query = "SELECT summary, summary_version, content_version FROM clusters"
    row = room.store.reader().execute(query).fetchone()
    assert "old" not in row["summary"] and row["summary_version"] == row["content_version"] == 1
    conn.close()


def test_startup_catches_up_on_stories_ingested_without_the_views(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    room = Newsroom(store, StoryViews(store))
    room.views.on_commit = lambda ids: None  # type: ignore[method-assign]  # as a CLI ingest: no listener
    room.add(5, title="خبر عن النفط")
    assert sql.stale_fact_ids(store.reader()) == [5]
    views = StoryViews(store).start()
    assert views.wait_idle()
    assert [i.id for i in views.list(sql.StoryFilter(), "updated", 5, None).data] == [5]
    assert store.reader().execute("SELECT summary_version FROM clusters WHERE id = 5").fetchone()[0] == 1
    views.stop()
    store.close()


def test_big_story_summaries_wait_for_the_story_to_grow(room: Newsroom) -> None:
    assert refresh_due(None, 500) and refresh_due(10, 12)  # no summary yet; small stories always
    assert not refresh_due(100, 109) and refresh_due(100, 110) and refresh_due(100, 90)
    assert not refresh_due(1000, 1200, age=5.0) and refresh_due(1000, 1200, age=60.0)  # big: rate-limited
    for _ in range(SMALL_STORY):
        room.add(1, title="زيارة كيم إلى روسيا")
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
    for _ in range(SMALL_STORY // 10):
        room.add(1, title="زيارة كيم إلى روسيا")
    assert room.views.wait_idle()
    version, _, size = room.store.reader().execute(query).fetchone()  # recomputed once 10% bigger
    assert version == size == SMALL_STORY + SMALL_STORY // 10
