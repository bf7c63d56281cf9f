"""Background document frequencies: generic words weigh less from the first article on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import service.background as background
from service.embedding import N_FEATURES, LexicalEmbedder
from service.text import normalize


def test_background_df_ranks_generic_words_above_rare_ones() -> None:
    embedder = LexicalEmbedder()
    shares = background.background_df(embedder._word_features, N_FEATURES, top_words=5000)
    assert shares.dtype == np.float32 and shares.min() >= 0.0 and shares.max() <= 1.0

    def share(word: str) -> float:
        return float(shares[embedder._word_features(normalize(word))[0]])

    assert share("في") > 0.9 and share("the") > 0.9  # in nearly every article
    assert share("الأمير") > share("الشيشان")  # "the prince" is far more common than "Chechnya"
    assert share("zzqxv") == 0.0


def test_prior_gives_a_fresh_embedder_a_sensible_idf(tmp_path: Path) -> None:
    fresh = LexicalEmbedder()
    primed = LexicalEmbedder(prior_docs=1000, cache_dir=tmp_path)
    generic, rare = (primed._word_features(normalize(w))[:1] for w in ("يستقبل", "الشيشان"))
    assert fresh.idf(generic)[0] == fresh.idf(rare)[0]  # no documents yet: all words look alike
    assert primed.idf(generic)[0] < primed.idf(rare)[0]
    assert (tmp_path / "background-char4-h20.npz").is_file()


def test_cache_round_trips_and_rebuilds_when_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "_MEMO", {})
    built = np.array([0.0, 0.5, 0.0, 0.25], dtype=np.float32)
    calls: list[int] = []

    def build() -> np.ndarray:
        calls.append(1)
        return built

    first = background.cached_background_df("t", build, tmp_path)
    background._MEMO.clear()
    second = background.cached_background_df("t", build, tmp_path)
    assert np.array_equal(first, built) and np.array_equal(second, built) and len(calls) == 1
    (tmp_path / "background-t.npz").write_bytes(b"not a zip")
    background._MEMO.clear()
    assert np.array_equal(background.cached_background_df("t", build, tmp_path), built) and len(calls) == 2
