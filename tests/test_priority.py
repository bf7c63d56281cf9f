"""Check priority: background work waits while checks run, never longer than its bound."""

from __future__ import annotations

import threading
import time

from service.priority import CheckPriority

WAIT = 5.0


def test_without_checks_background_work_does_not_wait() -> None:
    priority = CheckPriority(max_wait=1.0)
    started = time.monotonic()
    priority.step_aside()
    assert time.monotonic() - started < 0.05 and priority.waited == 0.0


def test_background_work_resumes_when_the_last_check_ends() -> None:
    priority, inside, finish = CheckPriority(max_wait=WAIT), threading.Event(), threading.Event()

    def check() -> None:
        with priority.check():
            inside.set()
            finish.wait(WAIT)

    checks = [threading.Thread(target=check, daemon=True) for _ in range(2)]
    for thread in checks:
        thread.start()
    inside.wait(WAIT)
    resumed = threading.Event()
    background = threading.Thread(target=lambda: (priority.step_aside(), resumed.set()), daemon=True)
    background.start()
    assert not resumed.wait(0.1)  # held while checks run
    finish.set()
    assert resumed.wait(WAIT)
    assert 0.1 <= priority.waited < WAIT


def test_the_wait_is_bounded_and_zero_turns_priority_off() -> None:
    for max_wait, least, most in ((0.05, 0.04, 1.0), (0.0, 0.0, 0.02)):
        priority = CheckPriority(max_wait=max_wait)
        with priority.check():
            started = time.monotonic()
            priority.step_aside()  # the check outlasts the bound
            assert least <= time.monotonic() - started < most
