"""Ingest from files or another data directory (the CLI's `ingest` and `reindex`): batches, a
progress bar, invalid items named by where they came from, and a summary."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError

from service.config import Settings
from service.corpus import CorpusError, RawArticle, read_paths
from service.datadir_lock import DataDirectoryInUse
from service.schemas import ArticleIn


def numbered(paths: Sequence[Path]) -> Iterator[tuple[str, RawArticle]]:
    """Each article with where it came from (``item N of FILE``), for messages about it."""
    for path in paths:
        for number, item in enumerate(read_paths([path]), start=1):
            yield f"item {number} of {path}", item


def _valid(raw: Iterator[tuple[str, RawArticle]], invalid: list[str], rendered: bool) -> Iterator[ArticleIn]:
    """Validated articles; the invalid ones are counted and named, not fatal for a file import.
    ``rendered``: texts stored by Storyline, whose markup was rendered when they came in."""
    for origin, item in raw:
        try:
            yield ArticleIn.model_validate(item, context={"rendered": rendered})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "article"
            name = item.get("id") or item.get("url") if isinstance(item, dict) else None
            invalid.append(f"{origin}{f' ({name})' if name else ''}: {field}: {first['msg']}")


def batches(items: Iterable[ArticleIn], size: int) -> Iterator[list[ArticleIn]]:
    """The articles in lists of ``size`` (the last one shorter)."""
    chunk: list[ArticleIn] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ingest_all(
    settings: Settings,
    items: Iterator[tuple[str, RawArticle]],
    batch_size: int,
    quiet: bool,
    rendered: bool = False,
) -> int:
    """Ingest articles in batches into the data directory, with a progress bar and a summary
    (``rendered``: see :func:`_valid`)."""
    from tqdm import tqdm

    from service.embedder_identity import EmbedderMismatch
    from service.embedding import EmbedderConfigError
    from service.pipeline import Pipeline

    invalid: list[str] = []
    outcome: Counter[str] = Counter()
    started = time.perf_counter()
    try:
        with Pipeline.open(settings) as pipeline, tqdm(unit="art", disable=quiet) as bar:
            for batch in batches(_valid(items, invalid, rendered), batch_size):
                for result in pipeline.ingest(batch):
                    outcome[result.status] += 1
                    if result.status == "created" and result.duplicate:
                        outcome[f"duplicate:{result.duplicate.type}"] += 1
                    if result.new_story:
                        outcome["new_story"] += 1
                bar.update(len(batch))
            stored, stories = pipeline.store.count_articles(), pipeline.store.count_clusters()
    except (CorpusError, DataDirectoryInUse, EmbedderMismatch, EmbedderConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    total = outcome["created"] + outcome["exists"]
    print(
        f"ingested {total} articles in {elapsed:.1f}s ({total / max(elapsed, 1e-9):.0f}/s): "
        f"{outcome['created']} created, {outcome['exists']} already stored, {len(invalid)} invalid skipped"
    )
    dups = {k.split(":", 1)[1]: v for k, v in outcome.items() if k.startswith("duplicate:")}
    print(f"duplicates: {dups or 'none'}; new stories: {outcome['new_story']}")
    print(f"data directory {settings.data_dir}: {stored} articles, {stories} stories")
    for line in invalid[:10]:
        print(f"  invalid: {line}", file=sys.stderr)
    return 0
