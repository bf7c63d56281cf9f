"""A duplicate group moved to another story by a copy later in the same ingest batch: the batch's
answers, the stored rows, the API and the story stage all tell where the group ended."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.clustering import StoryClusterer
from service.config import Settings
from service.pipeline import Pipeline
from service.schemas import ArticleIn, IngestResult

LIVE_URL = "https://news.example.com/economy/live"


def _article(article_id: str, title: str, body: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": article_id,
        "source": f"outlet {article_id}",
        "title": title,
        "body": body,
        "published_at": f"2024-03-07T{at}:00Z",
        **extra,
    }


# A running economy story, open before the refinery fire happens.
RATES = [
    _article(
        "rates-1",
        "Central bank raises interest rate",
        "The central bank raised its main interest rate by a quarter point on Thursday, citing persistent "
        "inflation in housing and services. The governor said further increases remain possible if prices do "
        "not cool over the coming months, and economists expect mortgage costs to climb.",
        "09:00",
    ),
    _article(
        "rates-2",
        "Inflation eases but stays above target",
        "Consumer price inflation eased slightly in February but stayed well above the central bank target, "
        "official figures showed. Economists said the data would keep pressure on the governor to hold "
        "interest rates high, with housing and services prices still rising.",
        "11:00",
    ),
    _article(
        "rates-3",
        "Mortgage lenders lift rates after central bank move",
        "Several large mortgage lenders raised their rates after the central bank increase, adding to the "
        "cost of housing for borrowers. Analysts said inflation and interest rates would weigh on consumer "
        "spending and the economy this year.",
        "13:00",
    ),
]
# A live page: economy first, the fire in its last line. Its economy words put it in the rates story.
LIVE = _article(
    "live-1",
    "Economy live: central bank, inflation and markets",
    "The central bank governor defended the interest rate increase at a press conference, saying inflation "
    "in housing and services remained too high. Shares fell and the currency rose after the decision. "
    "Separately, a fire broke out at the Northport oil refinery on Thursday afternoon, officials said.",
    "14:00",
    source="business desk",
    url=LIVE_URL,
)
# The fire's own story, opened after the live page was placed.
FIRE = [
    _article(
        "fire-1",
        "Huge blaze at Northport refinery",
        "A huge fire broke out at the Northport oil refinery on Thursday afternoon, sending thick black "
        "smoke over the harbour district. Dozens of firefighters and fire engines battled the blaze as "
        "residents near the refinery were told to keep windows closed.",
        "15:00",
    ),
    _article(
        "fire-2",
        "Refinery workers evacuated as fire spreads",
        "Hundreds of workers were evacuated from the Northport refinery as the fire spread to a second "
        "storage tank, the fire brigade said. Firefighters used foam to fight the blaze and smoke could be "
        "seen across the harbour district.",
        "16:00",
    ),
    _article(
        "fire-3",
        "Two injured in Northport refinery fire",
        "Two refinery workers were taken to hospital with burns after the fire at the Northport refinery, "
        "the fire brigade said. The blaze at the storage tank was brought under control by firefighters late "
        "on Thursday, and smoke over the harbour district began to clear.",
        "18:00",
    ),
]
# The same page rewritten around the fire: a `url` copy of the live page that fits the fire story.
UPDATE = _article(
    "live-1-update",
    "Northport refinery fire: workers evacuated, two injured",
    "Separately, a fire broke out at the Northport oil refinery on Thursday afternoon, officials said. "
    "Firefighters battled the blaze at a storage tank for hours and hundreds of refinery workers were "
    "evacuated. Two workers were taken to hospital with burns, the fire brigade said, and smoke hung over "
    "the harbour district.",
    "19:00",
    source="business desk",
    url=LIVE_URL,
)
BATCH = [*RATES, LIVE, *FIRE, UPDATE]
# An aggregator's verbatim copy of the live page, published after it but received before it.
SYNDICATED = {
    **LIVE,
    "id": "live-1-syndicated",
    "source": "aggregator",
    "url": None,
    "published_at": "2024-03-07T14:30:00Z",
}


def _articles(payloads: list[dict[str, Any]]) -> list[ArticleIn]:
    return [ArticleIn.model_validate(p) for p in payloads]


def _outcome(answer: IngestResult | dict[str, Any]) -> tuple[Any, Any, Any]:
    """(story, phase, duplicate as a dict) of an ingest answer or an article read."""
    data = answer.model_dump(mode="json") if isinstance(answer, IngestResult) else answer
    return data["cluster_id"], data["phase"], data["duplicate"]


def _stored(pipeline: Pipeline, article_id: str) -> tuple[Any, Any, Any]:
    """(story, phase, duplicate) of the stored row, in the answers' terms."""
    row = pipeline.store.article(article_id)
    assert row is not None, article_id
    duplicate = None
    if row["dup_type"]:
        duplicate = {"type": row["dup_type"], "of": row["dup_of"], "score": round(float(row["dup_score"]), 4)}
    return row["cluster_id"], row["phase"], duplicate


def _stage(pipeline: Pipeline) -> StoryClusterer:
    """The pipeline's story stage, whose in-memory members say where each article is."""
    assert isinstance(pipeline.stories, StoryClusterer)
    return pipeline.stories


def _member_ids(members: list[dict[str, Any]]) -> set[str]:
    """Ids of a story's listed members, copies listed under their original included."""
    return {m["id"] for m in members} | {i for m in members for i in _member_ids(m["copies"])}


def test_a_copy_later_in_the_batch_moves_its_original_and_the_answers_say_where_it_ended(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live page joins the rates story; its rewrite, later in the batch, moves it to the fire story.
    The live page's answer gives the fire story, as its stored row and the story stage do."""
    with Pipeline.open(settings) as pipeline:
        placed: dict[str, int] = {}
        moves: dict[str, dict[str, int]] = {}
        real_assign = pipeline.stories.assign

        def spying_assign(doc: Any, *args: Any, **kwargs: Any) -> Any:
            assignment = real_assign(doc, *args, **kwargs)
            placed[doc.id], moves[doc.id] = assignment.cluster_id, dict(assignment.moves)
            return assignment

        monkeypatch.setattr(pipeline.stories, "assign", spying_assign)
        results = {r.id: r for r in pipeline.ingest(_articles(BATCH))}

        rates, fire = results["rates-1"].cluster_id, results["fire-1"].cluster_id
        assert rates is not None and fire is not None and rates != fire
        assert placed["live-1"] == rates  # where the live page went on its own
        assert moves["live-1-update"] == {"live-1": fire}  # and where its rewrite took it
        assert {k: v for k, v in moves.items() if v} == {"live-1-update": {"live-1": fire}}
        assert results["live-1"].cluster_id == fire and results["live-1"].new_story is False
        update = results["live-1-update"]
        assert update.duplicate is not None
        assert (update.duplicate.type, update.duplicate.of) == ("url", "live-1")
        assert update.cluster_id == fire
        assert {results[a["id"]].cluster_id for a in RATES} == {rates}
        assert {results[a["id"]].cluster_id for a in FIRE} == {fire}

        for article_id, result in results.items():
            assert _outcome(result) == _stored(pipeline, article_id), article_id
            assert _stage(pipeline).members[article_id].story == result.cluster_id, article_id
        assert pipeline.duplicate_group("live-1-update") == ["live-1", "live-1-update"]
        merges = pipeline.store.reader().execute("SELECT COUNT(*) FROM cluster_merges").fetchone()[0]
        assert merges == 0  # a move, not a merge: the rates story lives on without the live page
        assert pipeline.store.survivor(rates) == rates

    with Pipeline.open(settings) as reopened:  # after a restart the stage and the rows still agree
        for article_id, result in results.items():
            assert _stage(reopened).members[article_id].story == result.cluster_id, article_id
            assert _outcome(result) == _stored(reopened, article_id), article_id


def test_the_api_answers_a_batch_with_a_move_as_it_reads_the_articles_afterwards(client: TestClient) -> None:
    """POST /ingest answers (the live page given again at the end included) equal GET /articles,
    and GET /clusters lists the moved page in the fire story only."""
    response = client.post("/ingest", json={"articles": [*BATCH, LIVE]})
    assert response.status_code == 200, response.text
    answers = response.json()["results"]
    assert [a["status"] for a in answers] == ["created"] * len(BATCH) + ["exists"]
    first, again = answers[BATCH.index(LIVE)], answers[-1]
    by_id = {a["id"]: a for a in answers[:-1]}
    rates, fire = by_id["rates-1"]["cluster_id"], by_id["fire-1"]["cluster_id"]
    assert rates != fire
    assert first["cluster_id"] == again["cluster_id"] == fire  # as the batch ended, both times
    assert _outcome(again) == _outcome(first)

    for article_id, answer in by_id.items():
        read = client.get(f"/articles/{article_id}")
        assert read.status_code == 200, read.text
        assert _outcome(read.json()) == _outcome(answer), article_id
    fire_story = client.get(f"/clusters/{fire}").json()
    rates_story = client.get(f"/clusters/{rates}").json()
    assert _member_ids(fire_story["members"]) == {"live-1", "live-1-update", *(a["id"] for a in FIRE)}
    assert _member_ids(rates_story["members"]) == {a["id"] for a in RATES}
    assert fire_story["redirected"] is False and rates_story["redirected"] is False


def test_a_move_inside_one_batch_ends_as_one_article_per_batch_does(tmp_path: Any) -> None:
    """Searching and embedding the batch ahead changes nothing: the same stories, phases and
    duplicates whether the batch is sent whole or one article at a time."""
    ended: list[dict[str, tuple[Any, Any, Any]]] = []
    for split in (False, True):
        settings = Settings(data_dir=tmp_path / str(split), load_seeds=False, checkpoint_seconds=0)
        with Pipeline.open(settings) as pipeline:
            for batch in [[a] for a in BATCH] if split else [BATCH]:
                pipeline.ingest(_articles(batch))
            ended.append({a["id"]: _stored(pipeline, a["id"]) for a in BATCH})
    whole, one_by_one = ended
    assert whole == one_by_one
    assert whole["live-1"][0] == whole["fire-1"][0] != whole["rates-1"][0]


def test_a_copy_received_before_its_original_moves_with_the_group(settings: Settings) -> None:
    """The aggregator's copy arrives before the live page (its earlier original); when the rewrite
    moves the live page's group, the copy goes too, as it would after a restart."""
    with Pipeline.open(settings) as pipeline:
        results = {r.id: r for r in pipeline.ingest(_articles([*RATES, *FIRE, SYNDICATED, LIVE, UPDATE]))}
        syndicated = results["live-1-syndicated"].duplicate
        assert syndicated is not None and (syndicated.type, syndicated.of) == ("exact", "live-1")
        assert pipeline.duplicate_group("live-1") == ["live-1", "live-1-syndicated", "live-1-update"]
        for article_id, result in results.items():
            assert _outcome(result) == _stored(pipeline, article_id), article_id
        fire = results["fire-1"].cluster_id
        assert results["live-1"].cluster_id == fire
        assert results["live-1-syndicated"].cluster_id == fire  # fails: left in the rates story
