"""The pipeline's state lock: shared readers, exclusive re-entrant writers, fair hand-over."""

from __future__ import annotations

import threading
import time

import pytest

from service.state_lock import StateLock

WAIT = 5.0  # seconds a test waits for another thread before failing


def _start(target: object) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread


def test_readers_share_the_lock_and_a_writer_waits_for_them() -> None:
    lock, inside, release = StateLock(), threading.Barrier(3), threading.Event()
    events: list[str] = []

    def reader() -> None:
        with lock.reading():
            inside.wait(WAIT)  # both readers are inside at once
            release.wait(WAIT)

    readers = [_start(reader), _start(reader)]
    inside.wait(WAIT)

    def writer() -> None:
        with lock:
            events.append("writer")

    writing = _start(writer)
    time.sleep(0.05)
    assert events == []  # held back by the readers
    release.set()
    for thread in [*readers, writing]:
        thread.join(WAIT)
    assert events == ["writer"]


def test_a_writer_is_exclusive_and_reentrant() -> None:
    lock, entered = StateLock(), threading.Event()

    def reader() -> None:
        with lock.reading():
            entered.set()

    with lock, lock:  # re-entry by the writing thread does not deadlock
        reading = _start(reader)
        assert not entered.wait(0.05)
    assert entered.wait(WAIT)
    reading.join(WAIT)


def test_a_queued_reader_goes_before_the_writer_takes_the_lock_again() -> None:
    """A writer releasing and re-taking the lock at once (the ingest, article after article)
    lets a reader that queued meanwhile in between: it waits for one section, not for all."""
    lock, stop, sections = StateLock(), threading.Event(), [0]

    def ingest() -> None:
        while not stop.is_set():
            with lock:
                sections[0] += 1
                time.sleep(0.002)

    writing = _start(ingest)
    waited = []
    for _ in range(20):
        before = sections[0]
        with lock.reading():
            waited.append(sections[0] - before)
    stop.set()
    writing.join(WAIT)
    assert max(waited) <= 1


def test_a_waiting_writer_holds_back_readers_that_arrive_after_it() -> None:
    lock, first_in, release, order = StateLock(), threading.Event(), threading.Event(), []

    def first() -> None:
        with lock.reading():
            first_in.set()
            release.wait(WAIT)

    def writer() -> None:
        with lock:
            order.append("writer")

    def late_reader() -> None:
        with lock.reading():
            order.append("late reader")

    threads = [_start(first)]
    first_in.wait(WAIT)
    threads.append(_start(writer))
    time.sleep(0.05)
    threads.append(_start(late_reader))
    time.sleep(0.05)
    assert order == []
    release.set()
    for thread in threads:
        thread.join(WAIT)
    assert order == ["writer", "late reader"]


def test_releasing_from_another_thread_is_an_error() -> None:
    lock = StateLock()
    lock.__enter__()
    failure: list[BaseException] = []

    def other() -> None:
        try:
            lock.__exit__(None, None, None)
        except RuntimeError as exc:
            failure.append(exc)

    _start(other).join(WAIT)
    assert failure and "does not hold it" in str(failure[0])
    lock.__exit__(None, None, None)
    with pytest.raises(RuntimeError):
        lock.__exit__(None, None, None)


def test_the_writer_reads_within_its_section_and_others_still_wait() -> None:
    """A correction removes and re-adds an article in one exclusive section, with shared reads in
    between: they must not wait for the section itself, while other readers do."""
    lock, seen = StateLock(), []

    def other_reader() -> None:
        with lock.reading():
            seen.append("other")

    with lock:
        with lock.reading():  # would wait for itself forever if not re-entrant
            seen.append("writer read")
        reader = _start(other_reader)
        time.sleep(0.05)
        assert seen == ["writer read"]  # the other reader waits for the section
    reader.join(WAIT)
    assert seen == ["writer read", "other"]
