"""GET/DELETE /articles/{id} and /articles/{id}/duplicates."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import assert_error


def test_unknown_id_is_404_in_the_error_shape(client: TestClient) -> None:
    error = assert_error(client.get("/articles/nope"), 404, "not_found")
    assert "nope" in error["message"]
    assert_error(client.delete("/articles/nope"), 404)
    assert_error(client.get("/articles/nope/duplicates"), 404)


def test_ids_with_slashes_work(client: TestClient) -> None:
    article = {
        "id": "http://site.example/a/1",
        "source": "s",
        "body": "A storm hit the northern coast overnight.",
    }
    assert client.post("/ingest", json=article).status_code == 200
    assert client.get("/articles/http://site.example/a/1").json()["id"] == article["id"]
    group = client.get("/articles/http://site.example/a/1/duplicates").json()
    assert group["original"] == article["id"] and [m["id"] for m in group["members"]] == [article["id"]]


def test_delete_removes_article_and_keeps_the_rest(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    client.post("/ingest", json={"articles": seeds})
    victim = seeds[0]["id"]
    response = client.delete(f"/articles/{victim}")
    assert response.status_code == 200 and response.json() == {"id": victim, "deleted": True}
    assert_error(client.get(f"/articles/{victim}"), 404)
    assert client.get("/health").json()["articles"] == 4
    for seed in seeds[1:]:
        assert client.get(f"/articles/{seed['id']}").status_code == 200
    again = client.post("/ingest", json=seeds[0]).json()["results"][0]
    assert again["status"] == "created"


def test_an_id_ending_in_duplicates_is_readable(client: TestClient) -> None:
    article = {"id": "report/duplicates", "source": "s", "body": "A storm hit the northern coast overnight."}
    assert client.post("/ingest", json=article).status_code == 200
    assert client.get("/articles/report/duplicates").json()["id"] == "report/duplicates"
    assert client.get("/articles/report/duplicates/duplicates").json()["original"] == "report/duplicates"
    assert_error(client.get("/articles/other/duplicates"), 404)


def test_put_replaces_an_article_with_its_correction(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    seed = next(s for s in seeds if s.get("title"))
    client.post("/ingest", json={"articles": seeds})
    copy = {
        **seed,
        "id": "copy-1",
        "source": "mirror",
        "title": "عنوان آخر",
        "published_at": "2023-09-06T09:00:00Z",
    }
    assert client.post("/ingest", json=copy).json()["results"][0]["duplicate"]["of"] == seed["id"]
    before = client.get(f"/articles/{seed['id']}").json()
    corrected = {k: v for k, v in seed.items() if k not in {"id", "published_at"}}
    corrected |= {
        "title": "تصحيح: " + seed["title"],
        "body": seed["body"] + "\nتصحيح: الاجتماع يوم الأربعاء.",
    }
    response = client.put(f"/articles/{seed['id']}", json=corrected)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "replaced" and response.json()["id"] == seed["id"]
    after = client.get(f"/articles/{seed['id']}").json()
    assert (after["title"], after["body"]) == (corrected["title"], corrected["body"])
    assert after["published_at"] == before["published_at"]  # kept when the correction gives none
    assert after["received_at"] != before["received_at"]
    assert client.get("/health").json()["articles"] == len(seeds) + 1
    # still the same text with a line added: the copy's group and the story hold
    assert client.get("/articles/copy-1").json()["duplicate"]["of"] == seed["id"]
    assert after["cluster_id"] == before["cluster_id"]
    again = client.put(f"/articles/{seed['id']}", json=corrected)
    assert (again.status_code, again.json()["status"]) == (200, "exists")
    assert client.get(f"/articles/{seed['id']}").json()["received_at"] == after["received_at"]


def test_put_moves_a_rewritten_article_out_of_its_group_and_story(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    client.post("/ingest", json={"articles": seeds})
    seed = seeds[2]
    client.post("/ingest", json={**seed, "id": "copy-1", "source": "mirror"})
    rewritten = {"source": seed["source"], "body": "A storm hit the northern coast overnight, cutting power."}
    result = client.put(f"/articles/{seed['id']}", json=rewritten).json()
    assert result["status"] == "replaced" and result["new_story"] and result["duplicate"] is None
    assert client.get("/articles/copy-1").json()["duplicate"] is None  # its original's text is gone
    story = client.get(f"/clusters/{result['cluster_id']}").json()
    assert [m["id"] for m in story["members"]] == [seed["id"]]


def test_put_creates_an_unknown_id(client: TestClient) -> None:
    body = {"source": "wire", "body": "A storm hit the northern coast overnight."}
    response = client.put("/articles/http://site.example/a/2", json=body)
    assert (response.status_code, response.json()["status"]) == (201, "created")
    assert client.get("/articles/http://site.example/a/2").json()["body"] == body["body"]


def test_put_refuses_bad_input_and_keeps_the_stored_article(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    seed = seeds[0]
    client.post("/ingest", json=seed)
    path = f"/articles/{seed['id']}"
    error = assert_error(client.put(path, json={**seed, "id": "other"}), 422)
    assert error["details"][0]["field"] == "id" and "other" in error["message"]
    assert assert_error(client.put(path, json={"articles": [seed]}), 422)["details"][0]["field"] == "articles"
    assert assert_error(client.put(path, json={"body": "no source"}), 422)["details"][0]["field"] == "source"
    listed = assert_error(client.put(path, json=["x"]), 422)
    assert listed["message"] == "PUT /articles/{id} takes one article object; got JSON list"
    assert_error(client.put(path, content=b'{"body": '), 422)
    assert client.get(path).json()["body"] == seed["body"]


def test_put_keeps_the_story_id_of_an_article_alone_in_its_story(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    results = client.post("/ingest", json={"articles": seeds}).json()["results"]
    alone = next(r for r in results if sum(o["cluster_id"] == r["cluster_id"] for o in results) == 1)
    seed = next(s for s in seeds if s["id"] == alone["id"])
    corrected = client.put(f"/articles/{seed['id']}", json={**seed, "body": seed["body"] + " ."}).json()
    assert corrected["status"] == "replaced" and corrected["cluster_id"] == alone["cluster_id"]
    story = client.get(f"/clusters/{alone['cluster_id']}")
    assert story.status_code == 200 and [m["id"] for m in story.json()["members"]] == [seed["id"]]


def test_a_semantic_duplicate_is_in_no_copy_group_and_names_what_it_resembles(client: TestClient) -> None:
    """Two short reports in other words: not copies of one text, but one says what the other does."""
    first = {
        "id": "a",
        "source": "s1",
        "title": "أمطار غزيرة على جدة",
        "body": "هطلت أمطار غزيرة على جدة اليوم.",
    }
    second = {**first, "id": "b", "source": "s2", "body": "اليوم هطلت أمطار غزيرة على جدة."}
    client.post("/ingest", json={"articles": [first, second]})
    assert client.get("/articles/b").json()["duplicate"]["type"] == "semantic"
    group = client.get("/articles/b/duplicates").json()
    assert (group["original"], [m["id"] for m in group["members"]], group["semantic_of"]) == ("b", ["b"], "a")
    original = client.get("/articles/a/duplicates").json()
    assert (original["original"], original["semantic_of"]) == ("a", None)
