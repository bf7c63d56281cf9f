"""The command line: ingest from files, its messages, and refusing a data directory in use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from service.config import Settings
from service.pipeline import Pipeline
from tests.conftest import SEEDS_DIR


def _jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    return path


def test_ingest_stores_a_file_and_names_invalid_items(
    tmp_path: Path, seeds: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    broken = {"id": "no-body", "source": "wire", "title": "A title without a body"}
    source = _jsonl(tmp_path / "feed.jsonl", [seeds[0], broken, seeds[1]])
    data = tmp_path / "data"
    assert main(["ingest", str(source), "--data-dir", str(data), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "2 created, 0 already stored, 1 invalid skipped" in out
    assert f"invalid: item 2 of {source} (no-body): body: Field required" in err
    assert main(["ingest", str(source), "--data-dir", str(data), "--quiet"]) == 0
    assert "0 created, 2 already stored" in capsys.readouterr().out


def test_ingest_of_a_missing_path_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    assert main(["ingest", str(tmp_path / "typo.jsonl"), "--data-dir", str(data), "--quiet"]) == 2
    assert "no such file or folder" in capsys.readouterr().err and not data.exists()


def test_ingest_and_serve_refuse_a_data_directory_in_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two writers would hand out the same story ids and mix their stories."""
    settings = Settings(data_dir=tmp_path / "data", load_seeds=False)
    with Pipeline.open(settings) as pipeline:
        assert main(["ingest", str(SEEDS_DIR), "--data-dir", str(settings.data_dir), "--quiet"]) == 2
        assert "is in use by process" in capsys.readouterr().err
        assert main(["serve", "--data-dir", str(settings.data_dir), "--port", "1"]) == 2
        assert "is in use by process" in capsys.readouterr().err
        assert pipeline.store.count_articles() == 0
    assert main(["ingest", str(SEEDS_DIR), "--data-dir", str(settings.data_dir), "--quiet"]) == 0
    assert "5 created" in capsys.readouterr().out


def test_settings_lists_every_variable_with_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    for line in (
        "STORYLINE_DATA_DIR=data",
        "STORYLINE_DEDUP__CHECK_LIMIT=10",
        "STORYLINE_STORIES__JOIN_THRESHOLD=0.22",
    ):
        assert line in out.splitlines()
    listed = [line.split("=", 1)[0] for line in out.splitlines() if line.startswith("STORYLINE_")]
    nested = sum(len(type(group).model_fields) for group in (Settings().dedup, Settings().stories))
    assert len(listed) == len(set(listed)) == len(Settings.model_fields) - 2 + nested
    assert all(description.strip() for description in out.splitlines()[1::2])


def test_commands_refuse_a_model_setting_that_names_no_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STORYLINE_EMBEDDER", "sentence-transformers")
    monkeypatch.setenv("STORYLINE_EMBEDDING_MODEL", "models/no-such-model")
    data = tmp_path / "data"
    assert main(["serve", "--data-dir", str(data), "--port", "1"]) == 2
    assert "no such model directory" in capsys.readouterr().err
    assert main(["ingest", str(SEEDS_DIR), "--data-dir", str(data), "--quiet"]) == 2
    assert "models import" in capsys.readouterr().err
    assert not data.exists()  # refused before the data directory was touched


def test_reindex_keeps_stored_text_as_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stored body is already rendered: `&lt;b&gt;` came in and `<b>` was stored; a copy renders
    nothing again."""
    body = "The minister said &lt;b&gt;no&lt;/b&gt; to the proposal on Tuesday after a long debate."
    source = _jsonl(tmp_path / "feed.jsonl", [{"id": "a", "source": "wire", "body": body}])
    old, new = tmp_path / "old", tmp_path / "new"
    assert main(["ingest", str(source), "--data-dir", str(old), "--quiet"]) == 0
    assert main(["reindex", str(old), "--data-dir", str(new), "--quiet"]) == 0
    capsys.readouterr()
    for data in (old, new):
        with Pipeline.open(Settings(data_dir=data, load_seeds=False)) as pipeline:
            stored = pipeline.article("a")
            assert stored is not None and stored.body == body.replace("&lt;", "<").replace("&gt;", ">")
