"""A real uvicorn server in a subprocess on a free 127.0.0.1 port, over a given data directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from service.config import PROJECT_ROOT

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """``python -m service serve`` as a child; ``ready_seconds``: spawn to the first answered request."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 600.0) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.timeout = timeout
        self.ready_seconds = float("nan")
        self.process: subprocess.Popen[bytes] | None = None
        self._log = data_dir.parent / f"server-{self.port}.log"

    def start(self) -> Server:
        """Spawn the server and wait until ``GET /health`` answers 200 (the first request served)."""
        command = [
            sys.executable,
            "-m",
            "service",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--no-seeds",
            "--log-level",
            "warning",
        ]
        started = time.perf_counter()
        with self._log.open("ab") as log_file:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=self.env, stdout=log_file, stderr=subprocess.STDOUT
            )
        with httpx.Client(timeout=5.0) as client:
            while time.perf_counter() - started < self.timeout:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}; see {self._log}")
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        self.ready_seconds = time.perf_counter() - started
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
        self.stop()
        raise TimeoutError(f"server not ready after {self.timeout:.0f}s; see {self._log}")

    @property
    def pid(self) -> int:
        assert self.process is not None, "server not started"
        return self.process.pid

    def stop(self) -> None:
        """Graceful shutdown (SIGINT: the lifespan checkpoints the data directory), then kill if stuck."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
