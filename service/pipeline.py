"""The ingest pipeline: one entry point for the API, the CLI and the evaluations.

normalize -> duplicate check -> embed + story assignment -> store, for each article of
a batch in order, inside one SQLite transaction. The database is the source of truth:
stages keep in-memory indexes that are rebuilt from it at startup, and reloaded if a
batch fails half-way, so nothing partial survives an error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from service import heap
from service.article_ids import own_ids
from service.article_rows import article_values, write_outcome
from service.batch_texts import BatchTexts
from service.config import Settings
from service.corrections import Corrections
from service.datadir_lock import DataDirectoryLock
from service.documents import DuplicateMatch, PreparedArticle
from service.embedder_identity import check_embedder
from service.outcomes import article_out, repeated, result_from_row, settle
from service.prepare import iso_utc as _iso
from service.prepare import prepare
from service.priority import CheckPriority
from service.schemas import ArticleIn, ArticleOut, DuplicateOut, IngestResult
from service.stages import DuplicateStage, StoryStage
from service.state_lock import StateLock
from service.store import Store, Transaction
from service.timing import StageTimer
from service.verifier import CheckVerifier

log = logging.getLogger(__name__)
_T = TypeVar("_T")
STORY_STATE_KEY = "stories"
# Ingest batches give freed heap pages back at most this often (the next batch re-faults them).
TRIM_INTERVAL_SECONDS = 5.0


class Pipeline(Corrections):
    """Owns the store and the stages; serializes writes, lets reads run alongside."""

    def __init__(
        self,
        settings: Settings,
        texts: BatchTexts,
        dedup: DuplicateStage,
        stories: StoryStage,
        embedder_name: str,
    ) -> None:
        self.settings = settings
        self.store = texts.store
        self.texts = texts
        self.dedup = dedup
        self.stories = stories
        self.embedder_name = embedder_name
        self.timer = StageTimer()
        self._write_lock = threading.Lock()
        # Guards the stages' in-memory state: held per article by writers, shared by checks.
        self.state_lock = StateLock()
        self.priority = CheckPriority(settings.check_priority_ms / 1000.0)  # checks before background work
        self.verifier = (
            CheckVerifier(settings.database_path, settings.dedup, settings.check_workers, texts.pending)
            if settings.check_workers
            else None
        )
        self._last_checkpoint = time.monotonic()
        self._trimmer = heap.Trimmer(TRIM_INTERVAL_SECONDS)
        self._touched: set[int] = set()
        self.lock: DataDirectoryLock | None = None  # set by build(): held while this writes the directory
        # Called after each commit with the ids of the stories it changed (e.g. summary refresh).
        self.on_commit: list[Callable[[set[int]], None]] = []

    @classmethod
    @contextmanager
    def open(cls, settings: Settings) -> Iterator[Pipeline]:
        """Open the data directory, build and load every stage; checkpoint and close on exit."""
        pipeline = cls.build(settings)
        try:
            yield pipeline
        finally:
            pipeline.close()

    @classmethod
    def build(cls, settings: Settings) -> Pipeline:
        from service.clustering import StoryClusterer
        from service.dedup import DuplicateDetector

        stories = StoryClusterer(settings)  # builds the embedder first: a bad model setting touches no file
        lock = DataDirectoryLock(settings.data_dir).acquire()
        store: Store | None = None
        try:
            store = Store(settings.database_path).open()
            texts = BatchTexts(store)
            dedup = DuplicateDetector(settings.dedup, texts.bodies)
            check_embedder(store, stories.embedder, settings.data_dir)
            pipeline = cls(settings, texts, dedup, stories, stories.embedder.name)
            pipeline.lock = lock
            pipeline.load()
        except BaseException:
            if store is not None:
                store.close()
            lock.release()
            raise
        return pipeline

    def load(self) -> None:
        """(Re)build the stages' in-memory state from the database."""
        with self.state_lock:
            started = time.perf_counter()
            self.dedup.load(self.store.dedup_records())
            self.stories.load(self.store, self.store.get_state(STORY_STATE_KEY))
            log.info("stages loaded in %.2fs", time.perf_counter() - started)
        self._trimmer.release()  # a rebuild frees every row and array it read

    def close(self) -> None:
        if self.verifier is not None:
            self.verifier.close()
        with self._write_lock:
            self.checkpoint()
            self.store.close()
        if self.lock is not None:
            self.lock.release()

    def checkpoint(self) -> None:
        """Persist stage state (FAISS file, story state); the database already holds every article.

        Callers hold the write lock, so nothing changes meanwhile: the state lock is taken shared,
        and checks go on while the (second-long, at 100k) snapshot is written."""
        with self.state_lock.reading():
            self.stories.save()
            state = self.stories.state()
            with self.store.transaction() as tx:
                tx.put_state(STORY_STATE_KEY, state)
        self._last_checkpoint = time.monotonic()
        self._trimmer.release()  # the serialized state is garbage now

    # -- writes --------------------------------------------------------------------------

    def ingest(self, articles: Sequence[ArticleIn]) -> list[IngestResult]:
        """Process a validated batch in order; everything is committed before returning."""
        received = datetime.now(UTC)
        with self.timer.stage("normalize"):
            prepared = [prepare(a, received) for a in articles]
        with self._write_lock:
            batch: dict[str, IngestResult] = {}
            # One lookup of the already stored ids serves the derived ids, the embedding and the
            # "exists" answers.
            prepared, stored = own_ids(prepared, self.store.articles)
            self._embed_ahead(prepared, stored)

            def write(tx: Transaction) -> tuple[list[IngestResult], float]:
                results = []
                for doc in prepared:
                    self.priority.step_aside()  # between articles, checks go first
                    results.append(self._ingest_one(tx, doc, batch, stored))
                return results, time.perf_counter()

            results, commit_started = self._commit(write)
            self.timer.add("store", time.perf_counter() - commit_started)
            # an id repeated in the batch answers as its first occurrence ended (later articles
            # may have moved, re-phased or re-pointed it since)
            results = [
                repeated(batch[r.id]) if r.status == "exists" and r.id in batch else r for r in results
            ]
            self._after_commit()
        return results

    def _ingest_one(
        self,
        tx: Transaction,
        doc: PreparedArticle,
        batch: dict[str, IngestResult],
        stored: Mapping[str, Any],
        reopen: int | None = None,
    ) -> IngestResult:
        """Place and store one new article (``reopen``: the story id to use should it open one)."""
        if doc.id in batch:
            return repeated(batch[doc.id])  # brought up to date once the batch is done
        if doc.id in stored:
            return result_from_row(stored[doc.id], self.store.survivor)
        now = _iso(doc.received_at)
        with self.timer.stage("dedup"):
            signature = self.dedup.signature(doc)  # hashing only: no lock, as for a check
        # Reading first, with the lock shared: checks wait only for the changes that follow.
        # This thread is the only writer (write lock), so nothing changes in between.
        with self.state_lock.reading(), self.timer.stage("assign"):
            planned = self.stories.plan(doc)
        with self.state_lock:
            with self.timer.stage("dedup"):
                self.texts.hold(doc.id, doc.body_norm)
                decision = self.dedup.add(doc, signature)
                regrouped = self.stories.regroup(decision.changed)
            duplicate = decision.changed.get(doc.id)
            with self.timer.stage("store"):
                seq = tx.insert_article(article_values(doc, signature, decision.edge))
            with self.timer.stage("assign"):
                copies = {
                    i: m.score for i, m in decision.changed.items() if m and m.of == doc.id and i != doc.id
                }
                assignment = self.stories.assign(doc, seq, duplicate, planned, reopen, copies)
                assignment.touched_clusters |= regrouped  # their duplicate counts changed
        settle(batch, assignment, decision.changed)
        if duplicate is None and assignment.semantic is not None:
            semantic = self._semantic_original(assignment.semantic)
            # an original arriving after its copies is closest to them, whose group it now leads
            duplicate = semantic if semantic.of != doc.id else None
        with self.timer.stage("store"):
            links = self.dedup.links(decision.changed)
            self._touched.update(
                write_outcome(tx, doc.id, now, duplicate, decision.changed, assignment, links)
            )
        result = IngestResult(
            id=doc.id,
            status="created",
            cluster_id=assignment.cluster_id,
            phase=assignment.phase,  # type: ignore[arg-type]
            duplicate=DuplicateOut.from_match(duplicate),
            new_story=assignment.new_story,
        )
        batch[doc.id] = result
        return result

    def _embed_ahead(self, prepared: Sequence[PreparedArticle], stored: Mapping[str, Any]) -> None:
        """Embed and search the batch's new articles at once (a model encodes batches far faster,
        and FAISS searches them as one matrix product)."""
        fresh: dict[str, PreparedArticle] = {}
        for doc in prepared:
            if doc.id not in stored:
                fresh.setdefault(doc.id, doc)
        if fresh:
            # Without the state lock: embedding only reads corpus statistics, which change only
            # under the write lock held here, so readers (duplicate checks) need not wait for it.
            with self.timer.stage("prepare"):
                self.stories.prepare(list(fresh.values()))

    def _notify(self) -> None:
        """Tell the commit listeners which stories changed."""
        touched, self._touched = self._touched, set()
        if touched:
            for listener in self.on_commit:
                listener(touched)

    def _semantic_original(self, match: DuplicateMatch) -> DuplicateMatch:
        """Point a semantic duplicate at the original of the matched article's copy group."""
        status = self.dedup.status(match.of)
        return DuplicateMatch("semantic", status.of if status else match.of, match.score)

    def _commit(self, write: Callable[[Transaction], _T]) -> _T:
        """``write(tx)`` in one transaction. When anything fails the database rolls back and the
        stages are rebuilt from it, so memory never holds what the store does not."""
        try:
            with self.store.transaction() as tx:
                return write(tx)
        except BaseException:
            log.exception("write failed; reloading stages from the database")
            self._touched.clear()
            self.load()
            raise
        finally:
            self.texts.release()

    def _after_commit(self) -> None:
        """Tell the listeners, checkpoint when due, and hand freed memory back."""
        self._notify()
        if time.monotonic() - self._last_checkpoint > self.settings.checkpoint_seconds:
            self.checkpoint()
        # The batch's temporaries are freed by now; glibc keeps their pages unless asked.
        self._trimmer.release_if_due()

    # -- reads ---------------------------------------------------------------------------

    def article(self, article_id: str) -> ArticleOut | None:
        row = self.store.article(article_id)
        return article_out(row, self.store.survivor) if row else None

    def duplicate_group(self, article_id: str) -> list[str]:
        """Ids of the article's duplicate group, original first (just the article when alone)."""
        with self.state_lock.reading():
            return self.dedup.group(article_id)
