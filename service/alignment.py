"""Sentence-level alignment of two normalized texts: which passages of one recur in the other.

The stored bodies are normalized (no punctuation), so a "sentence" here is a *passage*: a
run of about ``size`` consecutive words. A passage is recognised in the other text when a
window of ``window`` consecutive words there holds at least ``min_share`` of its distinct
words. Word sets (not n-grams) tolerate what editors do to a release: reordered sentences,
stripped honorifics, synonyms and re-tensed verbs; windows keep two texts that merely share
vocabulary apart. All windows of all passages are scored at once with numpy (no loop over
windows), so aligning two 500-word texts costs well under a millisecond.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Alignment:
    """Passage alignment of a shorter and a longer text (by word count).

    ``short``/``long`` hold, per passage in text order, the best share of its distinct words
    found inside one window of the other text; ``short_recognised``/``long_recognised`` are the
    shares of passages reaching ``min_share``; ``lead`` tells whether the longer text's first
    passage is recognised in the shorter one (a trimmed copy keeps the lead of its source).
    """

    short: np.ndarray
    long: np.ndarray
    min_share: float

    @property
    def short_recognised(self) -> float:
        return float(np.mean(self.short >= self.min_share)) if self.short.size else 0.0

    @property
    def long_recognised(self) -> float:
        return float(np.mean(self.long >= self.min_share)) if self.long.size else 0.0

    @property
    def lead(self) -> bool:
        return bool(self.long.size) and bool(self.long[0] >= self.min_share)


def word_ids(tokens: list[str]) -> np.ndarray:
    """Stable 32-bit ids of word tokens (CRC32, like the shingle hashes)."""
    return np.fromiter((zlib.crc32(t.encode()) for t in tokens), dtype=np.int64, count=len(tokens))


def _bounds(length: int, size: int) -> np.ndarray:
    """Passage boundaries: ``length`` words cut into round(length / size) near-equal passages."""
    count = max(1, round(length / size))
    return np.linspace(0, length, count + 1).astype(np.int64)


def passage_scores(
    source: np.ndarray, target: np.ndarray, size: int, window: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """For each passage of ``source`` (dense word ids), the largest share of its distinct words
    present in any ``window``-word window of ``target``.

    Each occurrence of a word at position p of ``target`` covers the window starts
    ``max(p - window + 1, previous occurrence + 1) .. p``; these ranges never overlap for one
    word, so summing them per passage (one cumulative sum per passage row) counts, for every
    window start, the passage's distinct words inside that window.
    """
    bounds = _bounds(source.size, size)
    passages = bounds.size - 1
    if source.size == 0 or target.size == 0:
        return np.zeros(passages)
    length = target.size
    passage_of = np.repeat(np.arange(passages), np.diff(bounds))
    vocabulary = int(max(source.max(), target.max())) + 1
    pairs = np.unique(passage_of * vocabulary + source)
    pair_passage, pair_word = pairs // vocabulary, pairs % vocabulary
    pair_weight = None if weights is None else weights[pair_word]
    distinct = np.bincount(pair_passage, pair_weight, minlength=passages)
    order = np.argsort(target, kind="stable")
    sorted_words = target[order]
    previous = np.full(length, -1, dtype=np.int64)
    same = sorted_words[1:] == sorted_words[:-1]
    previous[order[1:][same]] = order[:-1][same]
    positions = np.arange(length)
    starts = np.maximum(positions - window + 1, previous + 1).clip(min=0)
    first = np.searchsorted(sorted_words, pair_word, side="left")
    last = np.searchsorted(sorted_words, pair_word, side="right")
    counts = last - first
    if not counts.any():
        return np.zeros(passages)
    rows = np.repeat(pair_passage, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    hits = order[np.repeat(first, counts) + offsets]
    hit_weight = None if pair_weight is None else np.repeat(pair_weight, counts)
    width = length + 1
    delta = np.bincount(rows * width + starts[hits], hit_weight, minlength=passages * width)
    delta -= np.bincount(rows * width + hits + 1, hit_weight, minlength=passages * width)
    present = np.cumsum(delta.reshape(passages, width), axis=1)
    return present.max(axis=1) / np.maximum(distinct, 1e-9)


def align(first: np.ndarray, second: np.ndarray, size: int, window: int, min_share: float) -> Alignment:
    """Passage alignment of two texts given as word ids (see :func:`word_ids`)."""
    short, long_ = (first, second) if first.size <= second.size else (second, first)
    _, dense = np.unique(np.concatenate([short, long_]), return_inverse=True)
    short_ids, long_ids = dense[: short.size], dense[short.size :]
    return Alignment(
        passage_scores(short_ids, long_ids, size, window),
        passage_scores(long_ids, short_ids, size, window),
        min_share,
    )
