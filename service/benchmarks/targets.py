"""The issue's performance targets, checked against the measured figures."""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.benchmarks.stats import Figures


@dataclass(frozen=True)
class Target:
    """``figure`` compared with ``limit`` (``at_least`` or at most), shown with ``unit``."""

    name: str
    figure: str
    limit: float
    at_least: bool
    unit: str

    def measured(self, figures: Figures) -> float:
        return figures.get(self.figure, math.nan)

    def passed(self, figures: Figures) -> bool | None:
        """True/False, or None when the figure was not measured in this run."""
        value = self.measured(figures)
        if math.isnan(value):
            return None
        return value >= self.limit if self.at_least else value <= self.limit


TARGETS = (
    Target(
        "in-process ingest at 100k stored (lexical)",
        "inprocess.large.throughput.median",
        300,
        True,
        "articles/s",
    ),
    Target(
        "HTTP ingest (batches of 100) / in-process, at 100k", "http.large.ratio_to_inprocess", 0.8, True, "×"
    ),
    Target(
        "POST /duplicates/check p95 at 100k, under ingest",
        "latency.duplicates_check.p95_ms.median",
        50,
        False,
        "ms",
    ),
    Target("GET /clusters p95 at 100k, under ingest", "latency.clusters.p95_ms.median", 30, False, "ms"),
    Target(
        "resident memory per stored article beyond vectors, 100k (worst of pipeline process and server)",
        "memory.large.worst_beyond_vectors",
        4096,
        False,
        "bytes",
    ),
    Target("restart (spawn to first request served) at 100k", "restart.large.seconds.median", 5, False, "s"),
    Target("sentence-transformers service overhead vs raw encode", "st.overhead_pct.median", 10, False, "%"),
)


def derive(figures: Figures) -> None:
    """Figures the targets need that combine others."""
    keys = (
        "memory.large.bytes_per_article_beyond_vectors",
        "memory.server.large.bytes_per_article_beyond_vectors",
    )
    values = [figures[k] for k in keys if k in figures]
    if values:
        figures["memory.large.worst_beyond_vectors"] = max(values)
    # What each further article costs, fixed costs (imports, bounded caches, workers) left out:
    # the RSS growth between the two scales per article added.
    added = figures.get("inprocess.large.stored", 0.0) - figures.get("inprocess.small.stored", 0.0)
    for prefix in ("memory", "memory.server"):
        small, large = figures.get(f"{prefix}.small.rss_mb"), figures.get(f"{prefix}.large.rss_mb")
        if small is not None and large is not None and added > 0:
            per = (large - small) * 2**20 / added - figures.get("memory.vector_bytes_per_article", 0.0)
            figures[f"{prefix}.added_beyond_vectors"] = per


def verdict(target: Target, figures: Figures) -> str:
    result = target.passed(figures)
    return "not measured" if result is None else ("PASS" if result else "MISS")
