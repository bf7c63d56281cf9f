"""Runs every measurement in order over one growing data directory and collects the figures.

For each scale (10k, 100k, optionally 1M stored articles) the data directory is filled
in-process, then in-process windows are timed; at 10k and 100k the pipeline is closed and
a real server is restarted on the same directory (restart time, server memory), HTTP windows
are timed, and at 100k the latency test runs. The ratios run on the same texts and vectors.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from service.benchmarks import inprocess, ratios
from service.benchmarks.config import BenchConfig
from service.benchmarks.corpus_variants import ArticleStream, load_base, make_variant
from service.benchmarks.http import check_payloads, measure_http_window
from service.benchmarks.latency import ENDPOINTS, measure_latency
from service.benchmarks.machine import CpuShare, describe
from service.benchmarks.server import Server
from service.benchmarks.stats import Figures, percentile, summarize
from service.config import Settings
from service.pipeline import Pipeline

log = logging.getLogger(__name__)
MB = 2**20


def load_average() -> str:
    """1/5/15-minute load averages: other work on the machine skews every figure, so the report shows it."""
    return " / ".join(f"{value:.2f}" for value in psutil.getloadavg())


@dataclass
class Results:
    """Figures (flat ``dotted.key -> number``) plus what the report needs to explain them."""

    config: BenchConfig
    figures: Figures = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)
    stages: dict[str, dict[str, float]] = field(default_factory=dict)  # role -> stage -> ms/article
    profile: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    complete: bool = False


class Runner:
    """One benchmark run; ``run()`` returns the :class:`Results`."""

    def __init__(self, config: BenchConfig) -> None:
        self.config = config
        self.results = Results(config)
        self.fig = self.results.figures
        root = config.workdir or Path(tempfile.mkdtemp(prefix="storyline-bench-"))
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.settings = Settings(data_dir=root / "data", load_seeds=False)
        self.base, corpus = load_base(config.corpus, config.base_limit)
        self.stream = ArticleStream(self.base)
        self.cluster_ids: list[int] = []
        self.results.info = {
            **describe(),
            "corpus": f"{corpus}, {len(self.base):,} usable articles",
            "embedder": "",
            "workdir": str(root),
            "load average at start": load_average(),
        }

    def run(self, on_phase: Callable[[Results], None] | None = None) -> Results:
        """Every phase in order; ``on_phase`` sees the results so far after each (partial reports)."""
        started, cpu = time.perf_counter(), CpuShare()
        skip = self.config.skip
        phases: list[Callable[[], None]] = [self.baselines]
        if "dedup-ratio" not in skip:
            phases.append(self.dedup_ratio)
        for role, scale in sorted(self.config.scales.items(), key=lambda item: item[1]):
            phases.append(lambda role=role, scale=scale: self.inprocess(role, scale))  # type: ignore[misc]
            if role != "xl" and "http" not in skip:
                phases.append(lambda role=role: self.over_http(role))  # type: ignore[misc]
        if "st" not in skip:
            phases.append(self.st_overhead)
        for phase in phases:
            phase()
            self.results.seconds = time.perf_counter() - started
            self.results.info["load average at end"] = load_average()
            self.results.info["CPU used by other processes during the run"] = (
                f"{cpu.others_percent():.0f}% of all cores"
            )
            if on_phase is not None:
                on_phase(self.results)
        self.results.complete = True
        return self.results

    def baselines(self) -> None:
        """RSS of an empty pipeline here and of a server on an empty directory (memory baselines)."""
        with Pipeline.open(self.settings) as pipeline, inprocess.instrumented(pipeline) as views:
            self.results.info["embedder"] = pipeline.embedder_name
            if views.worker is not None:
                views.worker.compute([])  # its process is up and initialized, as after a fill
            inprocess.cache_utf8(self.base)
            self.baseline_rss = sum(inprocess.tree_rss_bytes())
            doc = ratios.prepared(inprocess.validate(self.base[:1]))
            with pipeline.state_lock:
                self.vector_bytes = 4 * int(pipeline.stories.vectors(doc).shape[1])
        with Server(self.settings.data_dir) as server:
            self.server_baseline_rss = sum(inprocess.tree_rss_bytes(server.pid))
        self.fig["memory.baseline_rss_mb"] = self.baseline_rss / MB
        self.fig["memory.server_baseline_rss_mb"] = self.server_baseline_rss / MB
        self.fig["memory.vector_bytes_per_article"] = float(self.vector_bytes)

    def _memory(self, prefix: str, pid: int | None, baseline: int, stored: int) -> None:
        """Memory of a process and its workers (``pid`` None: this process) per stored article."""
        own, workers = inprocess.tree_rss_bytes(pid)
        rss = own + workers
        per = (rss - baseline) / max(stored, 1)
        self.fig[f"{prefix}.rss_mb"] = rss / MB
        self.fig[f"{prefix}.workers_rss_mb"] = workers / MB
        self.fig[f"{prefix}.bytes_per_article"] = per
        self.fig[f"{prefix}.bytes_per_article_beyond_vectors"] = per - self.vector_bytes

    def inprocess(self, role: str, scale: int) -> None:
        """Fill to ``scale``, measure memory, time windows; ratios and profile at the largest scale."""
        cfg = self.config
        with Pipeline.open(self.settings) as pipeline, inprocess.instrumented(pipeline) as views:
            # A reused work directory already holds the stream's first articles.
            self.stream.position = max(self.stream.position, pipeline.store.count_articles())
            log.info("filling to %d articles (%s)", scale, role)
            done, seconds = inprocess.fill(pipeline, self.stream, scale, cfg.batch)
            views.wait_idle(timeout=1800)
            stored = pipeline.store.count_articles()
            if done:
                self.fig[f"fill.{role}.throughput"] = done / seconds
            self.fig[f"inprocess.{role}.stored"] = float(stored)
            self._memory(f"memory.{role}", None, self.baseline_rss, stored)
            rates, stage_runs, embed_rates = [], [], []
            for _ in range(cfg.repeats):
                start = self.stream.position
                rate, stages = inprocess.measure_window(pipeline, self.stream, cfg.window, cfg.batch, views)
                rates.append(rate)
                stage_runs.append(stages)
                if role == "large":
                    embed_rates.append(self.embedder_rate(start))
            summarize(self.fig, f"inprocess.{role}.throughput", rates)
            names = sorted({name for run in stage_runs for name in run})
            self.results.stages[role] = {
                n: percentile([r.get(n, 0.0) for r in stage_runs], 50) for n in names
            }
            for name, value in self.results.stages[role].items():
                self.fig[f"inprocess.{role}.stage_ms.{name.replace(' ', '_')}"] = value
            if role == "large":
                summarize(self.fig, "ratio.embedder.raw_throughput", embed_rates)
                summarize(
                    self.fig,
                    "ratio.service_over_embedder",
                    [r / e for r, e in zip(rates, embed_rates, strict=True)],
                )
                self.faiss_ratio(pipeline)
            if role == cfg.largest and cfg.profile:
                self.results.profile = inprocess.profile_window(pipeline, self.stream, cfg.window, cfg.batch)
            self.cluster_ids = self.stored_cluster_ids(pipeline)

    def embedder_rate(self, start: int) -> float:
        """Raw embedder articles/s on the texts of the window that began at stream position ``start``."""
        texts = [make_variant(self.base, start + i) for i in range(self.config.window)]
        warm = ratios.prepared(inprocess.validate(self.base[:200]))
        return ratios.embedder_throughput(self.settings, warm, ratios.prepared(inprocess.validate(texts)))

    def faiss_ratio(self, pipeline: Pipeline) -> None:
        """FAISS vs numpy on the stored vectors, queried with a seeded sample of them."""
        records = list(pipeline.store.story_records())
        vectors = ratios.decode_vectors([bytes(r.vector) for r in records], self.vector_bytes // 4)
        rng = np.random.default_rng(5)
        queries = vectors[
            rng.choice(len(vectors), min(self.config.ratio_queries, len(vectors)), replace=False)
        ]
        runs = [
            ratios.faiss_vs_numpy(
                vectors, queries, self.settings.stories.neighbours, self.settings.stories.exact_index_max
            )
            for _ in range(self.config.repeats)
        ]
        for key in ("faiss_ms", "numpy_ms", "ratio", "recall"):
            summarize(self.fig, f"ratio.faiss_over_numpy.{key}", [run[key] for run in runs])
        self.fig["ratio.faiss_over_numpy.vectors"] = float(len(vectors))

    @staticmethod
    def stored_cluster_ids(pipeline: Pipeline, limit: int = 2000) -> list[int]:
        """Some live story ids, for ``GET /clusters/{id}``."""
        sql = (
            "SELECT DISTINCT cluster_id FROM articles WHERE cluster_id IS NOT NULL ORDER BY seq DESC LIMIT ?"
        )
        return [int(row[0]) for row in pipeline.store.reader().execute(sql, (limit,)).fetchall()]

    def over_http(self, role: str) -> None:
        """Restart the server ``repeats`` times (restart time, memory), then HTTP windows and latency."""
        cfg, restarts = self.config, []
        for attempt in range(cfg.repeats):
            server = Server(self.settings.data_dir).start()
            restarts.append(server.ready_seconds)
            stored = int(self.fig[f"inprocess.{role}.stored"])
            if attempt == 0:
                self._memory(f"memory.server.{role}", server.pid, self.server_baseline_rss, stored)
            if attempt < cfg.repeats - 1:
                server.stop()
        summarize(self.fig, f"restart.{role}.seconds", restarts)
        try:
            rates = [
                measure_http_window(server.url, self.stream, cfg.window, cfg.batch)[0]
                for _ in range(cfg.repeats)
            ]
            summarize(self.fig, f"http.{role}.throughput", rates)
            self.fig[f"http.{role}.ratio_to_inprocess"] = (
                self.fig[f"http.{role}.throughput.median"] / self.fig[f"inprocess.{role}.throughput.median"]
            )
            if role == "large":
                self.latency(server)
            self.fig[f"memory.server.{role}.after_http_rss_mb"] = (
                sum(inprocess.tree_rss_bytes(server.pid)) / MB
            )
        finally:
            server.stop()

    def latency(self, server: Server) -> None:
        """Percentiles per endpoint per repeat, summarized over repeats."""
        cfg = self.config
        checks = check_payloads(self.base, 200)
        ids = self.cluster_ids or [1]
        runs = [
            measure_latency(
                server.url,
                self.stream,
                checks,
                random.Random(i).sample(ids, min(len(ids), 500)),
                cfg.readers,
                cfg.latency_seconds,
                cfg.batch,
            )
            for i in range(cfg.repeats)
        ]
        for name in ENDPOINTS:
            for q in (50, 95, 99):
                summarize(
                    self.fig, f"latency.{name}.p{q}_ms", [percentile(r.latencies[name], q) for r in runs]
                )
            self.fig[f"latency.{name}.requests"] = float(sum(len(r.latencies[name]) for r in runs))
            self.fig[f"latency.{name}.errors"] = float(sum(r.errors[name] for r in runs))
        summarize(self.fig, "latency.ingest_throughput", [r.ingested / r.ingest_seconds for r in runs])
        self.fig["latency.readers"] = float(cfg.readers)
        self.fig["latency.seconds_per_repeat"] = cfg.latency_seconds

    def dedup_ratio(self) -> None:
        """Our near-duplicate stage vs plain datasketch on the first real articles."""
        docs = ratios.prepared(inprocess.validate(self.base[: self.config.ratio_docs]))
        runs = [ratios.dedup_vs_datasketch(self.settings, docs) for _ in range(self.config.repeats)]
        for key in ("ours_ms", "datasketch_ms", "ratio"):
            summarize(self.fig, f"ratio.dedup_over_datasketch.{key}", [run[key] for run in runs])
        self.fig["ratio.dedup_over_datasketch.articles"] = float(len(docs))

    def st_overhead(self) -> None:
        """Sentence-transformers service overhead, when the model is installed and asked for."""
        cfg = self.config
        if cfg.st_texts <= 0:
            self.results.notes.append("sentence-transformers overhead skipped (--st-texts 0).")
            return
        if not cfg.st_model:
            self.results.notes.append("sentence-transformers overhead skipped: no model found (--st-model).")
            return
        from service.benchmarks.st_overhead import st_overhead

        articles = self.base[: cfg.st_texts + cfg.st_warm]
        runs = st_overhead(cfg.st_model, articles, cfg.repeats, self.root / "st-data", cfg.batch, cfg.st_warm)
        for key in ("raw_per_s", "service_per_s", "overhead_pct"):
            summarize(self.fig, f"st.{key}", [run[key] for run in runs])
        self.fig["st.texts"] = float(cfg.st_texts)
        self.results.info["st model"] = cfg.st_model
