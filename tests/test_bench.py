"""The benchmark harness: the smoke run produces every figure, numeric, and a report naming each target."""

from __future__ import annotations

import argparse
import gc
import math
import tracemalloc
from pathlib import Path

from service.bench import run
from service.benchmarks.config import default_st_model
from service.benchmarks.corpus_variants import ArticleStream, load_base, make_variant, synthetic_corpus
from service.benchmarks.inprocess import cache_utf8
from service.benchmarks.latency import ENDPOINTS
from service.benchmarks.targets import TARGETS
from service.config import PROJECT_ROOT
from service.schemas import ArticleIn

CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "saudinewsnet"

REQUIRED = [
    *(
        f"{kind}.{role}.throughput.{part}"
        for kind in ("inprocess", "http")
        for role in ("small", "large")
        for part in ("median", "min", "max")
    ),
    *(
        f"inprocess.{role}.stage_ms.{stage}"
        for role in ("small", "large")
        for stage in ("normalize", "dedup", "assign", "store", "total_(wall)")
    ),
    *(f"latency.{name}.p{q}_ms.median" for name in ENDPOINTS for q in (50, 95, 99)),
    *(
        f"memory.{p}{role}.{what}"
        for p in ("", "server.")
        for role in ("small", "large")
        for what in ("rss_mb", "workers_rss_mb", "bytes_per_article", "bytes_per_article_beyond_vectors")
    ),
    "memory.added_beyond_vectors",
    "memory.server.added_beyond_vectors",
    "restart.small.seconds.median",
    "restart.large.seconds.median",
    "ratio.service_over_embedder.median",
    "ratio.embedder.raw_throughput.median",
    "ratio.faiss_over_numpy.ratio.median",
    "ratio.faiss_over_numpy.recall.median",
    "ratio.dedup_over_datasketch.ratio.median",
    "memory.large.worst_beyond_vectors",
]


def _args(tmp_path: Path, corpus: Path) -> argparse.Namespace:
    return argparse.Namespace(
        smoke=True,
        corpus=str(corpus),
        output=str(tmp_path / "BENCH.md"),
        repeats=1,
        max_scale=None,
        window=None,
        readers=None,
        latency_seconds=None,
        st_texts=None,
        st_model=None,
        workdir=str(tmp_path / "work"),
        no_profile=False,
    )


def test_variants_are_deterministic_and_distinct() -> None:
    base = synthetic_corpus(50)
    first = [make_variant(base, i) for i in range(200)]
    assert first == ArticleStream(base).take(200)
    assert first[:50] == base
    assert len({a["id"] for a in first}) == 200
    for i in range(50, 200):
        assert first[i]["url"].startswith(base[i % 50]["url"] + "#v")
        assert first[i]["published_at"] > base[i % 50]["published_at"]


def test_load_base_falls_back_to_synthetic(tmp_path: Path) -> None:
    articles, description = load_base(tmp_path / "missing", limit=30)
    assert len(articles) == 30 and description.startswith("synthetic")


def test_smoke_run_produces_every_figure(tmp_path: Path) -> None:
    corpus = CORPUS if CORPUS.exists() else tmp_path / "no-corpus"
    results = run(_args(tmp_path, corpus))
    figures = results.figures
    required = list(REQUIRED)
    if default_st_model() is not None:
        required += ["st.raw_per_s.median", "st.service_per_s.median", "st.overhead_pct.median"]
    missing = [key for key in required if key not in figures]
    assert not missing, missing
    bad = {k: v for k, v in figures.items() if not isinstance(v, float | int) or not math.isfinite(v)}
    assert not bad, bad
    assert results.seconds < 90
    # the summary worker runs beside both (and the check verifier beside the server)
    assert figures["memory.small.workers_rss_mb"] > 0 and figures["memory.server.small.workers_rss_mb"] > 0
    report = Path(tmp_path / "BENCH.md").read_text(encoding="utf-8")
    for target in TARGETS:
        assert target.name in report
    assert "Growth between the two scales per article added" in report
    assert "PASS" in report or "MISS" in report


def test_cache_utf8_makes_what_validation_would_keep_on_the_corpus() -> None:
    def article(n: int) -> dict[str, str]:
        return {"source": f"مصدر {n}", "body": " ".join(f"كلمة{n}{i}" for i in range(300))}

    def kept_by_validation(raw: dict[str, str]) -> int:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        ArticleIn.model_validate(raw)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before

    plain, cached = article(1), article(2)
    cache_utf8([cached])
    tracemalloc.start()
    try:
        kept_plain, kept_cached = kept_by_validation(plain), kept_by_validation(cached)
    finally:
        tracemalloc.stop()
    assert kept_plain > len(plain["body"])  # the UTF-8 copy stays with the corpus's string
    assert kept_cached < 200
