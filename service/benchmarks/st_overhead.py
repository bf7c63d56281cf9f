"""Service overhead with a sentence-transformers embedder: ingest time vs raw ``encode`` on the same texts.

For each repeat a new chunk of articles is encoded raw (a separate model instance, the same
batch size and the same text the embedder builds: title, newline, body, cut to its limit) and
then ingested through the pipeline configured with that model. The overhead is
``ingest seconds / encode seconds - 1``. Both sides are warmed on other articles first.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from service.benchmarks.corpus_variants import Article
from service.benchmarks.inprocess import validate
from service.config import Settings
from service.pipeline import Pipeline

log = logging.getLogger(__name__)


def _text(article: Article, max_chars: int) -> str:
    return f"{article.get('title') or ''}\n{article['body']}"[:max_chars]


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
            texts = [_text(a, max_chars) for a in chunk]
            started = time.perf_counter()
            raw_model.encode(
                texts,
                batch_size=settings.embedding_batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            raw_s = time.perf_counter() - started
            batches = [validate(chunk[i : i + batch]) for i in range(0, len(chunk), batch)]
            started = time.perf_counter()
            for items in batches:
                pipeline.ingest(items)
            service_s = time.perf_counter() - started
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
