"""One writer per data directory, across processes; a killed holder leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.config import Settings
from service.datadir_lock import LOCK_NAME, DataDirectoryInUse, DataDirectoryLock
from service.pipeline import Pipeline

HOLD = (
    "import sys, time; from pathlib import Path; from service.datadir_lock import DataDirectoryLock; "
    "lock = DataDirectoryLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)"
)


def _holder(data_dir: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data_dir)], stdout=subprocess.PIPE, text=True, cwd=Path.cwd()
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_holder_is_refused_with_the_directory_and_the_holder(tmp_path: Path) -> None:
    first = DataDirectoryLock(tmp_path).acquire()
    with pytest.raises(DataDirectoryInUse) as refused:
        DataDirectoryLock(tmp_path).acquire()
    message = str(refused.value)
    assert str(tmp_path) in message and f"process {os.getpid()}" in message and "--data-dir" in message
    first.release()
    DataDirectoryLock(tmp_path).acquire().release()  # free again once released


def test_check_leaves_the_lock_free(tmp_path: Path) -> None:
    DataDirectoryLock.check(tmp_path / "never-created")
    assert not (tmp_path / "never-created").exists()  # checking creates nothing
    DataDirectoryLock.check(tmp_path)
    DataDirectoryLock(tmp_path).acquire().release()


def test_another_process_blocks_a_pipeline_until_it_is_killed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", load_seeds=False)
    holder = _holder(settings.data_dir)
    try:
        with pytest.raises(DataDirectoryInUse, match=f"process {holder.pid}"):
            Pipeline.build(settings)
        assert not settings.database_path.exists()  # refused before the store was opened
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 5
    while True:  # the kernel drops a dead process's lock; nothing stale is left to clean up
        try:
            with Pipeline.open(settings) as pipeline:
                assert pipeline.store.count_articles() == 0
            break
        except DataDirectoryInUse:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert (settings.data_dir / LOCK_NAME).is_file()


def test_a_pipeline_holds_the_lock_until_closed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", load_seeds=False)
    with Pipeline.open(settings), pytest.raises(DataDirectoryInUse):
        DataDirectoryLock(settings.data_dir).acquire()
    DataDirectoryLock(settings.data_dir).acquire().release()
