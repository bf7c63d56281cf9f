"""Read latency under load: a bounded number of reader threads, for a bounded time, while an ingest runs.

One thread keeps posting ingest batches; ``readers`` threads each cycle through
``POST /duplicates/check``, ``GET /clusters`` and ``GET /clusters/{id}`` with their own
keep-alive client, recording the wall time of every request (client side, in ms).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from service.benchmarks.corpus_variants import ArticleStream
from service.benchmarks.http import post_batches

ENDPOINTS = ("duplicates_check", "clusters", "cluster_detail")


@dataclass
class LatencyRun:
    """What one latency repeat observed."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in ENDPOINTS})
    errors: dict[str, int] = field(default_factory=lambda: {name: 0 for name in ENDPOINTS})
    ingested: int = 0
    ingest_seconds: float = 0.0
    failure: BaseException | None = None


def _reader(
    url: str,
    index: int,
    deadline: float,
    checks: Sequence[dict[str, str]],
    cluster_ids: Sequence[int],
    run: LatencyRun,
    lock: threading.Lock,
) -> None:
    rng = random.Random(index)
    local: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    errors = dict.fromkeys(ENDPOINTS, 0)
    with httpx.Client(base_url=url, timeout=60.0) as client:
        step = index
        while time.perf_counter() < deadline:
            name = ENDPOINTS[step % len(ENDPOINTS)]
            step += 1
            started = time.perf_counter()
            try:
                if name == "duplicates_check":
                    response = client.post("/duplicates/check", json=checks[rng.randrange(len(checks))])
                elif name == "clusters":
                    response = client.get("/clusters")
                else:
                    response = client.get(f"/clusters/{cluster_ids[rng.randrange(len(cluster_ids))]}")
                ok = response.status_code == 200
            except httpx.TransportError:  # e.g. a kept-alive connection the server dropped: an error
                ok = False
            local[name].append(1000.0 * (time.perf_counter() - started))
            if not ok:
                errors[name] += 1
    with lock:
        for name in ENDPOINTS:
            run.latencies[name].extend(local[name])
            run.errors[name] += errors[name]


def _ingester(url: str, stream: ArticleStream, batch: int, stop: threading.Event, run: LatencyRun) -> None:
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=300.0) as client:
            while not stop.is_set():
                chunk = stream.take(batch)
                post_batches(client, url, [json.dumps({"articles": chunk}, ensure_ascii=False).encode()])
                run.ingested += len(chunk)
    except BaseException as exc:  # re-raised by measure_latency in the main thread
        run.failure = exc
    run.ingest_seconds = time.perf_counter() - started


def measure_latency(
    url: str,
    stream: ArticleStream,
    checks: Sequence[dict[str, str]],
    cluster_ids: Sequence[int],
    readers: int,
    seconds: float,
    batch: int,
) -> LatencyRun:
    """One repeat: ingest in the background, ``readers`` threads reading for ``seconds``."""
    run, lock, stop = LatencyRun(), threading.Lock(), threading.Event()
    ingest = threading.Thread(target=_ingester, args=(url, stream, batch, stop, run), daemon=True)
    ingest.start()
    time.sleep(min(0.5, seconds / 10))  # let the first batch reach the server before reading
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_reader, args=(url, i, deadline, checks, cluster_ids, run, lock), daemon=True)
        for i in range(readers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    ingest.join()
    if run.failure is not None:
        raise RuntimeError("the background ingest failed during the latency test") from run.failure
    return run
