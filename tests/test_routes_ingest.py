"""POST /ingest: single and batch, idempotency, every error path in the one shape, no partial writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from tests.conftest import WIRE, assert_error, copy_and_original

ARTICLE = {
    "source": "wire",
    "title": "Flooding closes the coastal highway",
    "body": "Heavy rain flooded the coastal highway on Monday, closing it in both directions for hours.",
    "url": "https://www.example.com/news/flood?utm_source=feed",
    "published_at": "2024-03-04T10:00:00Z",
}


def _count(client: TestClient) -> int:
    return int(client.get("/health").json()["articles"])


def test_single_article_is_created_and_readable(client: TestClient) -> None:
    response = client.post("/ingest", json=ARTICLE)
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert set(result) == {"id", "status", "cluster_id", "phase", "duplicate", "new_story"}
    assert result["status"] == "created" and result["duplicate"] is None and result["new_story"] is True
    assert result["phase"] in {"pre", "arrival", "core", "aftermath"}
    stored = client.get(f"/articles/{result['id']}").json()
    assert stored["body"] == ARTICLE["body"] and stored["title"] == ARTICLE["title"]
    assert stored["language"] == "en" and stored["cluster_id"] == result["cluster_id"]


def test_id_is_derived_from_canonical_url_then_text(client: TestClient) -> None:
    first = client.post("/ingest", json=ARTICLE).json()["results"][0]
    same_page = {**ARTICLE, "url": "http://example.com/news/flood/", "title": "Another headline"}
    retry = client.post("/ingest", json={**ARTICLE, "url": "http://example.com/news/flood/"}).json()
    assert (retry["results"][0]["id"], retry["results"][0]["status"]) == (first["id"], "exists")
    again = client.post("/ingest", json=same_page).json()["results"][0]
    # the page with another text is another article (the first keeps the id), a copy of the first
    assert again["id"] != first["id"] and again["status"] == "created"
    assert again["duplicate"]["of"] == first["id"]
    no_url = {k: v for k, v in ARTICLE.items() if k != "url"}
    derived = client.post("/ingest", json=no_url).json()["results"][0]
    assert derived["id"] != first["id"]
    assert client.post("/ingest", json=no_url).json()["results"][0]["id"] == derived["id"]


def test_batch_answers_in_input_order_and_reposting_is_idempotent(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    response = client.post("/ingest", json={"articles": seeds})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [s["id"] for s in seeds]
    assert all(r["status"] == "created" for r in results)
    again = client.post("/ingest", json={"articles": list(reversed(seeds))}).json()["results"]
    assert [r["id"] for r in again] == [s["id"] for s in reversed(seeds)]
    assert all(r["status"] == "exists" for r in again)
    by_id = {r["id"]: r for r in results}
    for r in again:
        assert r["cluster_id"] == by_id[r["id"]]["cluster_id"]
        assert r["duplicate"] == by_id[r["id"]]["duplicate"]
    assert _count(client) == 5


def test_same_id_twice_in_one_batch(client: TestClient) -> None:
    article = {**ARTICLE, "id": "dup-in-batch"}
    results = client.post("/ingest", json={"articles": [article, article]}).json()["results"]
    assert [r["status"] for r in results] == ["created", "exists"]
    assert results[0]["cluster_id"] == results[1]["cluster_id"]


def test_batch_with_one_bad_article_stores_nothing(client: TestClient) -> None:
    good = {**ARTICLE, "id": "good-1"}
    bad = {**ARTICLE, "id": "bad-1", "published_at": "yesterday-ish"}
    error = assert_error(client.post("/ingest", json={"articles": [good, bad]}), 422, "invalid_input")
    assert error["details"][0]["field"] == "articles.1.published_at"
    assert "published_at" in error["message"]
    assert _count(client) == 0
    assert client.get("/articles/good-1").status_code == 404


def test_missing_and_empty_fields_are_named(client: TestClient) -> None:
    error = assert_error(client.post("/ingest", json={"source": "x"}), 422)
    assert error["details"][0]["field"] == "body"
    error = assert_error(client.post("/ingest", json={"source": "x", "body": " ... \n "}), 422)
    assert error["details"][0]["field"] == "body" and "normalization" in error["message"]
    error = assert_error(client.post("/ingest", json={"body": "text here"}), 422)
    assert error["details"][0]["field"] == "source"
    error = assert_error(client.post("/ingest", json={**ARTICLE, "language": "not a code!"}), 422)
    assert error["details"][0]["field"] == "language"


def test_malformed_json_and_wrong_shapes(client: TestClient) -> None:
    response = client.post(
        "/ingest", content=b'{"source": "x", "body": ', headers={"content-type": "application/json"}
    )
    assert "not valid JSON" in assert_error(response, 422)["message"]
    assert_error(client.post("/ingest", json=[ARTICLE]), 422)
    assert_error(client.post("/ingest", json={"articles": "nope"}), 422)
    assert_error(client.post("/ingest", json={"articles": []}), 422)
    assert _count(client) == 0


def test_oversized_batch_and_body_get_413(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path / "d", max_batch=3, max_request_bytes=4096)
    with TestClient(create_app(settings)) as small:
        batch = [{**ARTICLE, "id": f"a{i}"} for i in range(4)]
        error = assert_error(small.post("/ingest", json={"articles": batch}), 413, "payload_too_large")
        assert "3" in error["message"] and error["details"] == {"limit_articles": 3}
        huge = json.dumps({**ARTICLE, "body": "word " * 2000}).encode()
        error = assert_error(
            small.post("/ingest", content=huge, headers={"content-type": "application/json"}), 413
        )
        assert error["details"] == {"limit_bytes": 4096}
        streamed = small.post("/ingest", content=iter([huge[:3000], huge[3000:]]))  # no Content-Length
        assert assert_error(streamed, 413)["details"] == {"limit_bytes": 4096}
        assert small.get("/health").json()["articles"] == 0


def test_overlong_article_is_refused_by_field(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path / "d", max_article_chars=200)
    with TestClient(create_app(settings)) as small:
        long_one = {**ARTICLE, "id": "long", "body": "word " * 100}
        error = assert_error(small.post("/ingest", json={"articles": [ARTICLE, long_one]}), 422)
        assert error["details"][0]["field"] == "articles.1.body"
        assert "STORYLINE_MAX_ARTICLE_CHARS" in error["message"]
        assert small.get("/health").json()["articles"] == 0


def test_naive_time_is_utc_and_missing_time_is_receipt(client: TestClient) -> None:
    naive = client.post("/ingest", json={**ARTICLE, "id": "n", "published_at": "2024-03-04T10:00:00"})
    assert naive.status_code == 200
    assert client.get("/articles/n").json()["published_at"].startswith("2024-03-04T10:00:00")
    client.post("/ingest", json={"id": "t", "source": "s", "body": "Something happened downtown today."})
    stored = client.get("/articles/t").json()
    assert stored["published_at"] == stored["received_at"]


def test_an_id_given_twice_with_other_text_is_refused(client: TestClient) -> None:
    first = {**ARTICLE, "id": "shared"}
    other = {
        **ARTICLE,
        "id": "shared",
        "title": "Tennis final tonight",
        "body": "The tennis final starts at eight.",
    }
    error = assert_error(
        client.post("/ingest", json={"articles": [first, {**ARTICLE, "id": "x"}, other]}), 422
    )
    assert error["details"] == [
        {
            "field": "articles.2.id",
            "message": "id 'shared' is also articles.0.id, with another text; give each article its own id",
        }
    ]
    assert _count(client) == 0


def test_times_must_be_rfc3339_and_in_range(client: TestClient) -> None:
    for value in (20240210, "1707559200", "2024-02-10", "yesterday", "9999-12-31T23:59:59-05:00"):
        error = assert_error(client.post("/ingest", json={**ARTICLE, "published_at": value}), 422)
        assert error["details"][0]["field"] == "published_at"
        assert repr(value) in error["message"] or str(value) in error["message"], error
        assert "2024-01-21T12:00:00Z" in error["message"] or "1-9999" in error["message"]
    offset = client.post("/ingest", json={**ARTICLE, "id": "o", "published_at": "2024-03-04T13:00:00+03:00"})
    assert offset.status_code == 200
    assert client.get("/articles/o").json()["published_at"].startswith("2024-03-04T10:00:00")
    assert _count(client) == 1


def test_addresses_that_cannot_be_urls_are_refused(client: TestClient) -> None:
    for url in ("not a url", "http://[bad", "http://example.com:99999/x", "http://example.com:abc/x"):
        error = assert_error(client.post("/ingest", json={"articles": [{**ARTICLE, "url": url}]}), 422)
        assert error["details"][0]["field"] == "articles.0.url" and repr(url) in error["message"]
    assert _count(client) == 0


def test_language_tags_are_kept_as_the_language(client: TestClient) -> None:
    results = client.post(
        "/ingest",
        json={
            "articles": [
                {**ARTICLE, "id": "r", "language": "EN-us"},
                {**ARTICLE, "id": "u", "language": "en_GB"},
            ]
        },
    ).json()["results"]
    assert [r["status"] for r in results] == ["created", "created"]
    assert {client.get(f"/articles/{i}").json()["language"] for i in ("r", "u")} == {"en"}
    error = assert_error(client.post("/ingest", json={**ARTICLE, "language": "zz"}), 422)
    assert "'zz' is not an ISO 639 language code" in error["message"]


def test_blank_ids_non_objects_and_deep_nesting_are_refused(client: TestClient) -> None:
    error = assert_error(client.post("/ingest", json={**ARTICLE, "id": "   "}), 422)
    assert error["details"][0]["field"] == "id" and "leave it out" in error["message"]
    error = assert_error(client.post("/ingest", json={"articles": [ARTICLE, ["not", "an", "object"]]}), 422)
    assert error["details"] == [
        {
            "field": "articles.1",
            "message": "must be an article object with at least source and body; got JSON list",
        }
    ]
    deep = b"[" * 100_000 + b"]" * 100_000
    error = assert_error(client.post("/ingest", content=deep), 422)
    assert "nested too deeply" in error["message"]
    assert _count(client) == 0


def test_a_batch_answers_the_duplicate_status_it_committed(client: TestClient) -> None:
    """A copy answered before its (earlier published) original arrives in the same batch is
    re-pointed to it; the batch's answer says so, as a later read does."""
    copy, original = copy_and_original("copy", "orig")
    copy = {**copy, "title": "Rates up", "body": WIRE + " (Reuters)"}
    original = {**original, "title": "Bank raises rates"}
    results = client.post("/ingest", json={"articles": [copy, original]}).json()["results"]
    stored = client.get("/articles/copy").json()["duplicate"]
    assert stored is not None and stored["of"] == "orig"
    assert results[0]["duplicate"] == stored
    assert results[1]["duplicate"] is None


def test_an_id_repeated_in_a_batch_answers_as_the_batch_ended(client: TestClient) -> None:
    """[C, C, O]: the repeat of C answers C's outcome after O (its earlier original) arrived."""
    copy, original = copy_and_original("c", "o")
    first, repeat, _ = client.post("/ingest", json={"articles": [copy, copy, original]}).json()["results"]
    assert (first["status"], repeat["status"]) == ("created", "exists")
    assert first["duplicate"] == repeat["duplicate"] == client.get("/articles/c").json()["duplicate"]
    assert repeat["duplicate"]["of"] == "o" and repeat["cluster_id"] == first["cluster_id"]


def test_html_is_stored_as_the_text_a_reader_sees(client: TestClient) -> None:
    """Markup showed in titles and summaries and made `div` and `quot` keywords."""
    page = {
        **ARTICLE,
        "title": "Flooding &quot;closes&quot; the coastal highway",
        "body": f'<div class="story"><p>{ARTICLE["body"]}</p>'
        "<p>Police&nbsp;said roads reopen Tuesday.</p></div>",
    }
    result = client.post("/ingest", json=page).json()["results"][0]
    stored = client.get(f"/articles/{result['id']}").json()
    assert stored["title"] == 'Flooding "closes" the coastal highway'
    assert stored["body"] == f"{ARTICLE['body']}\n\nPolice said roads reopen Tuesday."
    story = client.get(f"/clusters/{result['cluster_id']}").json()
    assert not {"div", "quot", "nbsp", "class"} & {k.lower() for k in story["keywords"]}
    assert_error(client.post("/ingest", json={**ARTICLE, "body": "<p> </p><br/>"}), 422)


def test_an_unexpected_failure_answers_500_in_the_error_shape_and_stores_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        pipeline = client.app.state.pipeline  # type: ignore[attr-defined]
        real_assign = pipeline.stories.assign

        def failing_assign(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("disk full")

        monkeypatch.setattr(pipeline.stories, "assign", failing_assign)
        before = client.get("/health").json()["articles"]
        batch = {
            "articles": [
                {"id": "x1", "source": "wire", "body": WIRE},
                {"id": "x2", "source": "b", "body": "نص آخر"},
            ]
        }
        error = assert_error(client.post("/ingest", json=batch), 500, "internal_error")
        assert "RuntimeError" in error["message"] and "nothing partial was stored" in error["message"]
        assert client.get("/health").json()["articles"] == before
        assert_error(client.get("/articles/x1"), 404)
        monkeypatch.setattr(pipeline.stories, "assign", real_assign)
        assert [r["status"] for r in client.post("/ingest", json=batch).json()["results"]] == ["created"] * 2


def test_a_publication_time_centuries_off_is_refused_naming_the_field(client: TestClient) -> None:
    batch = {"articles": [ARTICLE, {**ARTICLE, "id": "typo", "published_at": "2999-01-01T00:00:00Z"}]}
    response = client.post("/ingest", json=batch)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"][0]["field"] == "articles.1.published_at"
    assert "more than 7 days ahead of now" in error["details"][0]["message"]
    assert _count(client) == 0  # nothing of the batch stored
    check = client.post(
        "/duplicates/check", json={"body": ARTICLE["body"], "published_at": "0001-01-01T00:00:00Z"}
    )
    assert check.status_code == 422 and "before 1900" in check.json()["error"]["message"]


def test_a_body_of_markup_only_is_named_where_it_is_in_the_batch(client: TestClient) -> None:
    response = client.post(
        "/ingest", json={"articles": [ARTICLE, {**ARTICLE, "id": "empty", "body": "<p> </p>"}]}
    )
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["articles.1.body"]
