"""The command line's reports and model management: `stats` of a data directory and `models import`."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from service.config import PROJECT_ROOT, Settings
from service.migrations import MIGRATIONS
from service.pipeline import Pipeline
from service.schemas import ArticleIn
from service.store import Store


def _copy(seed: dict[str, Any], new_id: str, trimmed: bool = False) -> dict[str, Any]:
    """The seed re-published by a copy desk: with a credit line (the same text: an exact copy),
    or without its last two lines (a near copy)."""
    body = "\n".join(seed["body"].split("\n")[:-2]) if trimmed else seed["body"] + "\n(واس)"
    return {**seed, "id": new_id, "source": "copy desk", "url": None, "body": body}


def _stats(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    """Run `stats` and parse what it printed."""
    assert main(["stats", *args]) == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def _stored_counts(path: Path) -> dict[str, Any]:
    """The counts `stats` reports, computed here from the stored rows."""
    store = Store(path).open()
    try:
        rows = store.reader().execute("SELECT source, language, phase, dup_type FROM articles").fetchall()
        merges = store.reader().execute("SELECT COUNT(*) FROM cluster_merges").fetchone()[0]
        return {
            "articles": store.count_articles(),
            "stories": store.count_clusters(),
            "duplicates": dict(Counter(r["dup_type"] for r in rows if r["dup_type"] is not None)),
            "languages": dict(Counter(r["language"] for r in rows)),
            "sources": dict(Counter(r["source"] for r in rows)),
            "phases": dict(Counter(r["phase"] for r in rows)),
            "merges": merges,
        }
    finally:
        store.close()


def _model(folder: Path, pooling: str = "mean") -> Path:
    """A minimal model directory (a `config.json` is what marks one)."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"pooling": pooling}))
    return folder


def test_stats_reports_the_counts_the_store_holds(
    settings: Settings, seeds: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Seeds plus two copies: articles, stories, duplicates by type, languages, sources, phases, merges."""
    payloads = [*seeds, _copy(seeds[0], "copy-0"), _copy(seeds[2], "copy-2", trimmed=True)]
    with Pipeline.open(settings) as pipeline:
        results = pipeline.ingest([ArticleIn.model_validate(p) for p in payloads])
    report = _stats(capsys, "--data-dir", str(settings.data_dir))
    assert report == _stored_counts(settings.database_path)
    assert report["articles"] == len(payloads)
    assert report["stories"] == len({r.cluster_id for r in results}) == 2
    answered = Counter(r.duplicate.type for r in results if r.duplicate)
    assert report["duplicates"] == {"exact": 1, "near": 1} == dict(answered)
    assert report["languages"] == {"ar": len(payloads)}
    assert next(iter(report["sources"].items())) == ("copy desk", 2)  # the largest source first
    assert sum(report["phases"].values()) == len(payloads) and None not in report["phases"]
    assert report["merges"] == 0


def test_stats_lists_the_twenty_largest_sources(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sources are cut to the 20 with most articles, largest first; the other counts cover every article."""
    payloads = [
        {
            "id": f"brief-{n}",
            "source": f"outlet-{n:02d}",
            "body": f"Brief number {n}: the council met on day {n} and approved item {n * 7} of its agenda.",
            "published_at": "2024-03-04T10:00:00Z",
        }
        for n in range(22)
    ]
    payloads += [{**payloads[0], "id": "brief-0b", "body": "Another brief from the first outlet today."}]
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn.model_validate(p) for p in payloads])
    report = _stats(capsys, "--data-dir", str(settings.data_dir))
    assert report["articles"] == len(payloads) == sum(report["languages"].values())
    assert len(report["sources"]) == 20
    assert next(iter(report["sources"].items())) == ("outlet-00", 2)
    assert set(report["sources"]) < set(_stored_counts(settings.database_path)["sources"])


def test_stats_reads_the_data_directory_named_by_the_environment(
    settings: Settings,
    seeds: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --data-dir, `stats` reads STORYLINE_DATA_DIR (as the server does)."""
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn.model_validate(seeds[0])])
    monkeypatch.setenv("STORYLINE_DATA_DIR", str(settings.data_dir))
    assert _stats(capsys)["articles"] == 1


def test_stats_reads_a_data_directory_in_use(
    settings: Settings, seeds: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """`stats` only reads: unlike ingest and serve it does not need the directory's lock, and it
    sees what the running writer committed."""
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn.model_validate(s) for s in seeds[:3]])
        assert _stats(capsys, "--data-dir", str(settings.data_dir))["articles"] == 3
        pipeline.ingest([ArticleIn.model_validate(s) for s in seeds[3:]])
        assert _stats(capsys, "--data-dir", str(settings.data_dir))["articles"] == len(seeds)


@pytest.mark.parametrize("exists", [False, True], ids=["missing", "empty"])
def test_stats_of_a_directory_without_a_database_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], exists: bool
) -> None:
    """A missing or empty data directory: exit status 2, the expected database path named, no files made."""
    data = tmp_path / "data"
    if exists:
        data.mkdir()
    assert main(["stats", "--data-dir", str(data)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"error: no database at {data / 'storyline.sqlite3'}; ingest first or pass --data-dir" in err
    assert data.exists() == exists and (not exists or not any(data.iterdir()))


def test_models_import_places_a_local_model_and_prints_its_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model directory is copied under --models-dir, named after the source folder."""
    source = _model(tmp_path / "downloads" / "My_Encoder")
    (source / "tokenizer.json").write_text("{}")
    models = tmp_path / "models"
    assert main(["models", "import", str(source), "--models-dir", str(models)]) == 0
    target = models / "my-encoder"
    assert sorted(p.name for p in target.iterdir()) == ["config.json", "tokenizer.json"]
    assert source.is_dir()  # copied, not moved
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"model placed in {target}",
        f"STORYLINE_EMBEDDER=sentence-transformers STORYLINE_EMBEDDING_MODEL={target.as_posix()}",
    ]


def test_models_import_defaults_to_models_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --models-dir the model goes to ./models; --name chooses its folder."""
    source = _model(tmp_path / "src" / "encoder")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["models", "import", str(source), "--name", "arabic-encoder"]) == 0
    assert (work / "models" / "arabic-encoder" / "config.json").is_file()
    assert "STORYLINE_EMBEDDING_MODEL=models/arabic-encoder" in capsys.readouterr().out


def test_models_import_keeps_another_model_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same model again is kept (0); a different one of that name is refused (1) until --force."""
    models = tmp_path / "models"
    first = _model(tmp_path / "a" / "encoder")
    assert main(["models", "import", str(first), "--models-dir", str(models)]) == 0
    assert main(["models", "import", str(first), "--models-dir", str(models)]) == 0
    capsys.readouterr()
    other = _model(tmp_path / "b" / "encoder", pooling="cls")
    assert main(["models", "import", str(other), "--models-dir", str(models)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "already holds another model" in err and "--force" in err
    placed = models / "encoder" / "config.json"
    assert json.loads(placed.read_text()) == {"pooling": "mean"}
    assert main(["models", "import", str(other), "--models-dir", str(models), "--force"]) == 0
    assert json.loads(placed.read_text()) == {"pooling": "cls"}
    assert sorted(p.name for p in models.iterdir()) == ["encoder"]  # no staging folder left behind


def test_models_import_refuses_a_folder_that_is_not_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder without modules.json or config.json is named in the error (exit status 1), nothing placed."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "readme.txt").write_text("not a model")
    models = tmp_path / "models"
    assert main(["models", "import", str(notes), "--models-dir", str(models)]) == 1
    err = capsys.readouterr().err
    assert "is not a model directory" in err and "modules.json, config.json" in err
    assert not (models / "notes").exists()


def test_models_import_refuses_a_name_that_is_not_one_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--name must be one plain folder name: `..` with --force would have replaced models/'s parent."""
    source = _model(tmp_path / "src" / "encoder")
    models = tmp_path / "models"
    assert (
        main(["models", "import", str(source), "--models-dir", str(models), "--name", "..", "--force"]) == 1
    )
    assert "is not a folder name" in capsys.readouterr().err
    assert (tmp_path / "src" / "encoder" / "config.json").is_file() and not models.exists()


def test_models_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    """`models` alone is a usage error (argparse exit status 2) that names the `import` action."""
    with pytest.raises(SystemExit) as exit_info:
        main(["models"])
    assert exit_info.value.code == 2
    assert "import" in capsys.readouterr().err


def test_commands_refuse_a_database_from_a_newer_release_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A schema this code does not know: every command says so (exit 2, no traceback), nothing changes."""
    data = tmp_path / "data"
    Store(data / "storyline.sqlite3").open().close()
    conn = sqlite3.connect(data / "storyline.sqlite3")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    seeds_dir = str(PROJECT_ROOT / "seeds")
    for argv in (
        ["stats", "--data-dir", str(data)],
        ["ingest", seeds_dir, "--data-dir", str(data), "--quiet"],
        ["serve", "--data-dir", str(data), "--port", "1"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"error: database schema version {len(MIGRATIONS) + 1} is newer than this service" in err, argv
        assert "Traceback" not in err
    conn = sqlite3.connect(data / "storyline.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
    conn.close()


def test_stats_reports_an_older_schema_without_upgrading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report changes nothing: a data directory of an older release stays at its version."""
    data = tmp_path / "data"
    data.mkdir()
    conn = sqlite3.connect(data / "storyline.sqlite3", isolation_level=None)
    conn.executescript(f"BEGIN;\n{MIGRATIONS[0]}\nPRAGMA user_version = 1;\nCOMMIT;")
    conn.close()
    assert _stats(capsys, "--data-dir", str(data))["articles"] == 0
    conn = sqlite3.connect(data / "storyline.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
