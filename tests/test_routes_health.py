"""GET /health, GET /metrics, OpenAPI, and the error shape for unknown routes and methods."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import assert_error


def test_health_counts_and_names_embedder(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["articles"] == 0 and health["clusters"] == 0
    assert health["embedder"] and health["version"]
    client.post("/ingest", json={"articles": seeds})
    health = client.get("/health").json()
    assert health["articles"] == 5 and health["clusters"] == 2
    assert health["clusters"] == client.get("/clusters").json()["count"]  # the stories listed


def test_metrics_report_requests_ingest_and_memory(client: TestClient, seeds: list[dict[str, Any]]) -> None:
    client.post("/ingest", json={"articles": seeds})
    client.post("/ingest", json=seeds[0])
    client.get("/articles/nope")
    text = client.get("/metrics").text
    assert 'storyline_articles_ingested_total{status="created"} 5.0' in text
    assert 'storyline_articles_ingested_total{status="exists"} 1.0' in text
    assert (
        'storyline_http_requests_total{method="GET",route="/articles/{article_id:path}",status="404"} 1.0'
        in text
    )
    assert "storyline_http_request_duration_seconds_bucket" in text
    assert "storyline_stories 2.0" in text
    assert "process_resident_memory_bytes" in text


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/ingest" in spec["paths"] and "/duplicates/check" in spec["paths"]
    for path, method, model in (
        ("/duplicates/check", "post", "DuplicateCheckOut"),
        ("/clusters", "get", "ClusterPage"),
        ("/clusters/{cluster_id}", "get", "ClusterDetail"),
    ):  # routes that send pre-rendered JSON still document their response model
        schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith(f"/{model}")
    assert client.get("/docs").status_code == 200


def test_unknown_route_and_method_use_the_error_shape(client: TestClient) -> None:
    assert "no endpoint GET /nowhere" in assert_error(client.get("/nowhere"), 404)["message"]
    response = client.put("/ingest", json={})
    assert "PUT /ingest is not allowed; this path takes POST" in assert_error(response, 405)["message"]
    assert response.headers["allow"] == "POST"
    response = client.post(
        "/articles/some-id"
    )  # four routes share this path: GET, PUT, DELETE and GET .../duplicates
    assert "this path takes DELETE, GET, HEAD, PUT" in assert_error(response, 405)["message"]
    assert response.headers["allow"] == "DELETE, GET, HEAD, PUT"


def test_openapi_documents_the_one_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    error = spec["components"]["schemas"]["ErrorResponse"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorInfo")
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert "422" not in operation["responses"]
            for status in ("4XX", "5XX"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorResponse")


def test_every_route_dependency_runs_on_the_event_loop() -> None:
    """A plain-function dependency costs every request a thread hand-off (see service.routes.deps)."""
    import inspect

    from fastapi.routing import APIRoute

    from service.routes import articles, clusters, duplicates, health, ingest

    def calls(dependant: Any) -> list[Any]:
        return [d.call for d in dependant.dependencies] + [
            c for d in dependant.dependencies for c in calls(d)
        ]

    routes = [r for m in (articles, clusters, duplicates, health, ingest) for r in m.router.routes]
    found = [c for r in routes if isinstance(r, APIRoute) for c in calls(r.dependant)]
    assert len(found) >= 8  # every route but one takes the pipeline, views or metrics
    assert [c.__name__ for c in found if not inspect.iscoroutinefunction(c)] == []


def test_metrics_count_a_copy_once_however_often_it_is_corrected(
    client: TestClient, seeds: list[dict[str, Any]]
) -> None:
    client.post("/ingest", json={"articles": seeds})
    copy = {**seeds[0], "id": "copy-1", "source": "copy desk", "url": None}
    assert client.post("/ingest", json=copy).json()["results"][0]["duplicate"]["type"] == "exact"
    for n in range(3):  # corrections: each placed again, as a copy again
        body = f"{seeds[0]['body']}\n(تحديث {n})"
        assert client.put("/articles/copy-1", json={**copy, "body": body}).json()["duplicate"] is not None
    text = client.get("/metrics").text
    counted = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line.startswith("storyline_duplicates_total{")
    }
    assert sum(counted.values()) == 1.0, counted
    assert 'storyline_articles_ingested_total{status="replaced"} 3.0' in text
