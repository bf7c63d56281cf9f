"""Verification of a candidate pair: shingle overlap, passage alignment, headline conflicts.

:func:`verify` decides whether two texts are copies. Shingle Jaccard and word coverage settle
clear cases; the band of re-edited releases and trimmed copies (Jaccard about 0.1-0.35) is
decided by *passage alignment*, the labelling guide's rule of thumb that most sentences of the
shorter text recur in the longer one. Stored bodies are normalized (no punctuation), so a
"sentence" is a *passage* of about ``size`` consecutive words; it is recognised in the other
text when one window of ``window`` consecutive words there holds at least ``min_share`` of its
distinct words. Word sets (not n-grams) tolerate what editors do to a release: reordered
sentences, stripped honorifics, synonyms, re-tensed verbs; windows keep texts that merely share
vocabulary apart. All windows of all passages are scored at once with numpy, so aligning two
500-word texts costs well under a millisecond.

Templated items about different events (congratulation cables to different countries, the
5th and 6th relief flight, two executions) align as well as copies do; what tells them apart
is the slot the template fills, which the headline names. :func:`headline_conflict` finds it:
each headline names something its own body mentions and the other text never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from service import shingles as sh
from service.config import DedupSettings


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
    def recognised(self) -> float:
        """Share of all passages of both texts recognised in the other."""
        total = self.short.size + self.long.size
        hits = np.count_nonzero(self.short >= self.min_share) + np.count_nonzero(self.long >= self.min_share)
        return float(hits / total) if total else 0.0

    @property
    def lead(self) -> bool:
        return bool(self.long.size) and bool(self.long[0] >= self.min_share)


def passage_bounds(length: int, size: int) -> np.ndarray:
    """Passage boundaries: ``length`` words cut into round(length / size) near-equal passages."""
    count = max(1, round(length / size))
    return np.linspace(0, length, count + 1).astype(np.int64)


def passage_scores(
    source: np.ndarray, target: np.ndarray, size: int, window: int, bounds: np.ndarray | None = None
) -> np.ndarray:
    """For each passage of ``source`` (dense word ids), the largest share of its distinct words
    present in any ``window``-word window of ``target``. Passages are ``passage_bounds(len, size)``
    unless ``bounds`` (word offsets from 0 to the length) gives others.

    Each occurrence of a word at position p of ``target`` covers the window starts
    ``max(p - window + 1, previous occurrence + 1) .. p``; these ranges never overlap for one
    word, so summing them per passage (one cumulative sum per passage row) counts, for every
    window start, the passage's distinct words inside that window.
    """
    bounds = passage_bounds(source.size, size) if bounds is None else bounds
    passages = bounds.size - 1
    if source.size == 0 or target.size == 0:
        return np.zeros(passages)
    length = target.size
    passage_of = np.repeat(np.arange(passages), np.diff(bounds))
    vocabulary = int(max(source.max(), target.max())) + 1
    pairs = np.unique(passage_of * vocabulary + source)
    pair_passage, pair_word = pairs // vocabulary, pairs % vocabulary
    distinct = np.bincount(pair_passage, minlength=passages)
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
    width = length + 1
    delta = np.bincount(rows * width + starts[hits], minlength=passages * width)
    delta -= np.bincount(rows * width + hits + 1, minlength=passages * width)
    present = np.cumsum(delta.reshape(passages, width), axis=1)
    return present.max(axis=1) / np.maximum(distinct, 1)


def dense_ids(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two texts' word hashes as small dense ids (0 .. distinct words - 1), one id per word in both,
    as :func:`passage_scores` wants them."""
    _, dense = np.unique(np.concatenate([first, second]), return_inverse=True)
    return dense[: first.size], dense[first.size :]


def align(first: np.ndarray, second: np.ndarray, size: int, window: int, min_share: float) -> Alignment:
    """Passage alignment of two texts given as word hashes in text order (any integer ids)."""
    short, long_ = (first, second) if first.size <= second.size else (second, first)
    short_ids, long_ids = dense_ids(short, long_)
    return Alignment(
        passage_scores(short_ids, long_ids, size, window),
        passage_scores(long_ids, short_ids, size, window),
        min_share,
    )


def _bigrams(word: str) -> set[str]:
    padded = f"#{word}#"
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


_VOWELS = str.maketrans("", "", "اويىهaeiou")


def _variants(first: str, second: str) -> bool:
    """Spelling or inflection variants: character-bigram Dice of at least 0.5, or one consonant
    skeleton (vowel letters dropped) of 3+ letters starting the other (مشروعات / مشاريع)."""
    a, b = _bigrams(first), _bigrams(second)
    short, long_ = sorted((first.translate(_VOWELS), second.translate(_VOWELS)), key=len)
    return 4 * len(a & b) >= len(a) + len(b) or (len(short) >= 3 and long_.startswith(short))


def _unmatched(
    headline: np.ndarray, terms: list[str], tokens: np.ndarray, other: np.ndarray
) -> dict[str, int]:
    """Words of a headline (hashes of words of its own body) absent from the other text, with
    their number of occurrences in the own body."""
    absent = np.setdiff1d(headline.astype(np.uint64), other)
    found: dict[str, int] = {}
    for i in np.flatnonzero(np.isin(tokens, absent)) if absent.size else ():
        found[terms[i]] = found.get(terms[i], 0) + 1
    return found


def headline_conflict(
    a: sh.ShingleProfile, a_head: np.ndarray, b: sh.ShingleProfile, b_head: np.ndarray
) -> bool:
    """Whether two texts name different things in their headlines (``*_head``: headline keys,
    :func:`service.shingles.headline_keys`): each headline has words the other text lacks, not
    variants of the other's and of the same kind (both numbers or both words), and either one
    such word is repeated in its body (a template's slot: the country or person it is about) or
    each headline has two of them (a rank and a name, a person and a place)."""
    one = _unmatched(a_head, a.terms, a.tokens, b.tokens)
    two = _unmatched(b_head, b.terms, b.tokens, a.tokens) if one else {}
    one, two = (
        {x: n for x, n in one.items() if not any(_variants(x, y) for y in two)},
        {y: m for y, m in two.items() if not any(_variants(y, x) for x in one)},
    )
    pairs = [(n, m) for x, n in one.items() for y, m in two.items() if x.isdigit() == y.isdigit()]
    return any(max(n, m) > 1 for n, m in pairs) or (len(one) > 1 and len(two) > 1 and bool(pairs))


class Copy(NamedTuple):
    """A verified copy: whether the stored text holds the lead of the new one (a compilation
    belongs with the text it leads with), the copy score, and whether it is near verbatim
    (Jaccard at least ``group_jaccard``: safe to group through)."""

    lead: bool
    score: float
    strong: bool


def verify(
    new: sh.ShingleProfile,
    stored: sh.ShingleProfile,
    gap_days: float,
    settings: DedupSettings,
    heads: tuple[np.ndarray, np.ndarray],
) -> Copy | None:
    """Whether ``new`` copies ``stored`` (thresholds measured on the labelled pairs, see
    DedupSettings). A headline conflict rules a copy out; beyond the copy window only a high
    Jaccard counts; within it the shingle rules, else passage alignment, decide."""
    found = sh.overlap(new, stored, settings.shingle_size)
    far = gap_days > settings.window_days
    if found.jaccard < (settings.distant_jaccard_threshold if far else settings.align_min_jaccard):
        return None
    if headline_conflict(new, heads[0], stored, heads[1]):
        return None
    lead = sh.holds_lead(stored, new, settings.passage_words)
    copy = Copy(lead, round(found.copied, 4), found.jaccard >= settings.group_jaccard)
    if far or found.jaccard >= settings.jaccard_threshold:
        return copy
    if found.coverage_short >= settings.containment_threshold and (
        found.coverage_long >= settings.long_coverage_threshold
    ):
        return copy
    aligned = align(
        new.tokens, stored.tokens, settings.passage_words, settings.passage_window, settings.passage_share
    )
    trimmed = aligned.short_recognised >= settings.trimmed_share and aligned.lead
    edited = aligned.short_recognised >= settings.edited_short_share and (
        aligned.long_recognised >= settings.edited_long_share
    )
    return copy._replace(score=round(max(copy.score, aligned.recognised), 4)) if trimmed or edited else None
