"""Ingest over HTTP: ``POST /ingest`` with batches, one keep-alive client, against the real server."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import httpx

from service.benchmarks.corpus_variants import Article, ArticleStream


def payloads(stream: ArticleStream, count: int, batch: int) -> list[bytes]:
    """The next ``count`` articles as ready-to-send ``{"articles": [...]}`` bodies."""
    return [
        json.dumps({"articles": chunk}, ensure_ascii=False).encode() for chunk in stream.batches(count, batch)
    ]


def post_batches(client: httpx.Client, url: str, bodies: Sequence[bytes]) -> list[int]:
    """POST each body to ``/ingest``; returns the cluster ids answered. Raises on any non-200."""
    clusters: list[int] = []
    for body in bodies:
        response = client.post(f"{url}/ingest", content=body, headers={"content-type": "application/json"})
        if response.status_code != 200:
            raise RuntimeError(f"POST /ingest answered {response.status_code}: {response.text[:300]}")
        clusters.extend(
            r["cluster_id"] for r in response.json()["results"] if r.get("cluster_id") is not None
        )
    return clusters


def measure_http_window(url: str, stream: ArticleStream, window: int, batch: int) -> tuple[float, list[int]]:
    """Articles/s of posting the next ``window`` articles in batches (serialization done beforehand)."""
    bodies = payloads(stream, window, batch)
    with httpx.Client(timeout=300.0) as client:
        started = time.perf_counter()
        clusters = post_batches(client, url, bodies)
        elapsed = time.perf_counter() - started
    return window / elapsed, clusters


def check_payloads(base: Sequence[Article], count: int, seed: int = 7) -> list[dict[str, str]]:
    """``/duplicates/check`` bodies: real articles, half of them trimmed to their first half."""
    out: list[dict[str, str]] = []
    step = max(1, len(base) // max(count, 1))
    for i in range(count):
        item = base[(i * step + seed) % len(base)]
        body = str(item["body"])
        if i % 2:
            body = body[: max(200, len(body) // 2)]
        out.append({"title": str(item.get("title") or ""), "body": body})
    return out
