"""HEAD requests: the GET's status and headers, no body."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_head_mirrors_get_without_a_body(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    assert client.post("/ingest", json={"articles": seeds}).status_code == 200
    story = client.get("/clusters").json()["data"][0]["id"]
    for path in ("/health", "/clusters", f"/clusters/{story}", f"/articles/{seeds[0]['id']}"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and got.content
        assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
        assert head.headers["content-type"] == got.headers["content-type"]


def test_head_of_what_does_not_exist_is_the_get_s_error_status(client: TestClient) -> None:
    assert client.head("/articles/nope").status_code == 404
    assert client.head("/nowhere").status_code == 404
    assert client.head("/ingest").status_code == 405  # POST only
    assert client.head("/articles/nope").content == b""
