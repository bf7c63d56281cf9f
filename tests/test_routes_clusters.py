"""GET /clusters and GET /clusters/{id} through the real app, over real ingest."""

from __future__ import annotations

import base64
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.keywords import is_stopword
from service.schemas import ClusterDetail, ClusterPage
from service.text import arabic_ratio, normalize
from tests.conftest import assert_error

KIM = {"000_0ce7c0ef36d33531", "001_368e647d4396fd8b", "002_ec78ffc2c2f24a57", "003_4a4df9c2005a90e5"}


def _ingest(client: TestClient, articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = client.post("/ingest", json={"articles": articles})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def _story_of(results: list[dict[str, Any]], article_id: str) -> int:
    return int(next(r["cluster_id"] for r in results if r["id"] == article_id))


def _synthetic(topic: int, n: int, rng: random.Random, published: datetime) -> dict[str, Any]:
    """An English article on a made-up topic: its own vocabulary, so each topic is its own story."""
    vocab = [
        f"{chr(97 + topic % 26)}{chr(97 + (topic * 7 + k) % 26)}{'xyzqwv'[k % 6]}{topic}x{k}"
        for k in range(40)
    ]
    body = ". ".join(" ".join(rng.choices(vocab, k=12)) for _ in range(6)) + "."
    return {
        "id": f"t{topic}-{n}",
        "source": f"wire{n % 3}",
        "title": " ".join(vocab[:6]),
        "body": body,
        "language": "en",
        "published_at": published.isoformat(),
    }


def _ids(client: TestClient, **params: Any) -> list[int]:
    response = client.get("/clusters", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def test_kim_russia_story_summary(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    results = _ingest(client, seeds)
    kim = _story_of(results, "000_0ce7c0ef36d33531")
    assert {_story_of(results, i) for i in KIM} == {kim}
    assert _story_of(results, "004_3380a39c509cf088") != kim
    story = client.get(f"/clusters/{kim}").json()
    assert story["id"] == kim and story["title"] and arabic_ratio(story["title"]) > 0.8
    assert 2 <= len(story["summary"]) <= 3
    assert len({s["source"] for s in story["summary"]}) >= 2
    assert all(arabic_ratio(s["text"]) > 0.8 and s["article_id"] in KIM for s in story["summary"])
    folded = {normalize(k) for k in story["keywords"]}
    assert 5 <= len(folded) <= 10
    assert "كيم" in folded and "بوتين" in folded and folded & {"روسيا", "الروسي", "روسي", "موسكو"}
    assert not any(is_stopword(k) for k in folded)
    assert story["representative"]["id"] in KIM
    assert len(story["sources"]) == 4 and story["article_count"] == 4
    assert {p["phase"]: p["count"] for p in story["phases"]} == {"pre": 2, "arrival": 1, "aftermath": 1}
    published = [m["published_at"] for m in story["members"]]
    assert published == sorted(published) and {m["id"] for m in story["members"]} == KIM
    assert sum(day["total"] for day in story["timeline"]) == 4
    listed = next(i for i in client.get("/clusters").json()["data"] if i["id"] == kim)
    assert listed["title"] == story["title"] and listed["keywords"] == story["keywords"]


def test_copies_are_grouped_under_their_original(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    original = next(a for a in seeds if a["id"].startswith("000"))
    copy = {**original, "id": "copy-of-000", "source": "Copycat", "published_at": "2023-09-12T10:00:00Z"}
    results = _ingest(client, [original, copy])
    story = client.get(f"/clusters/{_story_of(results, original['id'])}").json()
    assert story["duplicate_count"] == 1 and story["article_count"] == 2
    [member] = story["members"]
    assert member["id"] == original["id"] and [c["id"] for c in member["copies"]] == ["copy-of-000"]
    assert member["copies"][0]["duplicate"]["of"] == original["id"]
    assert story["representative"]["id"] == original["id"]


def test_every_filter(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    results = _ingest(client, seeds)
    article = _synthetic(1, 0, random.Random(1), datetime(2024, 2, 1, tzinfo=UTC))
    english = _ingest(client, [article])
    eng = _story_of(english, "t1-0")
    sizes = Counter(r["cluster_id"] for r in results + english)
    assert set(_ids(client)) == set(sizes)
    assert set(_ids(client, min_size=2)) == {c for c, n in sizes.items() if n >= 2}
    qahera = _story_of(results, "001_368e647d4396fd8b")
    assert _ids(client, source="Al Qahera News") == [qahera] == _ids(client, source="al qahera news")
    assert _ids(client, language="en") == [eng] and set(_ids(client, language="AR")) == set(sizes) - {eng}
    for phase in ("pre", "arrival", "core", "aftermath"):
        expected = {r["cluster_id"] for r in results + english if r["phase"] == phase}
        assert set(_ids(client, phase=phase)) == expected, phase
    assert _story_of(results, "003_4a4df9c2005a90e5") in _ids(client, q="نيويورك تايمز")  # a title
    assert _ids(client, q="كشفته نيويورك") == _ids(client, q="كشفتة نيويورك")  # Arabic-normalized
    assert _ids(client, q=article["title"].split()[0].upper()) == [eng]
    assert _ids(client, q="NOT-A-WORD-ANYWHERE") == []
    updated = client.get(f"/clusters/{eng}").json()["updated_at"]
    assert _ids(client, since=updated) == [eng]
    before = (datetime.fromisoformat(updated.replace("Z", "+00:00")) - timedelta(microseconds=1)).isoformat()
    assert set(_ids(client, until=before)) == set(sizes) - {eng}


def test_sort_orders(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    results = _ingest(client, seeds)
    english = _synthetic(2, 0, random.Random(2), datetime(2024, 2, 1, tzinfo=UTC))
    eng = _story_of(_ingest(client, [english]), "t2-0")
    sizes = Counter(r["cluster_id"] for r in results)
    by_size = _ids(client, sort="size")
    assert [sizes.get(i, 1) for i in by_size] == sorted((sizes.get(i, 1) for i in by_size), reverse=True)
    assert _ids(client)[0] == eng and _ids(client, sort="created")[0] == eng
    oldest = _story_of(results, seeds[0]["id"])
    _ingest(client, [{**seeds[0], "id": "follow-up", "source": "Late wire", "title": "متابعة"}])
    assert _ids(client)[0] == oldest  # the latest activity first
    assert _ids(client, sort="created")[0] == eng  # creation order does not move
    created = [client.get(f"/clusters/{i}").json()["created_at"] for i in _ids(client, sort="created")]
    assert created == sorted(created, reverse=True)


def test_polling_with_the_etag_answers_304_until_the_list_changes(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    _ingest(client, seeds)
    assert client.app.state.stories.wait_idle()  # type: ignore[attr-defined]
    first = client.get("/clusters")
    etag = first.headers["etag"]
    assert ClusterPage.model_validate(first.json()).model_dump(mode="json") == first.json()
    story = client.get(f"/clusters/{first.json()['data'][0]['id']}").json()
    assert ClusterDetail.model_validate(story).model_dump(mode="json") == story
    assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
    unchanged = client.get("/clusters", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["etag"] == etag
    assert client.get("/clusters").json() == first.json()
    assert client.get("/clusters", params={"limit": 1}).headers["etag"] != etag  # another page
    english = _synthetic(3, 0, random.Random(3), datetime(2024, 2, 1, tzinfo=UTC))
    eng = _story_of(_ingest(client, [english]), "t3-0")
    changed = client.get("/clusters", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["data"][0]["id"] == eng and changed.json()["count"] == first.json()["count"] + 1


def test_pagination_walks_every_story_once_while_ingest_continues(client: TestClient) -> None:
    rng = random.Random(5)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    results = _ingest(client, [_synthetic(t, 0, rng, start + timedelta(hours=t)) for t in range(12)])
    existing = {r["cluster_id"] for r in results}
    assert len(existing) == 12
    seen: list[int] = []
    cursor, step = None, 0
    while True:
        params: dict[str, Any] = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = client.get("/clusters", params=params).json()
        assert page["count"] == len(page["data"]) <= 5
        seen += [item["id"] for item in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        step += 1  # follow-ups to stories on later pages, and a brand-new story
        follow_ups = [_synthetic(t, step, rng, start + timedelta(days=1)) for t in rng.sample(range(12), 4)]
        _ingest(client, [*follow_ups, _synthetic(50 + step, 0, rng, start + timedelta(days=2))])
    assert len(seen) == len(set(seen)), "a story was listed twice"
    assert set(seen) == existing
    assert len(_ids(client)) > len(existing)  # a new walk sees the stories created meanwhile


def test_bad_parameters_are_422_naming_them(client: TestClient) -> None:
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"sort": "title"}, "sort"),
        ({"phase": "later"}, "phase"),
        ({"since": "yesterday"}, "since"),
        ({"min_size": 0}, "min_size"),
        ({"language": "english!"}, "language"),
        ({"q": "!!!"}, "q"),
        ({"source": "—"}, "source"),
        ({"since": "2024-02-01T00:00:00Z", "until": "2024-01-01T00:00:00Z"}, "since"),
    ):
        error = assert_error(client.get("/clusters", params=params), 422, "invalid_input")
        assert any(d["field"] == f"query.{field}" for d in error["details"]), error


def test_bad_cursors_are_400(client: TestClient) -> None:
    rng = random.Random(3)
    _ingest(client, [_synthetic(t, 0, rng, datetime(2024, 1, 1, tzinfo=UTC)) for t in range(3)])
    cursor = client.get("/clusters", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    cases = (
        {"cursor": "garbage"},
        {"cursor": cursor[:-4] + "AAAA"},
        {"cursor": cursor, "sort": "size"},
        {"cursor": cursor, "min_size": 2},
    )
    for params in cases:
        error = assert_error(client.get("/clusters", params={"limit": 1, **params}), 400, "invalid_cursor")
        assert "cursor" in error["message"]
        # a cursor passed back unchanged under another sort or filter is told so, whatever the sort
        other_listing = "sort" in params or "min_size" in params
        assert ("belongs to a listing with other filters or sort" in error["message"]) == other_listing
    for sort in ("created", "updated"):
        walked = client.get("/clusters", params={"limit": 1, "sort": sort}).json()["next_cursor"]
        error = assert_error(
            client.get("/clusters", params={"limit": 1, "sort": "size", "cursor": walked}),
            400,
            "invalid_cursor",
        )
        assert "belongs to a listing with other filters or sort" in error["message"], sort
    assert client.get("/clusters", params={"limit": 1, "cursor": cursor}).status_code == 200


def test_unknown_story_is_404(client: TestClient) -> None:
    error = assert_error(client.get("/clusters/424242"), 404, "not_found")
    assert error["details"] == {"id": 424242}
    assert_error(client.get("/clusters/not-a-number"), 422)


def test_merged_story_answers_with_its_survivor(client: TestClient) -> None:
    rng = random.Random(9)
    day = datetime(2024, 4, 1, tzinfo=UTC)
    first, second = _synthetic(30, 0, rng, day), _synthetic(31, 0, rng, day)
    results = _ingest(client, [first, second])
    a, b = _story_of(results, first["id"]), _story_of(results, second["id"])
    assert a != b
    pipeline = client.app.state.pipeline  # type: ignore[attr-defined]
    survivor_of = pipeline.store.survivor
    bridge = {**first, "id": "bridge", "body": f"{first['body']}\n{second['body']}", "title": None}
    _ingest(client, [bridge])
    if survivor_of(a) == survivor_of(b) and survivor_of(a) is not None:
        absorbed, survivor = (a, b) if survivor_of(a) == b else (b, a)
    else:  # the clusterer did not merge: record one the way the pipeline does
        absorbed, survivor = b, a
        with pipeline.store.transaction() as tx:
            tx.merge_clusters(absorbed, survivor, datetime.now(UTC).isoformat(), "bridge")
        client.app.state.stories.on_commit({absorbed, survivor})  # type: ignore[attr-defined]
    story = client.get(f"/clusters/{absorbed}").json()
    assert story["id"] == survivor and story["redirected"] is True and story["merged_from"] == absorbed
    assert {m["id"] for m in story["members"]} >= {first["id"], second["id"]}
    assert absorbed not in _ids(client)
    direct = client.get(f"/clusters/{survivor}").json()
    assert direct["redirected"] is False and direct["merged_from"] is None


@pytest.mark.parametrize("path", ["/clusters", "/clusters/1"])
def test_reads_work_on_an_empty_store(client: TestClient, path: str) -> None:
    response = client.get(path)
    if path == "/clusters":
        assert response.json() == {"data": [], "next_cursor": None, "count": 0}
    else:
        assert_error(response, 404)


def test_story_members_are_paged_and_bad_paging_is_a_clear_error(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    results = _ingest(client, seeds)
    kim = _story_of(results, "000_0ce7c0ef36d33531")
    first = client.get(f"/clusters/{kim}", params={"members_limit": 3}).json()
    assert len(first["members"]) == 3 and sum(d["total"] for d in first["timeline"]) == 4
    rest = client.get(f"/clusters/{kim}", params={"members_cursor": first["next_members_cursor"]}).json()
    assert rest["next_members_cursor"] is None
    assert {m["id"] for m in first["members"] + rest["members"]} == KIM
    assert_error(client.get(f"/clusters/{kim}", params={"members_limit": 0}), 422)
    assert_error(client.get(f"/clusters/{kim}", params={"members_cursor": "x"}), 400, "invalid_cursor")
    other = _story_of(results, "004_3380a39c509cf088")
    wrong = client.get(f"/clusters/{other}", params={"members_cursor": first["next_members_cursor"]})
    assert "start again" in assert_error(wrong, 400, "invalid_cursor")["message"]


def test_unknown_parameters_out_of_range_values_and_times_are_clear_errors(client: TestClient) -> None:
    error = assert_error(client.get("/clusters", params={"lang": "ar"}), 422, "invalid_input")
    assert error["details"][0]["field"] == "query.lang" and "known: cursor, language" in error["message"]
    assert_error(client.get("/clusters/1", params={"limit": 5}), 422)
    error = assert_error(client.get("/clusters", params={"since": "2024-01-01T00:00:00 03:00"}), 422)
    assert "%2B" in error["message"]  # an unencoded '+' arrives as a space
    for since in ("1707559200", "2024-01-01", "0001-01-01T00:00:00+05:00"):
        assert_error(client.get("/clusters", params={"since": since}), 422)
    assert client.get("/clusters", params={"since": "2024-01-01T00:00:00+03:00"}).status_code == 200
    assert_error(client.get("/clusters/99999999999999999999999"), 422)


def test_language_filter_takes_tags_with_regions(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    _ingest(client, seeds)
    plain = client.get("/clusters", params={"language": "ar"}).json()["data"]
    assert plain and client.get("/clusters", params={"language": "ar-SA"}).json()["data"] == plain
    assert client.get("/clusters", params={"language": "en"}).json()["data"] == []
    assert_error(client.get("/clusters", params={"language": "zz"}), 422)


def test_hand_edited_cursors_are_400(client: TestClient) -> None:
    rng = random.Random(4)
    day = datetime(2024, 1, 1, tzinfo=UTC)
    results = _ingest(client, [_synthetic(0, n, rng, day + timedelta(hours=n)) for n in range(2)])
    _ingest(client, [_synthetic(t, 0, rng, day) for t in range(1, 3)])
    cursor = client.get("/clusters", params={"limit": 1}).json()["next_cursor"]
    state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    for change in (
        {"t": state["t"][:19]},
        {"s": 10**30},
        {"k": [state["k"][0], 10**30]},
        {"k": [state["k"][0], True]},
    ):
        edited = base64.urlsafe_b64encode(json.dumps({**state, **change}).encode()).decode()
        assert_error(client.get("/clusters", params={"limit": 1, "cursor": edited}), 400, "invalid_cursor")
    story = results[0]["cluster_id"]
    assert results[1]["cluster_id"] == story
    members = client.get(f"/clusters/{story}", params={"members_limit": 1}).json()["next_members_cursor"]
    raw = json.loads(base64.urlsafe_b64decode(members + "=" * (-len(members) % 4)))
    for change in ({"c": 10**30}, {"k": [raw["k"][0], 10**30]}, {"k": ["NaN", raw["k"][1]]}):
        edited = base64.urlsafe_b64encode(json.dumps({**raw, **change}).encode()).decode()
        assert_error(
            client.get(f"/clusters/{story}", params={"members_cursor": edited}), 400, "invalid_cursor"
        )


def test_every_documented_parameter_is_known(client: TestClient) -> None:
    """The unknown-parameter check and the endpoints' own parameters name the same ones."""
    spec = client.get("/openapi.json").json()["paths"]
    for path, asked in (("/clusters", {"limit": 1}), ("/clusters/{cluster_id}", {})):
        names = {p["name"] for p in spec[path]["get"]["parameters"] if p["in"] == "query"}
        url = path.replace("{cluster_id}", "1")
        for name in names:  # a bad value may be refused, but never as an unknown parameter
            response = client.get(url, params={**asked, name: "1"})
            assert "unknown query parameter" not in response.text, (path, name)


def test_a_deleted_representative_is_replaced_in_a_big_story(client: TestClient) -> None:
    """A story of 50+ articles is re-summarized only when its size moves by a share, but never
    keeps naming an article that was deleted."""
    rng = random.Random(9)
    day = datetime(2024, 1, 1, tzinfo=UTC)
    results = _ingest(client, [_synthetic(0, n, rng, day + timedelta(minutes=n)) for n in range(60)])
    story = results[0]["cluster_id"]
    assert {r["cluster_id"] for r in results} == {story}
    views = client.app.state.stories  # type: ignore[attr-defined]
    assert views.wait_idle()
    before = client.get(f"/clusters/{story}").json()
    gone = before["representative"]["id"]
    assert client.delete(f"/articles/{gone}").status_code == 200
    assert views.wait_idle()
    after = client.get(f"/clusters/{story}").json()
    assert after["article_count"] == 59 and after["representative"]["id"] != gone
    assert gone not in {s["article_id"] for s in after["summary"]}


def test_summaries_postponed_by_a_locked_database_are_stored_later(
    client: TestClient, seeds: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from service import cluster_store

    save, failed = cluster_store.save_summary, []

    def locked_once(*args: Any) -> None:
        if not failed:
            failed.append(True)
            raise sqlite3.OperationalError("database is locked")
        save(*args)

    monkeypatch.setattr(cluster_store, "save_summary", locked_once)
    _ingest(client, seeds)
    views = client.app.state.stories  # type: ignore[attr-defined]
    assert views.wait_idle()
    assert failed
    conn = client.app.state.pipeline.store.reader()  # type: ignore[attr-defined]
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM clusters WHERE summary IS NULL AND merged_into IS NULL"
        ).fetchone()[0]
        == 0
    )


def test_published_filters_select_by_news_time(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    """`since`/`until` are when a story last changed here; archive dashboards filter on news time."""
    results = _ingest(client, seeds)
    visit, follow_up = _story_of(results, "000_0ce7c0ef36d33531"), _story_of(results, "004_3380a39c509cf088")

    def listed(**params: str) -> set[int]:
        response = client.get("/clusters", params=params)
        assert response.status_code == 200, response.text
        return {story["id"] for story in response.json()["data"]}

    assert listed(published_since="2024-01-01T00:00:00Z") == {follow_up}
    assert listed(published_until="2023-12-31T23:59:59Z") == {visit}
    assert listed(published_since="2023-09-10T00:00:00Z", published_until="2023-09-13T00:00:00Z") == {visit}
    assert listed(published_since="2023-10-01T00:00:00Z", published_until="2023-12-01T00:00:00Z") == set()
    # the visit's span covers 6-11 September, but none of its articles was published then
    assert listed(published_since="2023-09-06T00:00:00Z", published_until="2023-09-11T00:00:00Z") == set()
    assert listed(until="2023-12-31T23:59:59Z") == set()  # both were ingested today
    error = assert_error(
        client.get(
            "/clusters", params={"published_since": "2024-02-01T00:00:00Z", "published_until": "2024-01-01"}
        ),
        422,
    )
    assert error["details"][0]["field"] == "query.published_until"  # a bare date is no time
    for low, high in (("since", "until"), ("published_since", "published_until")):
        error = assert_error(
            client.get("/clusters", params={low: "2024-02-01T00:00:00Z", high: "2024-01-01T00:00:00Z"}), 422
        )
        assert error["details"][0]["field"] == f"query.{low}"
        assert (
            f"2024-02-01T00:00:00Z is after {high} (2024-01-01T00:00:00Z)" in error["details"][0]["message"]
        )
