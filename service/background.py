"""Background document frequencies: an IDF that is sensible from the very first article.

A fresh service has seen no documents, so its online IDF calls every word rare and the
first articles are compared mostly on generic words ("the prince", "received", "said").
Stories seeded that way become topic blobs that keep absorbing unrelated news. The
fix is a prior: ``wordfreq``'s word frequencies (offline, Arabic and English) give, for
each hashed feature (a word or one of its character n-grams), the chance that a news
article of ``DOC_WORDS`` words contains it. The lexical embedder counts these as
``prior_docs`` pseudo-documents next to the real ones, so the prior fades as the corpus
grows.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path

import numpy as np
import wordfreq

from service.text import normalize, words

DOC_WORDS = 300  # words in a typical article
LANGUAGES = ("ar", "en")
TOP_WORDS = 40_000  # most frequent words per language taken from wordfreq


def background_df(features: Callable[[str], np.ndarray], size: int, top_words: int = TOP_WORDS) -> np.ndarray:
    """Share of background documents containing each feature (float32 array of ``size``).

    ``features`` maps a normalized word to its feature ids (the embedder's own hashing),
    so the prior matches the features the embedder produces.
    """
    rate = np.zeros(size, dtype=np.float64)
    for language in LANGUAGES:
        frequencies = wordfreq.get_frequency_dict(language)
        for word, frequency in heapq.nlargest(top_words, frequencies.items(), key=itemgetter(1)):
            for token in words(normalize(word)):
                rate[features(token)] += frequency
    return (1.0 - np.exp(-rate * DOC_WORDS)).astype(np.float32)


_MEMO: dict[str, np.ndarray] = {}


def cached_background_df(key: str, build: Callable[[], np.ndarray], folder: Path | None = None) -> np.ndarray:
    """:func:`background_df` computed once per process and per data directory.

    Building takes a few seconds (wordfreq's lists and hashing 80k words), so the result
    is kept in memory and saved sparsely as ``background-<key>.npz`` in ``folder``.
    """
    if key in _MEMO:
        return _MEMO[key]
    path = folder / f"background-{key}.npz" if folder is not None else None
    prior: np.ndarray | None = None
    if path is not None and path.is_file():
        try:
            with np.load(path) as saved:
                prior = np.zeros(int(saved["size"]), dtype=np.float32)
                prior[saved["ids"]] = saved["shares"]
        except (OSError, ValueError, KeyError):
            prior = None  # unreadable: rebuilt and rewritten below
    if prior is None:
        prior = build()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            ids = np.flatnonzero(prior).astype(np.uint32)
            partial = path.with_suffix(".tmp.npz")
            np.savez_compressed(partial, size=len(prior), ids=ids, shares=prior[ids])
            partial.replace(path)
    _MEMO[key] = prior
    return prior
