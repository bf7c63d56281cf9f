"""Passage reuse: which sentences of a draft recur in a stored article that it does not copy.

A draft that quotes three paragraphs of a wire report is no copy of it (most of the draft is
its own), so the duplicate stages rightly leave it out; the editor asking still wants to know
which stored report it takes passages from. The draft is cut into its sentences, and its words,
sentence after sentence, are aligned with the stored text by the copy verifier's passage
alignment (:func:`service.alignment.passage_scores`: passages of ``passage_words`` words, each
recognised when one window of ``passage_window`` words of the other text holds
``passage_share`` of its distinct words). A word is reused when its passage is recognised on
two grids of passages, the second shifted by half a passage, and a
sentence is reported when it holds a passage's worth of reused words (all of it, if shorter).
A stored article is a source when ``reuse_min_words`` words of the draft are reused from it:
the threshold keeps out the odd set phrase that reports of one event share (a title, "the
official news agency reported"), though not a piece that repeats several of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from service import shingles as sh
from service.alignment import dense_ids, passage_bounds, passage_scores
from service.config import DedupSettings
from service.text import normalize, sentences, words

MAX_WORDS = 20_000  # words of a piece looked at (about 120,000 characters of news copy)


@dataclass(frozen=True, slots=True)
class DraftText:
    """A draft's sentences (as written and normalized) and its words' hashes in order, with each
    sentence's end (in words) so that reused words can be told back as sentences."""

    sentences: list[str]
    normalized: list[str]
    tokens: np.ndarray
    ends: np.ndarray

    @property
    def starts(self) -> np.ndarray:
        """Each sentence's first word (its offset in ``tokens``)."""
        return np.concatenate([[0], self.ends[:-1]]).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Reuse:
    """What a draft reuses of one stored article.

    ``words``: the draft's words in recognised passages; ``draft_share``: their share of the
    draft; ``source_share``: the share of the stored article's passages recognised in the draft;
    ``sentences``: indexes of the draft sentences holding reused words: a passage's worth
    (``passage_words``), or all of a shorter sentence."""

    words: int
    draft_share: float
    source_share: float
    sentences: list[int]


def draft_text(body: str) -> DraftText:
    """The draft's sentences (furniture removed, as :func:`service.text.sentences` cuts them), up
    to ``MAX_WORDS`` words: the search and the alignments of a longer piece would take seconds."""
    found: list[str] = []
    normalized: list[str] = []
    hashes: list[np.ndarray] = []
    total = 0
    for sentence in sentences(body):
        if total >= MAX_WORDS:
            break
        folded = normalize(sentence)
        if folded:
            found.append(sentence)
            normalized.append(folded)
            hashes.append(sh.word_hashes(words(folded)))
            total += hashes[-1].size
    if not hashes:
        return DraftText([], [], np.zeros(0, np.uint64), np.zeros(0, np.int64))
    return DraftText(found, normalized, np.concatenate(hashes), np.cumsum([h.size for h in hashes]))


def reuse(draft: DraftText, stored_norm: str, settings: DedupSettings) -> Reuse | None:
    """What ``draft`` reuses of a stored article (its normalized body); None below
    ``settings.reuse_min_words`` reused words."""
    min_words = settings.reuse_min_words
    stored = sh.word_hashes(words(stored_norm))
    if draft.tokens.size < min_words or stored.size == 0:
        return None
    mine, theirs = dense_ids(draft.tokens, stored)
    covered = _covered(mine, theirs, settings)
    reused = int(covered.sum())
    if reused < min_words:
        return None
    in_sentence = np.add.reduceat(covered.astype(np.int64), draft.starts)
    size, window, share = settings.passage_words, settings.passage_window, settings.passage_share
    holding = np.minimum(size, draft.ends - draft.starts)  # a passage's worth, or all of a shorter one
    back = passage_scores(theirs, mine, size, window) >= share
    return Reuse(
        reused,
        round(reused / mine.size, 4),
        round(float(back.mean()), 4),
        np.flatnonzero(in_sentence >= holding).tolist(),
    )


def _covered(mine: np.ndarray, theirs: np.ndarray, settings: DedupSettings) -> np.ndarray:
    """Per word of the draft, whether it lies in a recognised passage on two grids of passages,
    the second shifted by half a passage: a passage straddling the edge of a quote is recognised
    on the strength of its quoted words, so on one grid the draft's own words next to a quote
    (an "the agency said:" line) would count as reused; on both, only about a quarter passage
    of them can."""
    size, window, share = settings.passage_words, settings.passage_window, settings.passage_share
    grid = passage_bounds(mine.size, size)
    shifted = np.unique(np.concatenate([[0], (grid[:-1] + grid[1:]) // 2, [mine.size]]))
    covered = np.ones(mine.size, np.bool_)
    for bounds in (grid, shifted):
        recognised = passage_scores(mine, theirs, size, window, bounds) >= share
        covered &= np.repeat(recognised, np.diff(bounds))
    return covered


def find_reuse(
    draft: DraftText, bodies: Mapping[str, str | None], settings: DedupSettings
) -> dict[str, Reuse]:
    """The stored articles (id -> normalized body) ``draft`` reuses passages of."""
    found = {i: reuse(draft, b, settings) for i, b in bodies.items() if b}
    return {i: r for i, r in found.items() if r is not None}
