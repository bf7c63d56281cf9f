"""Copy groups and stories: an original that arrives after its copies joins their story, the
stories whose copies were re-pointed are recounted, and a corrected lone article opens no story."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service.config import Settings

BODY = (
    "أعلنت الهيئة العامة للطيران المدني اليوم تشغيل مطار الطائف الدولي الجديد بطاقة استيعابية تبلغ خمسة "
    "ملايين مسافر سنويا، وقال رئيس الهيئة إن المطار يضم صالات حديثة ومدرجا طوله أربعة كيلومترات، وإن "
    "التشغيل سيبدأ تدريجيا مع شركات الطيران المحلية. وأضاف أن المشروع يأتي ضمن خطة لتطوير مطارات المملكة "
    "وزيادة طاقتها الاستيعابية خلال السنوات الخمس المقبلة."
)
TITLE = "تشغيل مطار الطائف"


def _ingest(client: TestClient, **article: Any) -> dict[str, Any]:
    response = client.post("/ingest", json={"source": "paper", "title": TITLE, **article})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


def _flagged(story: dict[str, Any]) -> int:
    """Members of a story page marked as duplicates, copies listed under their original included."""

    def walk(members: list[dict[str, Any]]) -> int:
        return sum(bool(m["duplicate"]) + walk(m.get("copies") or []) for m in members)

    return walk(story["members"])


def test_an_original_arriving_weeks_after_its_copies_joins_their_story(client: TestClient) -> None:
    """An archive backfill: the copies were stored first, 17 days after the original was published."""
    first = _ingest(client, id="copy-1", source="paper1", body=BODY, published_at="2015-07-25T08:00:00Z")
    second = _ingest(
        client,
        id="copy-2",
        source="paper2",
        body=BODY + " واختتم بالشكر.",
        published_at="2015-07-25T09:00:00Z",
    )
    assert second["duplicate"]["of"] == "copy-1" and second["cluster_id"] == first["cluster_id"]
    original = _ingest(client, id="orig", source="wire", body=BODY, published_at="2015-07-08T08:00:00Z")
    assert original["duplicate"] is None and not original["new_story"]
    assert original["cluster_id"] == first["cluster_id"]
    for copy in ("copy-1", "copy-2"):
        stored = client.get(f"/articles/{copy}").json()
        assert stored["duplicate"]["of"] == "orig" and stored["cluster_id"] == first["cluster_id"]
    assert client.app.state.stories.wait_idle()  # type: ignore[attr-defined]
    story = client.get(f"/clusters/{first['cluster_id']}").json()
    assert story["article_count"] == 3
    assert story["duplicate_count"] == _flagged(story) == 2
    assert story["representative"]["id"] == "orig"


def test_a_story_whose_copies_are_re_pointed_elsewhere_is_recounted(client: TestClient) -> None:
    """Copies of another story's article: their own story's duplicate count follows their status."""
    _ingest(client, id="a", body=BODY, published_at="2015-07-25T08:00:00Z")
    _ingest(
        client, id="b", source="paper2", body=BODY + " واختتم بالشكر.", published_at="2015-07-25T09:00:00Z"
    )
    story_id = client.get("/articles/a").json()["cluster_id"]
    assert client.app.state.stories.wait_idle()  # type: ignore[attr-defined]
    before = client.get(f"/clusters/{story_id}").json()
    assert before["duplicate_count"] == _flagged(before) == 1
    assert client.delete("/articles/a").status_code == 200  # b leads the group now
    assert client.app.state.stories.wait_idle()  # type: ignore[attr-defined]
    after = client.get(f"/clusters/{story_id}").json()
    assert after["duplicate_count"] == _flagged(after) == 0


def test_correcting_an_article_alone_in_its_story_opens_no_new_story(client: TestClient) -> None:
    created = _ingest(client, id="lone", body=BODY, published_at="2015-07-25T08:00:00Z")
    assert created["new_story"]
    response = client.put(
        "/articles/lone", json={"source": "paper", "title": TITLE, "body": BODY + " وأكد ذلك."}
    )
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert replaced["status"] == "replaced" and replaced["cluster_id"] == created["cluster_id"]
    assert replaced["new_story"] is False
    assert client.get("/health").json()["clusters"] == 1


def test_a_copy_re_pointed_to_an_original_with_another_headline_is_a_near_copy_of_it(
    client: TestClient,
) -> None:
    """B and its exact copy C, then A: the same body under another headline, published earlier."""
    _ingest(client, id="b", body=BODY, published_at="2015-07-25T10:00:00Z")
    c = _ingest(client, id="c", source="paper2", body=BODY, published_at="2015-07-25T11:00:00Z")
    assert (c["duplicate"]["type"], c["duplicate"]["of"]) == ("exact", "b")
    _ingest(
        client,
        id="a",
        source="wire",
        title="الطائف: مطار جديد",
        body=BODY,
        published_at="2015-07-25T09:00:00Z",
    )
    for copy in ("b", "c"):
        duplicate = client.get(f"/articles/{copy}").json()["duplicate"]
        assert (duplicate["type"], duplicate["of"]) == ("near", "a"), copy
    check = client.post("/duplicates/check", json={"title": TITLE, "body": BODY}).json()
    # the draft has B's and C's very text: both are exact copies of it, A (another headline) near
    assert {d["id"]: d["type"] for d in check["duplicates"]} == {"b": "exact", "c": "exact", "a": "near"}


def test_a_copy_typed_near_of_an_earlier_original_is_exact_again_once_it_goes_even_after_a_restart(
    settings: Settings,
) -> None:
    """The detector persists its links untyped: a restart must not make a displayed `near` permanent."""
    from service.pipeline import Pipeline
    from service.schemas import ArticleIn

    def status(pipeline: Pipeline, article_id: str) -> tuple[str, str] | None:
        match = pipeline.dedup.status(article_id)
        row = pipeline.store.article(article_id)
        assert row is not None and (match is None) == (row["dup_type"] is None)
        return None if match is None else (match.type, match.of)

    def article(article_id: str, title: str, at: str) -> ArticleIn:
        return ArticleIn(id=article_id, source=article_id, title=title, body=BODY, published_at=at)

    outcomes = []
    for restart in (False, True):
        settings.data_dir = settings.data_dir.parent / f"data-{restart}"
        pipeline = Pipeline.build(settings)
        pipeline.ingest(
            [article("b", TITLE, "2015-07-25T10:00:00Z"), article("c", TITLE, "2015-07-25T11:00:00Z")]
        )
        pipeline.ingest([article("a", "الطائف: مطار جديد", "2015-07-25T09:00:00Z")])
        assert status(pipeline, "c") == ("near", "a")
        if restart:
            pipeline.close()
            pipeline = Pipeline.build(settings)
            assert status(pipeline, "c") == ("near", "a")
        assert pipeline.delete("a")
        outcomes.append(status(pipeline, "c"))
        pipeline.close()
    assert outcomes == [("exact", "b"), ("exact", "b")]
