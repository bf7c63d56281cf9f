"""Check verification in a worker process answers exactly what verification in the server does."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from typing import Any

from service.config import Settings
from service.newsroom import DRAFT_ID
from service.pipeline import Pipeline
from service.prepare import prepare
from service.reuse import draft_text, find_reuse
from service.schemas import ArticleIn
from service.text import sentences
from service.verifier import MAX_FALLBACKS, CheckVerifier
from tests.test_reuse import OWN


def _edited(seed: dict[str, Any], new_id: str, keep: float) -> dict[str, Any]:
    """The seed re-published with a new headline and only its first sentences (a trimmed copy)."""
    sentences = seed["body"].split(".")
    body = ".".join(sentences[: max(2, int(len(sentences) * keep))])
    return {
        **seed,
        "id": new_id,
        "url": None,
        "source": "wire",
        "title": "عاجل " + (seed.get("title") or ""),
        "body": body,
    }


def _planned(pipeline: Pipeline, payload: dict[str, Any]) -> Any:
    doc = prepare(ArticleIn.model_validate({**payload, "id": DRAFT_ID}), datetime.now(UTC))
    return pipeline.dedup.plan_check(doc, pipeline.dedup.sketch(doc))


def test_worker_answers_equal_the_servers_own(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    copies = [
        _edited(seed, f"{seed['id']}-copy", keep)
        for seed, keep in zip(seeds, (1.0, 0.8, 0.6, 0.9, 0.7), strict=True)
    ]
    with Pipeline.open(settings) as pipeline:
        assert pipeline.verifier is not None  # on by default
        pipeline.ingest([ArticleIn.model_validate(p) for p in seeds + copies])
        near = 0
        for payload in seeds + copies + [_edited(seeds[0], "draft", 0.5)]:
            planned = _planned(pipeline, payload)
            here = planned.matches(10)
            assert planned.matches(10, pipeline.verifier) == here
            near += sum(m.type == "near" for m in here)
        assert near >= 5 and pipeline.verifier.fallbacks == 0


def test_texts_not_committed_yet_are_sent_to_the_worker(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    with Pipeline.open(settings) as pipeline:
        planned = _planned(pipeline, seeds[1])
        body = prepare(ArticleIn.model_validate(seeds[1]), datetime.now(UTC)).body_norm
        others = {"in-flight": (0.0, planned.headline)}  # an article of a batch not committed yet
        verifier = CheckVerifier(settings.database_path, settings.dedup, 1, lambda ids: {"in-flight": body})
        try:
            found = verifier.copies(planned.text, planned.headline, others, dict)
        finally:
            verifier.close()
        assert set(found) == {"in-flight"} and found["in-flight"].score > 0.9 and verifier.fallbacks == 0


def test_a_dead_worker_falls_back_to_the_server_then_recovers(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    with Pipeline.open(settings) as pipeline:
        verifier = pipeline.verifier
        assert verifier is not None
        pipeline.ingest([ArticleIn.model_validate(p) for p in [seeds[2], _edited(seeds[2], "copy", 0.8)]])
        planned = _planned(pipeline, seeds[2])
        expected = planned.matches(10)
        assert planned.matches(10, verifier) == expected and verifier._pool is not None
        for pid in list(verifier._pool._processes):  # type: ignore[attr-defined]
            os.kill(pid, signal.SIGKILL)
        assert planned.matches(10, verifier) == expected  # verified in the server instead
        assert verifier.fallbacks == 1
        assert planned.matches(10, verifier) == expected and verifier.fallbacks == 1  # a fresh worker


def test_a_worker_that_cannot_start_is_given_up_after_a_few_tries(
    settings: Settings, seeds: list[dict[str, Any]]
) -> None:
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn.model_validate(p) for p in [seeds[2], _edited(seeds[2], "copy", 0.8)]])
        planned = _planned(pipeline, seeds[2])
        expected = planned.matches(10)
        broken = CheckVerifier(settings.data_dir / "missing.sqlite3", settings.dedup, 1, lambda ids: {})
        try:
            for _ in range(MAX_FALLBACKS + 2):  # the worker cannot open the database
                assert planned.matches(10, broken) == expected
        finally:
            broken.close()
        assert broken.fallbacks == MAX_FALLBACKS  # then the server verifies without trying


def test_worker_measures_reuse_as_the_server_does(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    wire = next(s for s in seeds if s["id"].startswith("000"))
    draft = draft_text("\n".join([OWN, *sentences(wire["body"])[7:10], *sentences(wire["body"])[20:22]]))
    ids = [s["id"] for s in seeds] + ["in-flight", "unknown"]
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn.model_validate(s) for s in seeds])
        verifier = pipeline.verifier
        assert verifier is not None
        pending = prepare(ArticleIn.model_validate({**wire, "id": "x"}), datetime.now(UTC)).body_norm
        bodies = {
            **pipeline.texts.bodies(ids),
            "in-flight": pending,
        }  # a text not committed yet is sent along
        here = find_reuse(draft, bodies, settings.dedup)
        verifier.pending = lambda wanted: {"in-flight": pending} if "in-flight" in wanted else {}
        there = verifier.reuses(draft, ids, lambda: {})
        assert there == here and set(here) == {wire["id"], "in-flight"} and verifier.fallbacks == 0
        assert here[wire["id"]].sentences == [3, 4, 5, 6, 7]  # after the draft's own three
        assert verifier.reuses(draft, [], lambda: {"never": here[wire["id"]]}) == {}
