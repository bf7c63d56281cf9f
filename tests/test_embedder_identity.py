"""A data directory keeps the embedder that built it; another is refused, and reindex copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from service.config import Settings
from service.embedder_identity import STATE_KEY, EmbedderMismatch
from service.pipeline import Pipeline
from service.schemas import ArticleIn
from tests.conftest import SEEDS_DIR


def _settings(data_dir: Path, dim: int = 256) -> Settings:
    return Settings.model_validate(
        {"data_dir": data_dir, "load_seeds": False, "stories": {"lexical_dim": dim}}
    )


def _stored(settings: Settings, seeds: list[dict[str, Any]]) -> None:
    with Pipeline.open(settings) as pipeline:
        pipeline.ingest([ArticleIn.model_validate(s) for s in seeds])


def test_another_embedder_is_refused_and_nothing_is_lost(tmp_path: Path, seeds: list[dict[str, Any]]) -> None:
    built = _settings(tmp_path / "data")
    _stored(built, seeds)
    with pytest.raises(EmbedderMismatch) as refused:
        Pipeline.build(_settings(tmp_path / "data", dim=128))
    message = str(refused.value)
    assert (
        "lexical-char4-d256 function-words" in message
        and "lexical-char4-d128" in message
        and "reindex" in message
    )
    with Pipeline.open(built) as pipeline:  # the refused start neither changed nor locked anything
        assert pipeline.store.count_articles() == len(seeds)
        assert pipeline.store.get_state(STATE_KEY) == pipeline.stories.embedder.fingerprint.encode()


def test_a_directory_from_before_fingerprints_is_judged_by_its_vectors(
    tmp_path: Path, seeds: list[dict[str, Any]]
) -> None:
    built = _settings(tmp_path / "data")
    _stored(built, seeds)
    with Pipeline.open(built) as pipeline, pipeline.store.transaction() as tx:
        tx.conn.execute("DELETE FROM state WHERE key = ?", (STATE_KEY,))
    with pytest.raises(EmbedderMismatch, match="an embedder of 256 dimensions"):
        Pipeline.build(_settings(tmp_path / "data", dim=128))
    with Pipeline.open(built) as pipeline:  # same size: adopted and recorded from now on
        assert pipeline.store.get_state(STATE_KEY) == pipeline.stories.embedder.fingerprint.encode()


def test_reindex_copies_the_articles_for_another_embedder(
    tmp_path: Path,
    seeds: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    assert main(["ingest", str(SEEDS_DIR), "--data-dir", str(old), "--quiet"]) == 0
    monkeypatch.setenv("STORYLINE_STORIES__LEXICAL_DIM", "128")
    assert main(["ingest", str(SEEDS_DIR), "--data-dir", str(old), "--quiet"]) == 2
    assert "cannot share one index" in capsys.readouterr().err
    assert main(["reindex", str(old), "--data-dir", str(old), "--quiet"]) == 2
    assert "the target itself" in capsys.readouterr().err
    assert main(["reindex", str(old), "--data-dir", str(new), "--quiet"]) == 0
    assert "5 created" in capsys.readouterr().out
    with Pipeline.open(_settings(new, dim=128)) as pipeline:
        stored = {a["id"]: a for a in seeds}
        for article_id, original in stored.items():
            copy = pipeline.article(article_id)
            assert (
                copy is not None and copy.title == original.get("title") and copy.source == original["source"]
            )
        members = {i: pipeline.article(i).cluster_id for i in stored}  # type: ignore[union-attr]
    assert len(set(members.values())) == 2  # the seeds' two stories, rebuilt under the new embedder
    with Pipeline.open(_settings(old)) as pipeline:
        assert pipeline.store.count_articles() == len(seeds)
