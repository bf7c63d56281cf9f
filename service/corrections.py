"""Corrections and deletions of stored articles, on the pipeline's write path.

A correction (``PUT /articles/{id}``) removes the old version and ingests the new one in one
transaction and one exclusive section of the state lock, so a failure keeps the old version and
a check sees the old version or the new one, never neither. A deletion removes the article from
the store and every stage; articles it was the original of are re-pointed, ``semantic`` statuses
naming it cleared.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from service.article_rows import holds, write_removal
from service.outcomes import result_from_row
from service.prepare import iso_utc, prepare
from service.schemas import ArticleIn, IngestResult, ReplaceResult
from service.stages import DuplicateStage, StoryStage
from service.state_lock import StateLock
from service.store import Store, Transaction


class Corrections:
    """``replace`` and ``delete`` for :class:`service.pipeline.Pipeline` (which owns the attributes
    and the write path: ``_commit``, ``_ingest_one``, ``_after_commit``)."""

    store: Store
    dedup: DuplicateStage
    stories: StoryStage
    state_lock: StateLock
    _write_lock: threading.Lock
    _touched: set[int]
    # the pipeline's write path (its methods)
    _commit: Callable[[Callable[[Transaction], Any]], Any]
    _after_commit: Callable[[], None]
    _ingest_one: Callable[..., IngestResult]

    def replace(self, article: ArticleIn) -> ReplaceResult:
        """Store ``article`` in place of the stored article of its id (a correction), or as a new
        one (``created``). The old version's removal and the new one's ingest commit together, so
        a failure keeps the old version. Without ``published_at`` the old version's is kept; the
        same article again changes nothing and answers ``exists``."""
        with self._write_lock:
            row = self.store.article(str(article.id))
            if row is not None and article.published_at is None:
                article = article.model_copy(
                    update={"published_at": datetime.fromisoformat(row["published_at"])}
                )
            doc = prepare(article, datetime.now(UTC))
            if row is not None and holds(row, doc):
                return ReplaceResult.model_validate(result_from_row(row, self.store.survivor).model_dump())

            def write(tx: Transaction) -> IngestResult:
                # one exclusive section: a check sees the old version or the new one, never neither
                with self.state_lock:
                    if row is not None:
                        self._remove(tx, row)
                    # alone in its story, the article keeps the story's id should it be alone again
                    return self._ingest_one(tx, doc, {}, {}, row["cluster_id"] if row is not None else None)

            result = self._commit(write)
            self._after_commit()
        return ReplaceResult.model_validate(
            {**result.model_dump(), "status": "replaced" if row else "created"}
        )

    def delete(self, article_id: str) -> bool:
        """Remove an article from the store and every index; False when unknown."""
        with self._write_lock:
            row = self.store.article(article_id)
            if row is None:
                return False
            self._commit(lambda tx: self._remove(tx, row))
            self._after_commit()
            return True

    def _remove(self, tx: Transaction, row: Any) -> None:
        """Remove a stored article (its row given) from every stage and the store."""
        with self.state_lock:
            changed = self.dedup.remove(row["id"])
            regrouped = self.stories.regroup(changed)
            change = self.stories.remove(row["id"], row["features"])
            if change is not None:
                change.touched_clusters |= regrouped
            tx.delete_article(row["id"])
            cluster_id = None if row["cluster_id"] is None else int(row["cluster_id"])
            now = iso_utc(datetime.now(UTC))
            links = self.dedup.links(changed)
            self._touched.update(write_removal(tx, now, row["id"], changed, change, cluster_id, links))
