"""Derived ids: an article sent without an id is never answered ``exists`` for another article."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from service.article_ids import derived_id, own_ids, qualified_id
from service.config import Settings
from service.pipeline import Pipeline
from service.prepare import prepare
from service.schemas import ArticleIn

HOME = "https://portal.example.net/"
SPORT = "فاز الهلال على النصر بهدفين دون رد في المباراة التي أقيمت مساء أمس على ملعب الملك فهد الدولي."
OIL = "ارتفعت أسعار النفط في التعاملات الآسيوية اليوم بعد بيانات أظهرت تراجع المخزونات الأمريكية."


def _post(client: TestClient, *articles: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/ingest", json={"articles": list(articles)})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_own_ids_keeps_the_first_holder_and_qualifies_another_article() -> None:
    """Rows by id stand in for the store: the holder keeps the derived id, others get their own."""
    docs = [
        prepare(ArticleIn(source=s, body="x", url=HOME), datetime.now(UTC)) for s in ("feed", "feed", "wire")
    ]
    for doc, content in zip(docs, ("h1", "h2", "h1"), strict=True):
        doc.content_hash = content
    base = docs[0].id
    assert base == derived_id(docs[0].canonical_url, "h1") == docs[1].id == docs[2].id
    stored = {base: {"source": "feed", "content_hash": "h1"}}
    out, rows = own_ids(docs, lambda ids: {i: stored[i] for i in ids if i in stored})
    assert [d.id for d in out] == [base, qualified_id(base, "feed", "h2"), qualified_id(base, "wire", "h1")]
    assert set(rows) == {base}
    stored[qualified_id(base, "feed", "h2")] = {"source": "feed", "content_hash": "h2"}
    del stored[base]  # the holder deleted: an article stored under its qualified id keeps that id
    out, rows = own_ids(docs[:2], lambda ids: {i: stored[i] for i in ids if i in stored})
    assert [d.id for d in out] == [base, qualified_id(base, "feed", "h2")]


def test_different_articles_at_one_address_are_all_stored_and_agree_with_the_check(
    client: TestClient,
) -> None:
    """A feed giving its home page as every article's address: each text is its own article."""
    sport = {"source": "feed", "title": "الهلال يفوز", "body": SPORT, "url": HOME}
    oil = {"source": "feed", "title": "ارتفاع النفط", "body": OIL, "url": HOME + "?utm_source=rss"}
    assert _post(client, sport)[0]["status"] == "created"
    check = client.post("/duplicates/check", json={k: oil[k] for k in ("title", "body", "url")}).json()
    assert check["duplicates"] == []
    first = _post(client, oil)[0]
    assert first["status"] == "created" and first["duplicate"] is None
    assert client.get("/health").json()["articles"] == 2
    again = _post(client, oil, sport)  # sent again: the same two articles
    assert [r["status"] for r in again] == ["exists", "exists"]
    assert again[0]["id"] == first["id"]
    stored = client.get(f"/articles/{first['id']}").json()
    assert stored["body"] == OIL


def test_one_batch_with_two_texts_at_one_address_stores_both(client: TestClient) -> None:
    results = _post(
        client,
        {"source": "feed", "body": SPORT, "url": HOME},
        {"source": "feed", "body": OIL, "url": HOME},
        {"source": "feed", "body": OIL, "url": HOME},  # a retry of the second
    )
    assert [r["status"] for r in results] == ["created", "created", "exists"]
    assert results[0]["id"] != results[1]["id"] == results[2]["id"]
    assert client.get("/health").json()["articles"] == 2


def test_the_same_wire_text_from_several_outlets_without_addresses_is_kept_per_outlet(
    client: TestClient,
) -> None:
    """Each outlet's copy is stored and marked an exact copy; an outlet sending again changes nothing."""
    wire = {"title": "ارتفاع النفط", "body": OIL}
    okaz, alriyadh = _post(client, {**wire, "source": "okaz"}, {**wire, "source": "alriyadh"})
    assert okaz["status"] == alriyadh["status"] == "created"
    assert alriyadh["duplicate"]["type"] == "exact" and alriyadh["duplicate"]["of"] == okaz["id"]
    credited = _post(client, {**wire, "source": "alwatan", "body": OIL + "\n\nواس"})[0]
    assert credited["status"] == "created" and credited["duplicate"]["of"] == okaz["id"]
    assert [r["status"] for r in _post(client, {**wire, "source": "alriyadh"})] == ["exists"]
    sources = client.get(f"/clusters/{okaz['cluster_id']}").json()["sources"]
    assert {s["source"] for s in sources} == {"okaz", "alriyadh", "alwatan"}


def test_a_restart_keeps_derived_ids(settings: Settings) -> None:
    """The ids are a function of what is stored, so a reopened store answers the same."""
    articles = [ArticleIn(source="feed", body=b, url=HOME) for b in (SPORT, OIL)]
    with Pipeline.open(settings) as pipeline:
        ids = [r.id for r in pipeline.ingest(articles)]
    with Pipeline.open(settings) as pipeline:
        again = pipeline.ingest(list(reversed(articles)))
    assert [r.id for r in again] == list(reversed(ids))
    assert [r.status for r in again] == ["exists", "exists"]
