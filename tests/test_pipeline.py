"""The pipeline: batches in order, all-or-nothing commits, copies inside a batch, restart, delete."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from service.config import Settings
from service.pipeline import Pipeline
from service.schemas import ArticleIn
from service.story_persistence import SNAPSHOT_FILE
from tests.conftest import crash


def _articles(payloads: list[dict[str, Any]]) -> list[ArticleIn]:
    return [ArticleIn.model_validate(p) for p in payloads]


def _story(pipeline: Pipeline, article_id: str) -> int | None:
    """The stored article's story id (the article must exist)."""
    article = pipeline.article(article_id)
    assert article is not None, article_id
    return article.cluster_id


def _copy(seed: dict[str, Any], new_id: str, source: str = "copy desk") -> dict[str, Any]:
    """Wire copy re-published under a new headline with a credit line: a near duplicate."""
    return {
        **seed,
        "id": new_id,
        "source": source,
        "url": None,
        "title": "عاجل: " + (seed.get("title") or ""),
        "body": seed["body"] + "\n(واس)",
    }


def test_a_batch_answers_in_order_and_repeats_answer_exists(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    with Pipeline.open(settings) as pipeline:
        batch = _articles([*seeds, seeds[0]])
        results = pipeline.ingest(batch)
        assert [r.id for r in results] == [a.id for a in batch]
        assert [r.status for r in results] == ["created"] * len(seeds) + ["exists"]
        assert results[-1].cluster_id == results[0].cluster_id
        again = pipeline.ingest(_articles(seeds[:2]))
        assert [r.status for r in again] == ["exists", "exists"]
        assert [r.cluster_id for r in again] == [r.cluster_id for r in results[:2]]
        assert pipeline.store.count_articles() == len(seeds)


def test_a_copy_later_in_the_same_batch_is_found_before_anything_is_committed(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    with Pipeline.open(settings) as pipeline:
        original = seeds[2]
        results = pipeline.ingest(_articles([original, _copy(original, "copy-1")]))
        copy = results[1]
        assert copy.duplicate is not None and copy.duplicate.of == original["id"]
        assert copy.cluster_id == results[0].cluster_id
        assert pipeline.duplicate_group("copy-1") == [original["id"], "copy-1"]


def test_a_failing_batch_stores_nothing_and_loses_nothing(
    settings: Settings, seeds: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Pipeline.open(settings) as pipeline:
        first = pipeline.ingest(_articles(seeds[:2]))
        assign = pipeline.stories.assign
        calls = {"n": 0}

        def failing_assign(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk full")
            return assign(*args, **kwargs)

        monkeypatch.setattr(pipeline.stories, "assign", failing_assign)
        with pytest.raises(RuntimeError, match="disk full"):
            pipeline.ingest(_articles(seeds[2:]))
        monkeypatch.undo()
        assert pipeline.store.count_articles() == 2
        assert pipeline.article(seeds[2]["id"]) is None
        assert [_story(pipeline, s["id"]) for s in seeds[:2]] == [r.cluster_id for r in first]
        retried = pipeline.ingest(_articles(seeds[2:]))
        assert [r.status for r in retried] == ["created"] * 3
        assert pipeline.store.count_articles() == len(seeds)


def test_a_reopened_pipeline_keeps_stories_and_finds_copies(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    with Pipeline.open(settings) as pipeline:
        before = {r.id: r.cluster_id for r in pipeline.ingest(_articles(seeds))}
    with Pipeline.open(settings) as pipeline:
        assert {s["id"]: _story(pipeline, s["id"]) for s in seeds} == before
        result = pipeline.ingest(_articles([_copy(seeds[0], "copy-after-restart")]))[0]
        assert result.duplicate is not None and result.duplicate.of == seeds[0]["id"]
        assert result.cluster_id == before[seeds[0]["id"]]


def test_commit_listeners_hear_the_changed_stories(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    heard: list[set[int]] = []
    with Pipeline.open(settings) as pipeline:
        pipeline.on_commit.append(heard.append)
        results = pipeline.ingest(_articles(seeds))
        assert len(heard) == 1
        assert heard[0] == {r.cluster_id for r in results if r.cluster_id is not None}
        pipeline.ingest(_articles(seeds[:1]))  # nothing new: no story changed
        assert len(heard) == 1


def test_delete_removes_the_article_everywhere(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    with Pipeline.open(settings) as pipeline:
        original = seeds[2]
        pipeline.ingest(_articles([original, _copy(original, "copy-1")]))
        assert pipeline.delete("copy-1") is True
        assert pipeline.delete("copy-1") is False
        assert pipeline.article("copy-1") is None
        assert pipeline.duplicate_group(original["id"]) == [original["id"]]
        again = pipeline.ingest(_articles([_copy(original, "copy-1")]))[0]
        assert again.status == "created"
        assert again.duplicate is not None and again.duplicate.of == original["id"]


@pytest.mark.parametrize("order", [(0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (1, 3, 0, 4, 2)])
def test_a_batch_answer_tells_each_article_s_story_and_phase_as_committed(
    settings: Settings, seeds: list[dict[str, Any]], order: tuple[int, ...]
) -> None:
    with Pipeline.open(settings) as pipeline:
        results = pipeline.ingest(_articles([seeds[i] for i in order]))
        for result in results:
            stored = pipeline.article(result.id)
            assert stored is not None
            assert (result.cluster_id, result.phase) == (stored.cluster_id, stored.phase), result.id


KIM_ARC = [
    (
        "pre1",
        "Leader to visit Moscow next week",
        "The North Korean leader Kim Jong Un will travel to Russia next week for a summit with President "
        "Vladimir Putin, officials said. The visit is expected to focus on weapons and satellites. Kim will "
        "arrive by armoured train.",
        "2023-09-05T08:00:00Z",
    ),
    (
        "arr1",
        "Kim arrives in Russia",
        "North Korean leader Kim Jong Un arrived in Russia on Tuesday aboard his armoured train for a summit "
        "with President Vladimir Putin, state media said. Kim crossed the border at Khasan.",
        "2023-09-12T06:00:00Z",
    ),
    (
        "core1",
        "Putin and Kim hold summit",
        "President Vladimir Putin and North Korean leader Kim Jong Un held summit talks at the Vostochny "
        "cosmodrome on Wednesday, discussing military cooperation and satellites, Russian officials said.",
        "2023-09-13T10:00:00Z",
    ),
    (
        "aft1",
        "US warns after Kim Putin summit",
        "The United States warned of consequences after the summit between Kim Jong Un and President "
        "Vladimir "
        "Putin, saying any arms deal with North Korea would violate sanctions. Kim left Russia by train on "
        "Sunday after the visit.",
        "2023-09-18T10:00:00Z",
    ),
]


@pytest.mark.parametrize(("order", "change"), [((0, 2, 1, 3), "phase"), ((0, 3, 1, 2), "merge")])
def test_a_batch_answer_follows_later_articles_phase_updates_and_merges(
    settings: Settings, order: tuple[int, ...], change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An earlier article of the batch re-phased, or its story merged, by a later one answers
    with the phase and story committed, not those of its own placement."""
    payloads = [
        {"id": aid, "source": f"s{i}", "title": title, "body": body, "published_at": at}
        for i, (aid, title, body, at) in enumerate(KIM_ARC)
    ]
    with Pipeline.open(settings) as pipeline:
        placed: dict[str, tuple[int, str]] = {}
        real_assign = pipeline.stories.assign

        def spying_assign(doc: Any, *args: Any, **kwargs: Any) -> Any:
            assignment = real_assign(doc, *args, **kwargs)
            placed[doc.id] = (assignment.cluster_id, assignment.phase)
            return assignment

        monkeypatch.setattr(pipeline.stories, "assign", spying_assign)
        results = pipeline.ingest(_articles([payloads[i] for i in order]))
        changed = 0
        for result in results:
            stored = pipeline.article(result.id)
            assert stored is not None
            assert (result.cluster_id, result.phase) == (stored.cluster_id, stored.phase), result.id
            own_story, own_phase = placed[result.id]
            changed += (own_phase if change == "phase" else own_story) != (
                result.phase if change == "phase" else result.cluster_id
            )
        assert changed >= 1  # the batch did change an earlier answer


def test_ingest_steps_aside_while_a_check_runs(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    """Each article waits for checks in flight, at most ``check_priority_ms``; 0 turns that off."""
    elapsed = {}
    for priority_ms in (300.0, 0.0):
        tuned = Settings(
            data_dir=settings.data_dir / f"p{int(priority_ms)}",
            load_seeds=False,
            check_priority_ms=priority_ms,
        )
        with Pipeline.open(tuned) as pipeline:
            with pipeline.priority.check():  # as a check in flight during the whole batch
                started = time.monotonic()
                results = pipeline.ingest(_articles(seeds[:2]))
                elapsed[priority_ms] = time.monotonic() - started
            assert [r.status for r in results] == ["created", "created"]
            assert (pipeline.priority.waited >= 0.5) == (priority_ms > 0)
    assert elapsed[300.0] >= 0.55 and elapsed[0.0] < elapsed[300.0]


def test_a_checkpoint_does_not_wait_for_checks_in_flight(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    """The snapshot is written with the state lock shared: a check holding it does not stop it."""
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(_articles(seeds))
        snapshot = settings.data_dir / SNAPSHOT_FILE
        snapshot.unlink(missing_ok=True)
        done = threading.Event()

        def write() -> None:
            pipeline.checkpoint()
            done.set()

        with pipeline.state_lock.reading():  # a check in flight
            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            assert done.wait(10.0), "the checkpoint waited for the check"
            assert snapshot.is_file()
        writer.join()


def _counts(pipeline: Pipeline) -> tuple[int, bytes]:
    embedder = pipeline.stories.embedder
    return embedder.n_docs, embedder.df.tobytes()  # type: ignore[attr-defined]


@pytest.mark.parametrize("checkpointed", [False, True])
def test_a_crash_loses_no_document_counts(
    tmp_path: Any, seeds: list[dict[str, Any]], checkpointed: bool
) -> None:
    """Articles committed after the last checkpoint (or before any) still count in the IDF after a
    crash: without them every later article is weighed wrongly and stories collapse."""
    later = _copy(seeds[0], "later-copy")
    clean = Settings(data_dir=tmp_path / "clean", load_seeds=False, checkpoint_seconds=3600)
    with Pipeline.open(clean) as pipeline:
        pipeline.ingest(_articles(seeds[:2]))
        pipeline.ingest(_articles(seeds[2:]))
    with Pipeline.open(clean) as pipeline:
        expected, stories = _counts(pipeline), {s["id"]: _story(pipeline, s["id"]) for s in seeds}
        expected_later = pipeline.ingest(_articles([later]))[0].cluster_id
    assert expected[0] == len(seeds)
    crashed = Settings(data_dir=tmp_path / "crashed", load_seeds=False, checkpoint_seconds=3600)
    pipeline = Pipeline.build(crashed)
    pipeline.ingest(_articles(seeds[:2]))
    if checkpointed:
        pipeline.checkpoint()
    pipeline.ingest(_articles(seeds[2:]))
    crash(pipeline)
    with Pipeline.open(crashed) as pipeline:
        assert pipeline.stories.restored is checkpointed  # the snapshot, when one was written, is used
        assert _counts(pipeline) == expected
        assert {s["id"]: _story(pipeline, s["id"]) for s in seeds} == stories
        assert pipeline.ingest(_articles([later]))[0].cluster_id == expected_later


def test_story_ids_are_not_reused_after_a_crash(tmp_path: Any, seeds: list[dict[str, Any]]) -> None:
    """A story created and emptied after the last checkpoint keeps its id (its row stays)."""
    settings = Settings(data_dir=tmp_path / "data", load_seeds=False, checkpoint_seconds=3600)
    other = {"id": "storm", "source": "s", "body": "A storm hit the northern coast overnight, cutting power."}
    pipeline = Pipeline.build(settings)
    pipeline.ingest(_articles(seeds))
    pipeline.checkpoint()
    gone = pipeline.ingest(_articles([other]))[0]
    assert gone.new_story and pipeline.delete("storm")
    crash(pipeline)
    with Pipeline.open(settings) as pipeline:
        fresh = pipeline.ingest(
            _articles([{**other, "id": "storm-2", "body": other["body"] + " Roads closed."}])
        )[0]
    assert fresh.new_story and fresh.cluster_id is not None and gone.cluster_id is not None
    assert fresh.cluster_id > gone.cluster_id


def test_pending_fragment_votes_survive_a_restart(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(_articles(seeds))
        small, large = sorted(pipeline.stories.stories)
        pipeline.stories.merger._votes = {(small, large): 1, (small, 424242): 3}
    with Pipeline.open(settings) as pipeline:
        assert pipeline.stories.merger.pending_votes() == [(small, large, 1)]


def _votes_after_a_checkpoint(
    tmp_path: Path, seeds: list[dict[str, Any]]
) -> tuple[Settings, Pipeline, tuple[int, int], list[str]]:
    """Seeds checkpointed with one pending vote, then two copies stored with a vote each (as
    ``after_join`` writes them), no checkpoint since."""
    settings = Settings(data_dir=tmp_path / "data", load_seeds=False, checkpoint_seconds=3600)
    pipeline = Pipeline.build(settings)
    pipeline.ingest(_articles(seeds))
    small, large = sorted(pipeline.stories.stories)
    pipeline.stories.merger._votes = {(small, large): 1}
    pipeline.checkpoint()
    later = ["copy-a", "copy-b"]
    pipeline.ingest(_articles([_copy(seeds[1], later[0]), _copy(seeds[3], later[1])]))
    with pipeline.store.transaction() as tx:
        for article_id in later:
            tx.update_article(article_id, {"vote_small": small, "vote_large": large})
    return settings, pipeline, (small, large), later


def test_fragment_votes_cast_after_the_last_checkpoint_survive_a_crash(
    tmp_path: Path, seeds: list[dict[str, Any]]
) -> None:
    """Each article keeps the vote it cast: a restart counts the checkpoint's votes plus those."""
    settings, pipeline, (small, large), later = _votes_after_a_checkpoint(tmp_path, seeds)
    with pipeline.store.transaction() as tx:
        tx.update_article(seeds[0]["id"], {"vote_small": small, "vote_large": large})  # counted already
    crash(pipeline)
    with Pipeline.open(settings) as pipeline:
        assert pipeline.stories.merger.pending_votes() == [(small, large, 1 + len(later))]
    (settings.data_dir / SNAPSHOT_FILE).unlink()  # a rebuild counts the same
    with Pipeline.open(settings) as pipeline:
        assert pipeline.stories.merger.pending_votes() == [(small, large, 1 + len(later))]


def test_fragment_votes_survive_a_crash_between_a_snapshot_and_its_state(
    tmp_path: Path, seeds: list[dict[str, Any]]
) -> None:
    """A checkpoint writes the snapshot, then the state: a crash in between leaves a snapshot newer
    than the state's votes, and the articles between the two still count."""
    settings, pipeline, (small, large), _ = _votes_after_a_checkpoint(tmp_path, seeds)
    pipeline.stories.save()  # the snapshot of the next checkpoint, whose state never committed
    crash(pipeline)
    with Pipeline.open(settings) as pipeline:
        assert pipeline.stories.restored
        assert pipeline.stories.merger.pending_votes() == [(small, large, 3)]


def test_a_rebuild_without_the_snapshot_reproduces_what_ingest_built(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    """Each article is replayed under the document counts it was ingested with, so its kept
    features, keywords and the story profiles come back as ingest left them."""

    def state(pipeline: Pipeline) -> tuple[Any, ...]:
        stories = pipeline.stories
        members = {i: (bytes(m.terms or b""), m.keywords, m.story) for i, m in stories.members.items()}
        profiles = {
            k: (s.profile[0].tolist(), s.profile[1].round(6).tolist()) for k, s in stories.stories.items()
        }
        return members, profiles, _counts(pipeline)

    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(_articles(seeds[:3]))
        pipeline.ingest(_articles([*seeds[3:], _copy(seeds[0], "copy-a"), _copy(seeds[3], "copy-b")]))
        built = state(pipeline)
    (settings.data_dir / SNAPSHOT_FILE).unlink()
    with Pipeline.open(settings) as pipeline:
        assert not pipeline.stories.restored
        assert state(pipeline) == built


def test_a_failing_correction_keeps_the_old_version(
    settings: Settings, seeds: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old version's removal and the new one's ingest are one transaction: when placing the
    new one fails, the store and every stage still hold the old one."""
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(_articles([*seeds, _copy(seeds[2], "copy-1")]))
        stories = {s["id"]: _story(pipeline, s["id"]) for s in seeds}
        corrected = ArticleIn.model_validate({**seeds[2], "body": seeds[4]["body"] + "\nتصحيح."})

        def failing_assign(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("disk full")

        monkeypatch.setattr(pipeline.stories, "assign", failing_assign)
        with pytest.raises(RuntimeError, match="disk full"):
            pipeline.replace(corrected)
        monkeypatch.undo()
        kept = pipeline.article(seeds[2]["id"])
        assert kept is not None and kept.body == seeds[2]["body"]
        assert {s["id"]: _story(pipeline, s["id"]) for s in seeds} == stories
        assert pipeline.stories.members[seeds[2]["id"]].story == stories[seeds[2]["id"]]  # type: ignore[attr-defined]
        assert pipeline.duplicate_group("copy-1") == [seeds[2]["id"], "copy-1"]
        assert pipeline.store.count_articles() == len(seeds) + 1
        result = pipeline.replace(corrected)
        assert result.status == "replaced" and result.duplicate is None
        assert pipeline.duplicate_group("copy-1") == ["copy-1"]  # the copy lost its original's text
        assert pipeline.article(seeds[2]["id"]).body == corrected.body  # type: ignore[union-attr]


def test_a_correction_is_placed_as_delete_then_ingest_would_place_it(
    tmp_path: Path, seeds: list[dict[str, Any]]
) -> None:
    """The new version is embedded after the old one left the corpus statistics, as a DELETE
    followed by a POST would: the same vector, story and duplicate status."""
    corrected = {**seeds[0], "body": seeds[0]["body"] + "\nوأضاف المتحدث أن الزيارة ستستمر ثلاثة أيام."}
    outcomes = []
    for name in ("put", "delete-post"):
        settings = Settings(data_dir=tmp_path / name, load_seeds=False, checkpoint_seconds=0)
        with Pipeline.open(settings) as pipeline:
            pipeline.ingest(_articles(seeds))
            if name == "put":
                pipeline.replace(ArticleIn.model_validate(corrected))
            else:
                pipeline.delete(seeds[0]["id"])
                pipeline.ingest(_articles([corrected]))
            row = pipeline.store.article(seeds[0]["id"])
            assert row is not None
            outcomes.append((row["vector"], row["cluster_id"], row["dup_of"], row["body"]))
    assert outcomes[0] == outcomes[1]


def _recounted_df(pipeline: Pipeline) -> tuple[Any, int]:
    """Document frequencies recounted from the stored features of every article."""
    import numpy as np

    from service.story_state import Member

    df = np.zeros_like(pipeline.stories.embedder.df)  # type: ignore[attr-defined]
    rows = pipeline.store.reader().execute("SELECT id, features FROM articles").fetchall()
    for row in rows:
        terms = Member.from_bytes(row["id"], 0, 0.0, 0, row["features"]).terms
        if terms is not None:
            df[terms.ids] += 1
    return df, len(rows)


def test_document_frequencies_follow_deletions_and_corrections(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    """A deleted or replaced article takes all its counted features out, not just the kept ones."""
    import numpy as np

    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(_articles([*seeds, _copy(seeds[0], "copy-1")]))
        assert pipeline.delete(seeds[1]["id"])
        pipeline.replace(
            ArticleIn.model_validate({**seeds[2], "body": seeds[2]["body"] + "\nوأكد ذلك مجددا."})
        )
        assert pipeline.delete("copy-1")
        embedder = pipeline.stories.embedder  # type: ignore[attr-defined]
        df, stored = _recounted_df(pipeline)
        assert embedder.n_docs == stored == len(seeds) - 1
        assert np.array_equal(embedder.df, df)
