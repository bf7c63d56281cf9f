"""Story clustering and phase evaluation: the whole corpus through the real pipeline.

Every article of the corpus is ingested in time order (``published_at``, then id) into a
fresh data directory; then each labelled article's *final* story and phase are read back
with ``pipeline.article(id)`` (merges and phase recomputation happen after ingest).
Clusters are restricted to the labelled articles and scored with B-cubed
precision/recall/F1, pairwise F1 and the adjusted Rand index, in total and per labelled
story (B-cubed of that story's articles), plus the macro average over stories. Phase
accuracy leaves out the gold phase ``other`` (opinion/analysis), which the service does
not produce; the confusion matrix still shows those articles.
"""

from __future__ import annotations

import csv
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sklearn.metrics import adjusted_rand_score

from service.config import Settings
from service.corpus import read_path, time_ordered
from service.documents import PHASES
from service.schemas import ArticleIn

BATCH = 200


def read_story_labels(labels_csv: Path) -> dict[str, dict[str, str]]:
    """Labelled articles by url: ``story_id`` and ``phase``."""
    with labels_csv.open(encoding="utf-8", newline="") as handle:
        return {
            row["url"]: {"story": row["story_id"], "phase": row["phase"]} for row in csv.DictReader(handle)
        }


def bcubed(gold: Mapping[str, str], predicted: Mapping[str, object]) -> dict[str, dict[str, float]]:
    """Per-article B-cubed precision and recall (restricted to the gold articles)."""
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_pred: dict[object, set[str]] = defaultdict(set)
    for article_id, story in gold.items():
        by_gold[story].add(article_id)
        by_pred[predicted[article_id]].add(article_id)
    scores = {}
    for article_id, story in gold.items():
        cluster = by_pred[predicted[article_id]]
        both = len(cluster & by_gold[story])
        scores[article_id] = {"p": both / len(cluster), "r": both / len(by_gold[story])}
    return scores


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def pairwise_f1(gold: Mapping[str, str], predicted: Mapping[str, object]) -> float:
    """F1 over article pairs put together (by gold and by the system)."""
    pairs_gold = sum(n * (n - 1) // 2 for n in Counter(gold.values()).values())
    pairs_pred = sum(n * (n - 1) // 2 for n in Counter(predicted[i] for i in gold).values())
    both = sum(n * (n - 1) // 2 for n in Counter((gold[i], predicted[i]) for i in gold).values())
    return _f1(both / pairs_pred if pairs_pred else 0.0, both / pairs_gold if pairs_gold else 0.0)


def stream_corpus(corpus: Path) -> Iterator[list[ArticleIn]]:
    """The corpus's valid articles in time order, in batches of ``BATCH``."""
    batch: list[ArticleIn] = []
    for raw in time_ordered(read_path(corpus)):
        try:
            batch.append(ArticleIn.model_validate(raw))
        except ValidationError:
            continue
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _summary(
    ids: list[str],
    gold: Mapping[str, str],
    pred: Mapping[str, object],
    b3: Mapping[str, dict[str, float]],
    phases: Mapping[str, dict[str, str | None]],
) -> dict[str, Any]:
    p = sum(b3[i]["p"] for i in ids) / len(ids)
    r = sum(b3[i]["r"] for i in ids) / len(ids)
    judged = [i for i in ids if phases[i]["gold"] != "other"]
    correct = sum(phases[i]["gold"] == phases[i]["pred"] for i in judged)
    return {
        "articles": len(ids),
        "clusters": len({pred[i] for i in ids}),
        "bcubed_p": p,
        "bcubed_r": r,
        "bcubed_f1": _f1(p, r),
        "phase_accuracy": correct / len(judged) if judged else None,
        "phase_judged": len(judged),
    }


def story_shape(conn: sqlite3.Connection, window_days: float) -> dict[str, Any]:
    """How the whole corpus was split: story count, largest stories, sprawling stories.

    The labels judge a few stories; this shows what a dashboard would list. Stories that
    grew far beyond any real event (thousands of articles, weeks long) show up here.
    """
    rows = conn.execute(
        "SELECT COUNT(*), (MAX(published_ts) - MIN(published_ts)) / 86400.0 FROM articles "
        "WHERE cluster_id IS NOT NULL GROUP BY cluster_id"
    ).fetchall()
    sizes = sorted((n for n, _ in rows), reverse=True)
    total = sum(sizes) or 1
    return {
        "stories": len(rows),
        "singletons": sum(1 for n in sizes if n == 1),
        "largest": sizes[:5],
        "in_stories_over_200": sum(n for n in sizes if n > 200) / total,
        "in_stories_longer_than_window": sum(n for n, span in rows if span > window_days) / total,
    }


def evaluate_stories(
    labels_csv: Path, corpus: Path, settings: Settings, data_dir: Path | None = None
) -> dict[str, Any]:
    """Stream the corpus through a fresh pipeline and score the labelled articles.

    The store is built in ``data_dir`` when given (kept for inspection; it must not hold
    a store yet), else in a temporary directory.
    """
    from service.pipeline import Pipeline

    if data_dir is not None and data_dir.exists() and any(data_dir.iterdir()):
        raise ValueError(f"evaluation directory {data_dir} is not empty; give a new or empty directory")
    labels = read_story_labels(labels_csv)
    with tempfile.TemporaryDirectory(prefix="storyline-eval-") as tmp:
        run_settings = settings.model_copy(update={"data_dir": data_dir or Path(tmp)})
        started, count = time.perf_counter(), 0
        with Pipeline.open(run_settings) as pipeline:
            for batch in stream_corpus(corpus):
                pipeline.ingest(batch)
                count += len(batch)
            elapsed = time.perf_counter() - started
            outcomes = {i: pipeline.article(i) for i in labels}
            shape = story_shape(pipeline.store.reader(), settings.stories.window_days)
    found = {i: o for i, o in outcomes.items() if o is not None and o.cluster_id is not None}
    gold = {i: labels[i]["story"] for i in found}
    pred: dict[str, object] = {i: found[i].cluster_id for i in found}
    phases = {i: {"gold": labels[i]["phase"], "pred": found[i].phase} for i in found}
    b3 = bcubed(gold, pred)
    ids = sorted(gold)
    total = _summary(ids, gold, pred, b3, phases)
    total.update(
        pairwise_f1=pairwise_f1(gold, pred),
        ari=adjusted_rand_score([gold[i] for i in ids], [str(pred[i]) for i in ids]),
    )
    per_story = {
        s: _summary([i for i in ids if gold[i] == s], gold, pred, b3, phases)
        for s in sorted(set(gold.values()), key=lambda s: (-list(gold.values()).count(s), s))
    }
    macro = {
        k: sum(v[k] for v in per_story.values()) / len(per_story)
        for k in ("bcubed_p", "bcubed_r", "bcubed_f1")
    }
    with_phase = [v["phase_accuracy"] for v in per_story.values() if v["phase_accuracy"] is not None]
    macro["phase_accuracy"] = sum(with_phase) / len(with_phase) if with_phase else 0.0
    confusion = {
        g: Counter(phases[i]["pred"] for i in ids if phases[i]["gold"] == g) for g in (*PHASES, "other")
    }
    return {
        "corpus_articles": count,
        "labelled": len(labels),
        "scored": len(ids),
        "seconds": elapsed,
        "throughput": count / elapsed if elapsed else 0.0,
        "total": total,
        "macro": macro,
        "per_story": per_story,
        "phase_confusion": {g: dict(c) for g, c in confusion.items()},
        "shape": shape,
        "embedder": settings.embedder,
    }


def format_story_report(report: Mapping[str, Any]) -> str:
    """Human-readable tables of :func:`evaluate_stories`."""
    t, m, sh = report["total"], report["macro"], report["shape"]
    lines = [
        f"stories: {report['corpus_articles']} articles streamed in {report['seconds']:.0f}s "
        f"({report['throughput']:.0f} articles/s, embedder {report['embedder']}); "
        f"{report['scored']}/{report['labelled']} labelled articles scored",
        f"total: B-cubed P {t['bcubed_p']:.3f} R {t['bcubed_r']:.3f} F1 {t['bcubed_f1']:.3f} | "
        f"pairwise F1 {t['pairwise_f1']:.3f} | ARI {t['ari']:.3f} | phase accuracy {t['phase_accuracy']:.3f} "
        f"({t['phase_judged']} articles; gold `other` excluded)",
        f"macro over {len(report['per_story'])} stories: B-cubed P {m['bcubed_p']:.3f} R {m['bcubed_r']:.3f} "
        f"F1 {m['bcubed_f1']:.3f} | phase accuracy {m['phase_accuracy']:.3f}",
        f"corpus: {sh['stories']} stories ({sh['singletons']} single articles), largest {sh['largest']}; "
        f"share of articles in stories of > 200 articles {sh['in_stories_over_200']:.2f}, "
        f"in stories spanning more than the window {sh['in_stories_longer_than_window']:.2f}",
        "",
        "| story | n | clusters | B3 P | B3 R | B3 F1 | phase acc |",
        "|---|---|---|---|---|---|---|",
    ]
    for story, s in report["per_story"].items():
        acc = "-" if s["phase_accuracy"] is None else f"{s['phase_accuracy']:.2f}"
        lines.append(
            f"| {story} | {s['articles']} | {s['clusters']} | {s['bcubed_p']:.3f} | {s['bcubed_r']:.3f} "
            f"| {s['bcubed_f1']:.3f} | {acc} |"
        )
    lines += [
        "",
        "phase confusion (rows gold, columns predicted):",
        "| gold | " + " | ".join(PHASES) + " |",
        "|---|" + "---|" * len(PHASES),
    ]
    for gold_phase, row in report["phase_confusion"].items():
        lines.append(f"| {gold_phase} | " + " | ".join(str(row.get(p, 0)) for p in PHASES) + " |")
    return "\n".join(lines)
