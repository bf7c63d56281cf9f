"""End to end: a real uvicorn server in a subprocess, seeds over HTTP, restart, all still there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from service.config import PROJECT_ROOT
from service.text import sentences
from tests.test_reuse import OWN


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(data_dir: Path, *, seeds: bool = False) -> Iterator[str]:
    port = _free_port()
    args = [
        sys.executable,
        "-m",
        "service",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--log-level",
        "warning",
        "--seeds" if seeds else "--no-seeds",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not become healthy in 120 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_seeds_survive_a_restart(tmp_path: Path, seeds: list[dict[str, Any]]) -> None:
    data_dir = tmp_path / "data"
    with running_server(data_dir) as base:
        response = httpx.post(f"{base}/ingest", json={"articles": seeds}, timeout=60)
        assert response.status_code == 200
        first = {r["id"]: r for r in response.json()["results"]}
        assert all(r["status"] == "created" for r in first.values())
        assert httpx.get(f"{base}/health").json()["articles"] == 5
    with running_server(data_dir) as base:
        assert httpx.get(f"{base}/health").json()["articles"] == 5
        for seed in seeds:
            stored = httpx.get(f"{base}/articles/{seed['id']}").json()
            assert stored["body"] == seed["body"]
            assert stored["cluster_id"] == first[seed["id"]]["cluster_id"]
        again = httpx.post(f"{base}/ingest", json={"articles": seeds}, timeout=60).json()["results"]
        assert all(r["status"] == "exists" for r in again)
        # the newsroom check, verified in the server's worker process: a copy and a quote
        wire = next(s for s in seeds if s["id"].startswith("000"))
        quoted = sentences(wire["body"])[7:10]
        draft = {"body": "\n".join([OWN, *quoted]), "published_at": wire["published_at"], "passages": True}
        found = httpx.post(f"{base}/duplicates/check", json=draft, timeout=60).json()
        assert found["duplicates"] == [] and [(r["id"], r["sentences"]) for r in found["reused"]] == [
            (wire["id"], quoted)
        ]
        copy = httpx.post(f"{base}/duplicates/check", json={"body": wire["body"]}, timeout=60).json()
        assert copy["duplicates"][0]["id"] == wire["id"] and copy["reused"] is None
        # a correction, then a restart: the new version is what the store and the stages hold
        corrected = {**wire, "body": wire["body"] + "\nتصحيح: وصل القطار صباح الثلاثاء."}
        put = httpx.put(f"{base}/articles/{wire['id']}", json=corrected, timeout=60)
        assert (put.status_code, put.json()["status"]) == (200, "replaced")
    with running_server(data_dir) as base:
        assert httpx.get(f"{base}/health").json()["articles"] == 5
        assert httpx.get(f"{base}/articles/{wire['id']}").json()["body"] == corrected["body"]
        again = httpx.post(f"{base}/duplicates/check", json={"body": corrected["body"]}, timeout=60).json()
        assert again["duplicates"][0] == {**again["duplicates"][0], "id": wire["id"], "type": "exact"}


def test_serve_with_seeds_loads_them_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with running_server(data_dir, seeds=True) as base:
        assert httpx.get(f"{base}/health").json()["articles"] == 5
    with running_server(data_dir, seeds=True) as base:
        assert httpx.get(f"{base}/health").json()["articles"] == 5
