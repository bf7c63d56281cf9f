"""Quoted passages: does the check (with ``passages``) name the report a draft quotes?

No labels exist for quoting, so drafts are made from a real store: a *host* article with a
run of consecutive sentences (at least ``quote_words`` words) of a *wire* article set into
its middle. The wire is another outlet's article of the same story, of another duplicate
group, published within ``gap_days`` of the host (the case of a reporter quoting copy from the
same news cycle). Each draft is checked with the host's date, as the newsroom plugin would.

- *reported*: some reused hit lists at least half of the quoted sentences (from the wire or
  from any stored article carrying the same passages);
- *wire named*: the wire's duplicate group is among the reused hits;
- *spurious*: reused hits of the draft, other than the host, whose text holds not even a
  passage (``passage_words``, 10 words) of the quote or of the host: what neither explains;
- the check's time in this process, with and without ``passages``.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from service.benchmarks.stats import percentile
from service.check_schemas import DuplicateCheckIn
from service.config import Settings
from service.evaluation.stories import stream_corpus
from service.reuse import draft_text, reuse
from service.text import sentences


def _pairs(conn: sqlite3.Connection, min_words: int, gap_days: float, rng: random.Random) -> list[tuple]:
    """(wire, host) rows: same story, other duplicate group and source, within ``gap_days``."""
    rows = conn.execute(
        "SELECT id, title, body, source, published_at, published_ts, cluster_id, COALESCE(dup_of, id) AS grp,"
        " LENGTH(body_norm) - LENGTH(REPLACE(body_norm, ' ', '')) + 1 AS words FROM articles"
        " WHERE cluster_id IS NOT NULL ORDER BY seq"
    ).fetchall()
    long = [r for r in rows if r["words"] >= min_words]
    by_story: dict[int, list[sqlite3.Row]] = {}
    for row in long:
        by_story.setdefault(row["cluster_id"], []).append(row)
    rng.shuffle(long)
    pairs = []
    for wire in long:
        hosts = [
            h
            for h in by_story[wire["cluster_id"]]
            if h["grp"] != wire["grp"]
            and h["source"] != wire["source"]
            and abs(h["published_ts"] - wire["published_ts"]) <= gap_days * 86400
        ]
        if hosts and len(sentences(wire["body"])) >= 4:
            pairs.append((wire, rng.choice(hosts)))
    return pairs


def _draft(
    wire: sqlite3.Row, host: sqlite3.Row, quote_words: int, rng: random.Random
) -> tuple[str, list[str]]:
    """The host with a run of the wire's sentences (at least ``quote_words`` words) in its middle."""
    wire_sentences, host_sentences = sentences(wire["body"]), sentences(host["body"])
    start, quote = rng.randrange(max(1, len(wire_sentences) - 3)), list[str]()
    while start < len(wire_sentences) and sum(len(s.split()) for s in quote) < quote_words:
        quote.append(wire_sentences[start])
        start += 1
    middle = len(host_sentences) // 2
    return "\n".join(host_sentences[:middle] + quote + host_sentences[middle:]), quote


def evaluate_quotes(
    corpus: Path,
    settings: Settings,
    samples: int = 300,
    quote_words: tuple[int, ...] = (35, 70),
    gap_days: float = 2.0,
    min_words: int = 150,
    seed: int = 7,
) -> dict[str, Any]:
    """Check ``samples`` drafts per quote length against the store in ``settings.data_dir``
    (the corpus is ingested into it first when it holds no articles)."""
    from service.newsroom import check_draft
    from service.pipeline import Pipeline

    report: dict[str, Any] = {"embedder": settings.embedder, "gap_days": gap_days, "runs": {}}
    loose = settings.dedup.model_copy(update={"reuse_min_words": settings.dedup.passage_words})
    with Pipeline.open(settings) as pipeline:
        if not pipeline.store.count_articles():
            for batch in stream_corpus(corpus):
                pipeline.ingest(batch)
        report["stored"] = pipeline.store.count_articles()
        for words in quote_words:
            rng = random.Random(seed)
            pairs = _pairs(pipeline.store.reader(), min_words, gap_days, rng)[:samples]
            counts = {"drafts": 0, "reported": 0, "wire_named": 0, "spurious": 0, "reused_hits": 0}
            with_passages: list[float] = []
            without: list[float] = []
            for wire, host in pairs:
                body, quote = _draft(wire, host, words, rng)
                draft = DuplicateCheckIn(title=host["title"], body=body, published_at=host["published_at"])
                started = time.perf_counter()
                check_draft(pipeline, draft)
                without.append(time.perf_counter() - started)
                started = time.perf_counter()
                reused = check_draft(pipeline, draft.model_copy(update={"passages": True})).reused or []
                with_passages.append(time.perf_counter() - started)
                quoted = set(quote)
                counts["drafts"] += 1
                counts["reused_hits"] += len(reused)
                counts["reported"] += any(2 * len(quoted & set(h.sentences)) >= len(quoted) for h in reused)
                counts["wire_named"] += any(h.original == wire["grp"] for h in reused)
                parts = (draft_text("\n".join(quote)), draft_text(host["body"]))
                others = [h.id for h in reused if h.original != host["grp"]]
                counts["spurious"] += sum(
                    all(reuse(part, text, loose) is None for part in parts)
                    for text in pipeline.texts.bodies(others).values()
                )
            report["runs"][words] = {**counts, **_times(with_passages, without)}
    return report


def _times(with_passages: list[float], without: list[float]) -> dict[str, float]:
    """Median and p95 in milliseconds (the benchmark's percentile)."""
    return {
        f"ms_p{q}{side}": percentile([t * 1000 for t in times], q)
        for side, times in (("", with_passages), ("_without", without))
        for q in (50, 95)
    }


def format_quote_report(report: Mapping[str, Any]) -> str:
    """Human-readable lines of :func:`evaluate_quotes`."""
    lines = [
        f"quotes: {report['stored']} stored articles, embedder {report['embedder']}, "
        f"wire and host at most {report['gap_days']:g} days apart"
    ]
    for words, run in report["runs"].items():
        n = max(run["drafts"], 1)
        lines.append(
            f"  quote of {words}+ words: {run['drafts']} drafts; reported {run['reported'] / n:.3f}, "
            f"wire named {run['wire_named'] / n:.3f}; {run['reused_hits'] / n:.2f} reused hits per draft, "
            f"{run['spurious']} spurious; check {run['ms_p50']:.1f} ms p50 / {run['ms_p95']:.1f} p95 "
            f"(without passages {run['ms_p50_without']:.1f} / {run['ms_p95_without']:.1f})"
        )
    return "\n".join(lines)
