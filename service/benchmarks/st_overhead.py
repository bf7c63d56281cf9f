"""Service overhead with a sentence-transformers embedder: ingest time vs raw ``encode`` on the same texts.

Each repeat takes a new chunk of articles and goes through it one ingest batch at a time:
the batch is encoded raw (a separate model instance, the same batch size and the same text
the embedder builds: title, newline, body, cut to its limit) and ingested through the
pipeline configured with that model, the two in alternating order. Interleaving by batch
keeps a change in the host's load (seconds long) from falling on one side only, and both
sides encode the same groups of texts. The overhead is ``ingest seconds / encode seconds - 1``
over the chunk. Both sides are warmed on other articles first.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from service.benchmarks.corpus_variants import Article
from service.benchmarks.inprocess import validate
from service.config import Settings
from service.pipeline import Pipeline

log = logging.getLogger(__name__)


def _text(article: Article, max_chars: int) -> str:
    return f"{article.get('title') or ''}\n{article['body']}"[:max_chars]


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def st_overhead(
    model: str, articles: Sequence[Article], repeats: int, data_dir: Path, batch: int, warm_count: int
) -> list[dict[str, float]]:
    """Per repeat: raw encode texts/s, service ingest articles/s, overhead in percent."""
    from sentence_transformers import SentenceTransformer

    from service.model_embedding import SentenceTransformerEmbedder, resolve_model

    settings = Settings(
        data_dir=data_dir, embedder="sentence-transformers", embedding_model=model, load_seeds=False
    )
    raw_model = SentenceTransformer(resolve_model(model), device="cpu")
    max_chars = int(inspect.signature(SentenceTransformerEmbedder).parameters["max_chars"].default)
    warm, rest = list(articles[:warm_count]), list(articles[warm_count:])
    size = max(1, len(rest) // repeats)
    chunks = [rest[i * size : (i + 1) * size] for i in range(repeats)]
    out: list[dict[str, float]] = []
    raw_model.encode([_text(a, max_chars) for a in warm], batch_size=settings.embedding_batch_size)
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest(validate(warm))
        for chunk in chunks:
            raw_s = service_s = 0.0
            for number, start in enumerate(range(0, len(chunk), batch)):
                part = chunk[start : start + batch]
                encode = partial(
                    raw_model.encode,
                    [_text(a, max_chars) for a in part],
                    batch_size=settings.embedding_batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                )
                ingest = partial(pipeline.ingest, validate(part))
                if number % 2:  # alternate which side goes first: neither always meets warmer caches
                    service_s += _timed(ingest)
                    raw_s += _timed(encode)
                else:
                    raw_s += _timed(encode)
                    service_s += _timed(ingest)
            log.info(
                "sentence-transformers: encode %.1fs, ingest %.1fs for %d texts", raw_s, service_s, len(chunk)
            )
            out.append(
                {
                    "raw_per_s": len(chunk) / raw_s,
                    "service_per_s": len(chunk) / service_s,
                    "overhead_pct": 100.0 * (service_s / raw_s - 1.0),
                }
            )
    return out
