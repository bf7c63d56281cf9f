"""Copy a data directory's articles into another, for a new embedder or new settings.

Vectors, duplicate edges and stories are derived from the articles, so the copy re-ingests the
stored articles (as received: source, title, body, url, time, language) in their arrival order,
and everything derived is computed afresh by the target's pipeline. The source is only read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from service.config import Settings
from service.corpus import RawArticle

COLUMNS = ("id", "source", "title", "body", "url", "published_at", "language")


class ReindexError(ValueError):
    """The source cannot be copied (missing, or the target itself)."""


def stored_articles(source_dir: Path, target: Settings) -> Iterator[RawArticle]:
    """The source directory's articles in arrival order, as ``POST /ingest`` would take them.

    Checked now (not at the first article), so a bad source fails before the target is opened."""
    database = Settings(data_dir=source_dir).database_path
    if not database.is_file():
        raise ReindexError(
            f"{source_dir} holds no Storyline database ({database.name}); give the old data directory"
        )
    if source_dir.resolve() == target.data_dir.resolve():
        raise ReindexError(f"{source_dir} is the target itself; give the copy another --data-dir")
    return _rows(database)


def _rows(database: Path) -> Iterator[RawArticle]:
    conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM articles ORDER BY seq"):
            yield {key: value for key, value in zip(COLUMNS, row, strict=True) if value is not None}
    finally:
        conn.close()
