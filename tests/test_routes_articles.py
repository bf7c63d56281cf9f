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
