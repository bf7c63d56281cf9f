"""The summary worker process computes what the views would compute themselves, and a broken
worker falls back to the views' own thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from service import cluster_store as sql
from service.store import Store
from service.stories import StoryViews
from service.summary_worker import MAX_FAILURES, NICENESS, SummaryComputer, SummaryWorker
from tests.story_room import Newsroom

TITLES = ["قمة في موسكو بين الزعيمين", "وصول القطار المدرع الى الحدود", "محادثات حول التعاون العسكري"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store with two stories of three and two articles (no views listening)."""
    store = Store(tmp_path / "db.sqlite3").open()
    room = Newsroom(store, StoryViews(store))
    room.views.on_commit = lambda ids: None  # type: ignore[method-assign]
    for n, title in enumerate(TITLES):
        room.add(1, source=f"s{n}", title=title)
    room.add(2, title="اسعار النفط ترتفع في الاسواق")
    room.add(2, source="other", title="النفط يرتفع مع تراجع المخزون")
    yield store
    store.close()


def _without_time(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "at"}


def test_worker_computes_what_this_process_computes(store: Store) -> None:
    local = SummaryComputer()
    worker = SummaryWorker(store.path).start()
    try:
        found = worker.compute([1, 2])
    finally:
        worker.close()
    assert found is not None and [cluster_id for cluster_id, _, _ in found] == [1, 2]
    for cluster_id, version, summary in found:
        here_version, here = local.compute(store.reader(), cluster_id)
        assert version == here_version
        assert _without_time(summary) == _without_time(here)
    assert found[0][2]["size"] == 3 and found[0][2]["title"] in TITLES


def test_worker_runs_below_the_ingest_and_the_checks(store: Store) -> None:
    """Its process has a higher nice value than the one it serves (lower CPU priority)."""
    worker = SummaryWorker(store.path).start()
    try:
        assert worker.compute([1]) is not None  # up and initialized
        children = [  # the pool's worker, not multiprocessing's resource tracker
            child
            for child in psutil.Process().children()
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        assert len(children) == 1, [child.cmdline() for child in children]
        expected = min(19, psutil.Process().nice() + NICENESS)
        assert [child.nice() for child in children] == [expected] * len(children)
    finally:
        worker.close()


def test_worker_on_a_database_without_tables_fails_and_gives_up(tmp_path: Path) -> None:
    worker = SummaryWorker(tmp_path / "empty.sqlite3")
    try:
        for _ in range(MAX_FAILURES):
            assert worker.usable
            assert worker.compute([1]) is None
    finally:
        worker.close()
    assert not worker.usable and worker.fallbacks == MAX_FAILURES


def test_views_store_the_workers_summaries(store: Store) -> None:
    views = StoryViews(store, worker=True).start()
    try:
        views.on_commit({1, 2})
        assert views.wait_idle(timeout=60)
        assert views.worker is not None and views.worker.fallbacks == 0
        page = views.list(sql.StoryFilter(), "updated", 10, None)
    finally:
        views.stop()
    assert {item.id: item.article_count for item in page.data} == {1: 3, 2: 2}
    rows = store.reader().execute("SELECT summary_version, content_version FROM clusters").fetchall()
    assert all(row[0] == row[1] for row in rows)


def test_views_summarize_themselves_when_the_worker_fails(store: Store, tmp_path: Path) -> None:
    views = StoryViews(store, worker=True)
    views.worker = SummaryWorker(tmp_path / "elsewhere.sqlite3")  # a real worker that cannot read
    views.start()
    try:
        views.on_commit({1, 2})
        assert views.wait_idle(timeout=60)
        assert views.worker.fallbacks >= 1  # each chunk tried it first
        summaries = store.reader().execute("SELECT summary FROM clusters WHERE summary IS NOT NULL")
        assert len(summaries.fetchall()) == 2
    finally:
        views.stop()


def test_views_take_the_workers_corpus_sample(store: Store) -> None:
    views = StoryViews(store, worker=True).start()  # the stories' summaries are stale: it has work
    try:
        assert views.wait_idle(timeout=60)
        assert views.worker is not None and views.worker.fallbacks == 0
    finally:
        views.stop()
    local = SummaryComputer()
    local.prime(store.reader())
    assert views.computer.corpus.docs == local.corpus.docs == 5
    assert views.computer.corpus.df == local.corpus.df
    assert views.computer.sample()[1] == {f"a{n}" for n in range(1, 6)}


def test_prime_adopts_a_shared_sample_without_reading(store: Store, tmp_path: Path) -> None:
    worker_side = SummaryComputer()
    worker_side.prime(store.reader())
    adopted = SummaryComputer()
    nowhere = sqlite3.connect(tmp_path / "no-tables.sqlite3")  # reading it would raise
    adopted.prime(nowhere, worker_side.sample)
    assert adopted.corpus.docs == 5 and adopted.corpus.df == worker_side.corpus.df
    assert adopted.corpus is not worker_side.corpus  # a copy: each counts on by itself
    fallback = SummaryComputer()
    with pytest.raises(sqlite3.OperationalError):  # no sample given: it reads the database
        fallback.prime(nowhere, lambda: None)


def test_a_complete_sample_is_frozen_and_adopted_frozen(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the sample holds CORPUS_SAMPLE articles its counts are compacted and the ids let go;
    summaries read the same IDF."""
    growing = SummaryComputer()
    growing.prime(store.reader())
    assert growing.corpus.frozen is None  # 5 stored articles: the sample may still grow
    monkeypatch.setattr("service.summary_worker.CORPUS_SAMPLE", 5)
    complete = SummaryComputer()
    complete.prime(store.reader())
    assert complete.corpus.frozen is not None and not complete.corpus.df
    assert complete.sample()[1] == set()
    keys = list(growing.corpus.df)
    assert [complete.corpus.count(k) for k in keys] == [growing.corpus.df[k] for k in keys]
    assert _without_time(complete.compute(store.reader(), 1)[1]) == _without_time(
        growing.compute(store.reader(), 1)[1]
    )
    adopted = SummaryComputer()
    adopted.prime(store.reader(), complete.sample)
    assert adopted.corpus.frozen is complete.corpus.frozen  # immutable arrays: shared, not copied
    adopted.count([("new", "نص جديد")])  # a complete sample counts nothing more
    assert adopted.corpus.docs == 5
