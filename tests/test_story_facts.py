"""Story facts: exact after every commit, and caught up at startup for stories ingested without the views."""

from __future__ import annotations

from pathlib import Path

from service import cluster_store as sql
from service import story_facts as facts
from service.store import Store
from service.stories import StoryViews
from tests.story_room import Newsroom


def test_facts_are_exact_after_each_commit(room: Newsroom) -> None:
    first = room.add(1, "A", "pre", published_at="2024-01-01T00:00:00+00:00")
    room.add(1, "B", "pre", published_at="2024-01-02T00:00:00+00:00")
    room.add(1, "B", "arrival", dup_of=first, language="en", published_at="2024-01-03T00:00:00+00:00")
    found = sql.story(room.store.reader(), 1, limit=10)
    assert found is not None
    head, members, days_rows = found
    assert head["article_count"] == 3 and head["duplicate_count"] == 1 and len(members) == 3
    assert sum(d["n"] for d in days_rows) == 3
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


def test_no_facts_for_a_story_merged_away_or_unknown(room: Newsroom) -> None:
    room.add(1, "A")
    room.add(2, "B", title="خبر آخر")
    room.merge(2, 1)
    conn = room.store.reader()
    assert facts.compute_facts(conn, 2) is None and facts.compute_facts(conn, 99) is None
    survivor = facts.compute_facts(conn, 1)
    assert survivor is not None and survivor["article_count"] == 2
    assert sorted(v for k, v in survivor["facet_values"] if k == "source") == ["a", "b"]
    assert [tuple(r) for r in conn.execute("SELECT cluster_id FROM story_facts")] == [(1,)]


def test_startup_catches_up_on_stories_ingested_without_the_views(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3").open()
    room = Newsroom(store, StoryViews(store))
    room.views.on_commit = lambda ids: None  # type: ignore[method-assign]  # as a CLI ingest: no listener
    room.add(5, title="خبر عن النفط")
    assert facts.stale_fact_ids(store.reader()) == [5]
    views = StoryViews(store).start()
    assert views.wait_idle()
    assert [i.id for i in views.list(sql.StoryFilter(), "updated", 5, None).data] == [5]
    assert store.reader().execute("SELECT summary_version FROM clusters WHERE id = 5").fetchone()[0] == 1
    views.stop()
    store.close()
