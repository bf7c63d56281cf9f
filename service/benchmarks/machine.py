"""What the figures were measured on: CPU, cores, memory, date, git commit, versions."""

from __future__ import annotations

import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from service.config import PROJECT_ROOT


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or what the platform module knows)."""
    info = Path("/proc/cpuinfo")
    if info.exists():
        for line in info.read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def git_commit() -> str:
    """The checked-out commit, marked ``+dirty`` when the work tree has changes (read-only git calls)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}+dirty" if status else head


def describe() -> dict[str, str]:
    """Machine and build facts printed at the top of the report."""
    import faiss
    import numpy

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "cpu": cpu_model(),
        "cores": f"{psutil.cpu_count(logical=True)} logical ({psutil.cpu_count(logical=False)} physical)",
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "python": platform.python_version(),
        "os": platform.platform(),
        "numpy / faiss": f"{numpy.__version__} / {faiss.__version__}",
    }


class CpuShare:
    """How much of the machine's CPU other processes used while the benchmark ran (they skew it)."""

    def __init__(self) -> None:
        self._wall = time.monotonic()
        self._busy = self._system_busy()
        self._own = self._own_cpu()

    @staticmethod
    def _system_busy() -> float:
        times = psutil.cpu_times()
        return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))

    @staticmethod
    def _own_cpu() -> float:
        times = psutil.Process().cpu_times()
        return float(times.user + times.system + times.children_user + times.children_system)

    def others_percent(self) -> float:
        """Percent of all cores' time spent by processes other than this one and its finished children."""
        wall = (time.monotonic() - self._wall) * (psutil.cpu_count() or 1)
        others = (self._system_busy() - self._busy) - (self._own_cpu() - self._own)
        return max(0.0, 100.0 * others / max(wall, 1e-9))
