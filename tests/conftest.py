"""Shared fixtures: a temporary data directory, the app over it, the seed articles, story views."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from service.app import create_app
from service.config import PROJECT_ROOT, Settings
from service.corpus import read_seeds
from service.store import Store
from service.stories import StoryViews
from tests.story_room import Newsroom

SEEDS_DIR = PROJECT_ROOT / "seeds"

# Property tests draw the same examples on every run and machine (a failure reproduces; CI cannot
# flake on a rare draw); HYPOTHESIS_PROFILE=explore draws new ones when hunting for bugs.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over a fresh temporary data directory, seeds not loaded."""
    return Settings(data_dir=tmp_path / "data", load_seeds=False, checkpoint_seconds=0)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def seeds() -> list[dict[str, Any]]:
    """The five seed articles as API payloads (ids are the file stems)."""
    return [{k: v for k, v in a.items() if v is not None} for a in read_seeds(SEEDS_DIR)]


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Newsroom]:
    """Story views over a fresh store, and a newsroom writing to it."""
    store = Store(tmp_path / "db.sqlite3").open()
    views = StoryViews(store).start()
    yield Newsroom(store, views)
    views.stop()
    store.close()


def crash(pipeline: Any) -> None:
    """What a killed process leaves: committed rows, no checkpoint of the derived state, and its
    data-directory lock dropped (the kernel releases a dead process's ``flock``)."""
    if pipeline.verifier is not None:
        pipeline.verifier.close()
    pipeline.store.close()
    pipeline.lock.release()


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the one error shape with this status; returns its ``error`` object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


WIRE = (
    "The central bank raised its main interest rate by a quarter point on Thursday, citing "
    "persistent inflation in housing and services, and signalled that further increases remain "
    "possible if prices do not cool over the coming months, according to a statement."
)


def copy_and_original(
    copy_id: str,
    original_id: str,
    day: str = "2024-03-04",
    copy_source: str = "b",
    original_source: str = "a",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same wire text twice: a copy published at noon and its original four hours earlier,
    for tests where the copy arrives first."""
    copy = {"id": copy_id, "source": copy_source, "body": WIRE, "published_at": f"{day}T12:00:00Z"}
    original = {
        "id": original_id,
        "source": original_source,
        "body": WIRE,
        "published_at": f"{day}T08:00:00Z",
    }
    return copy, original
