"""Duplicates over the API: the four kinds, out-of-order arrival, deletion, restart, the check endpoint."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service.app import create_app
from service.check_schemas import DuplicateCheckOut
from service.config import Settings
from service.text import sentences
from tests.conftest import assert_error, copy_and_original
from tests.test_reuse import OWN


def _post(client: TestClient, *articles: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/ingest", json={"articles": list(articles)})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def _repost(seed: dict[str, Any], new_id: str, **changes: Any) -> dict[str, Any]:
    """A seed re-published elsewhere: new id, new headline, a credit line added."""
    body = seed["body"] + "\n\nالمصدر: وكالة الأنباء"
    return {
        **seed,
        "id": new_id,
        "source": "another outlet",
        "title": "عنوان جديد تماما للخبر نفسه",
        "body": body,
        **changes,
    }


def test_seeds_are_not_duplicates_of_each_other(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    assert all(r["duplicate"] is None for r in _post(client, *seeds))


def test_reposted_seed_is_a_near_copy_of_the_seed(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    _post(client, *seeds)
    seed = seeds[2]
    [result] = _post(client, _repost(seed, "copy-1", published_at="2023-09-13T10:00:00Z"))
    assert result["duplicate"]["type"] in {"near", "exact"}
    assert result["duplicate"]["of"] == seed["id"]
    assert result["cluster_id"] == client.get(f"/articles/{seed['id']}").json()["cluster_id"]
    group = client.get("/articles/copy-1/duplicates").json()
    assert [m["id"] for m in group["members"]] == [seed["id"], "copy-1"]


def test_exact_and_url_duplicates(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    seed = {**seeds[0], "url": "https://www.example.com/kim/arrives/"}
    _post(client, seed)
    [exact] = _post(client, {**seed, "id": "exact-copy", "url": None, "source": "mirror"})
    assert exact["duplicate"] == {"type": "exact", "of": seed["id"], "score": 1.0}
    updated = {
        "id": "same-page",
        "source": "x",
        "url": "http://example.com/kim/arrives?utm_source=tw",
        "body": seed["body"][: len(seed["body"]) // 2] + "\nتحديث: وصل القطار إلى المحطة الأخيرة.",
    }
    [by_url] = _post(client, updated)
    assert by_url["duplicate"]["type"] == "url" and by_url["duplicate"]["of"] == seed["id"]
    reused = {
        **updated,
        "id": "same-address",
        "body": "An unrelated text about the weather in a coastal town this weekend, sunny and warm.",
    }
    [unrelated] = _post(client, reused)
    assert unrelated["duplicate"] is None  # one address, different texts: not copies
    draft = {
        "body": "A ferry timetable change for the island routes starts next month.",
        "url": reused["url"],
    }
    assert client.post("/duplicates/check", json=draft).json()["duplicates"] == []  # as ingest decides


def test_copy_arriving_before_its_original_is_repointed(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    seed = seeds[1]
    early_copy = _repost(seed, "early-copy", published_at="2023-09-17T08:00:00Z")
    [first] = _post(client, early_copy)
    assert first["duplicate"] is None
    [original] = _post(client, seed)
    assert original["duplicate"] is None
    copy = client.get("/articles/early-copy").json()
    assert copy["duplicate"]["of"] == seed["id"] and copy["duplicate"]["type"] in {"near", "exact"}


def test_deleting_the_original_repoints_the_group(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    seed = seeds[3]
    _post(
        client,
        seed,
        _repost(seed, "c1", published_at="2023-09-16T13:00:00Z"),
        _repost(seed, "c2", published_at="2023-09-16T14:00:00Z", title="عنوان ثالث"),
    )
    assert client.get("/articles/c2").json()["duplicate"]["of"] == seed["id"]
    client.delete(f"/articles/{seed['id']}")
    c1, c2 = client.get("/articles/c1").json(), client.get("/articles/c2").json()
    assert c1["duplicate"] is None
    assert c2["duplicate"]["of"] == "c1"


def test_duplicates_survive_a_restart(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    seed = seeds[0]
    with TestClient(create_app(settings)) as client:
        _post(client, *seeds, _repost(seed, "copy-a", published_at="2023-09-12T11:00:00Z"))
    with TestClient(create_app(settings)) as client:
        assert client.get("/articles/copy-a").json()["duplicate"]["of"] == seed["id"]
        [later] = _post(client, _repost(seed, "copy-b", published_at="2023-09-12T12:00:00Z"))
        assert later["duplicate"]["of"] == seed["id"]


def test_check_finds_copies_and_stores_nothing(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    _post(client, *seeds)
    before = client.get("/health").json()["articles"]
    draft = _repost(seeds[2], "ignored")
    response = client.post("/duplicates/check", json={"title": draft["title"], "body": draft["body"]})
    assert response.status_code == 200
    body = response.json()
    assert response.headers["content-type"] == "application/json"
    assert DuplicateCheckOut.model_validate(body).model_dump(mode="json") == body  # the documented shape
    assert body["duplicates"][0]["id"] == seeds[2]["id"]
    assert body["duplicates"][0]["type"] in {"near", "exact"}
    fields = {"id", "type", "score", "title", "source", "url", "published_at", "original"}
    assert set(body["duplicates"][0]) == fields and body["duplicates"][0]["original"] == seeds[2]["id"]
    assert body["story"] is not None
    assert body["story"]["cluster_id"] == client.get(f"/articles/{seeds[2]['id']}").json()["cluster_id"]
    fresh = client.post("/duplicates/check", json={"body": "A new bakery opened on the main street."}).json()
    assert fresh["duplicates"] == []
    assert client.get("/health").json()["articles"] == before


def test_check_rejects_bad_input_in_the_error_shape(client: TestClient) -> None:
    assert (
        assert_error(client.post("/duplicates/check", json={"title": "x"}), 422)["details"][0]["field"]
        == "body"
    )
    assert_error(client.post("/duplicates/check", json={"body": "text", "limit": 0}), 422)
    assert_error(client.post("/duplicates/check", json={"body": "text", "published_at": "soon"}), 422)


def test_check_reads_json_whatever_the_content_type_and_refuses_what_ingest_refuses(tmp_path: Any) -> None:
    settings = Settings(data_dir=tmp_path / "d", load_seeds=False, max_article_chars=200)
    with TestClient(create_app(settings)) as client:
        body = b'{"title": "Storm", "body": "A storm hit the northern coast overnight."}'
        for headers in ({"content-type": "text/plain"}, {}):
            response = client.post("/duplicates/check", content=body, headers=headers)
            assert response.status_code == 200, response.text
            assert DuplicateCheckOut.model_validate(response.json()).duplicates == []
        error = assert_error(client.post("/duplicates/check", content=b'{"body": '), 422)
        assert "not valid JSON" in error["message"] and error["details"][0]["field"] == "body"
        assert (
            "nested too deeply"
            in assert_error(client.post("/duplicates/check", content=b"[" * 50_000), 422)["message"]
        )
        assert_error(client.post("/duplicates/check", json=["body"]), 422)
        error = assert_error(client.post("/duplicates/check", json={"body": "word " * 100}), 422)
        assert "STORYLINE_MAX_ARTICLE_CHARS" in error["message"]
        assert_error(client.post("/duplicates/check", json={"body": "some text", "limit": True}), 422)
        error = assert_error(
            client.post("/duplicates/check", json={"body": "some text", "url": "http://[x"}), 422
        )
        assert error["details"][0]["field"] == "url"
        assert client.get("/health").json()["articles"] == 0


def test_an_original_arriving_after_its_copy_is_no_duplicate_of_itself(client: TestClient) -> None:
    copy, original = copy_and_original("fcopy", "forig", "2024-03-03", "Blog", "Wire")
    assert client.post("/ingest", json=copy).status_code == 200
    [answer] = client.post("/ingest", json=original).json()["results"]
    assert answer["duplicate"] is None and client.get("/articles/forig").json()["duplicate"] is None
    assert client.get("/articles/fcopy").json()["duplicate"]["of"] == "forig"
    detail = client.get(f"/clusters/{answer['cluster_id']}").json()
    assert detail["duplicate_count"] == 1
    assert [(m["id"], [c["id"] for c in m["copies"]]) for m in detail["members"]] == [("forig", ["fcopy"])]


def test_check_names_the_original_of_each_match(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    """A draft often matches a copy best; the plugin is told whose copy it is."""
    copies = [_repost(seeds[0], f"copy-{n}", source=f"outlet {n}") for n in range(2)]
    _post(client, seeds[0], *copies)
    draft = {"title": copies[0]["title"], "body": copies[0]["body"], "published_at": seeds[0]["published_at"]}
    hits = client.post("/duplicates/check", json=draft).json()["duplicates"]
    assert {h["id"] for h in hits} == {seeds[0]["id"], "copy-0", "copy-1"}
    assert all(h["original"] == seeds[0]["id"] for h in hits)


def test_check_reads_a_draft_as_ingest_stored_it(client: TestClient) -> None:
    """Escaped markup renders to a literal tag, which a second rendering in the check dropped:
    the check then missed the exact copy that ingest would find."""
    body = "The minister said &lt;b&gt;no&lt;/b&gt; to the proposal on Tuesday after a long debate."
    [stored] = _post(client, {"source": "wire", "body": body})
    assert client.get(f"/articles/{stored['id']}").json()["body"].count("<b>no</b>") == 1
    hits = client.post("/duplicates/check", json={"body": body}).json()["duplicates"]
    assert hits and hits[0]["id"] == stored["id"] and hits[0]["type"] == "exact"


def test_check_limit_defaults_to_the_setting(tmp_path: Any, seeds: list[dict[str, Any]]) -> None:
    """`STORYLINE_DEDUP__CHECK_LIMIT` sets how many matches a check without `limit` returns."""
    settings = Settings.model_validate(
        {"data_dir": tmp_path / "data", "load_seeds": False, "dedup": {"check_limit": 1}}
    )
    with TestClient(create_app(settings)) as client:
        _post(client, seeds[0], *(_repost(seeds[0], f"copy-{n}", source=f"outlet {n}") for n in range(3)))
        draft = {"title": seeds[0].get("title"), "body": seeds[0]["body"]}
        assert len(client.post("/duplicates/check", json=draft).json()["duplicates"]) == 1
        assert len(client.post("/duplicates/check", json={**draft, "limit": 3}).json()["duplicates"]) == 3


def test_check_with_passages_names_the_report_a_draft_quotes(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    """A draft quoting three sentences of the Reuters copy is no copy of it, but the editor is
    told where the sentences come from: one source per duplicate group, none that it copies."""
    wire = next(s for s in seeds if s["id"].startswith("000"))
    republished = _repost(wire, "wire-copy", published_at="2023-09-12T10:00:00Z")
    _post(client, *seeds, republished)
    quoted = sentences(wire["body"])[7:10]
    draft = {"body": "\n".join([OWN, *quoted, OWN]), "published_at": wire["published_at"]}
    plain = client.post("/duplicates/check", json=draft).json()
    assert plain["duplicates"] == [] and plain["reused"] is None  # not asked for
    response = client.post("/duplicates/check", json={**draft, "passages": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert DuplicateCheckOut.model_validate(body).model_dump(mode="json") == body
    assert body["duplicates"] == [] and body["story"] == plain["story"]
    [hit] = body["reused"]  # the wire and its republication are one source: the original
    assert (hit["id"], hit["original"], hit["source"]) == (wire["id"], wire["id"], wire["source"])
    assert hit["sentences"] == quoted and 60 <= hit["reused_words"] <= 80
    assert 0.3 < hit["share_of_piece"] < 0.6 and 0 < hit["share_of_source"] < 0.3
    copied = client.post("/duplicates/check", json={"body": republished["body"], "passages": True}).json()
    assert {d["original"] for d in copied["duplicates"]} == {wire["id"]}
    assert all(r["original"] != wire["id"] for r in copied["reused"])  # a copy is no quote
    assert client.get("/health").json()["articles"] == len(seeds) + 1


def test_check_passages_must_be_a_boolean(client: TestClient) -> None:
    for value, shown in (("yes", '"yes"'), (1, "1"), (None, "null")):
        response = client.post("/duplicates/check", json={"body": "some text", "passages": value})
        [detail] = assert_error(response, 422)["details"]
        assert detail == {
            "field": "passages",
            "message": f"must be true or false (a JSON boolean); got {shown}",
        }
