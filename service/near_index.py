"""Near-duplicate index: MinHash LSH over body shingles, candidates verified on the real texts.

The index keeps only the LSH buckets; texts are read through a ``BodyLookup`` when candidates
need verifying (:func:`service.alignment.verify`), so no shingle set stays in memory. Grouping
and the exact / URL lookups live in the duplicate stage (:mod:`service.dedup`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import comb

import numpy as np

from service import shingles as sh
from service.alignment import Copy, verify
from service.config import DedupSettings
from service.lsh_params import LeanMinHash, MinHashLSH
from service.lsh_storage import ArrayKeys
from service.stages import BodyLookup

Other = tuple[float, np.ndarray]  # days apart, headline keys
# Profile, MinHash (None for short texts) and headline keys of an article.
Prepared = tuple[sh.ShingleProfile, LeanMinHash | None, np.ndarray]

_NO_HEADLINE = np.empty(0, dtype=np.uint32)


def min_agreement(permutations: int, jaccard: float, risk: float) -> int:
    """Fewest agreeing permutations (of ``permutations``) a pair at Jaccard ``jaccard`` shows with
    probability at least ``1 - risk``: each permutation agrees with probability ``jaccard``, so the
    count is binomial. Pairs agreeing on fewer are, at that risk, below ``jaccard``."""
    below, needed = 0.0, 0
    for k in range(permutations + 1):
        below += comb(permutations, k) * jaccard**k * (1 - jaccard) ** (permutations - k)
        if below > risk:
            break
        needed = k + 1
    return needed


def verify_copies(
    text: sh.ShingleProfile,
    headline: np.ndarray,
    others: Mapping[str, Other],
    bodies: Mapping[str, str],
    settings: DedupSettings,
) -> dict[str, Copy]:
    """Those of ``others`` (with their normalized ``bodies``; ids without one are skipped) that
    ``text`` verifiably copies."""
    found = {
        i: verify(
            text, sh.profile(b, settings.shingle_size), others[i][0], settings, (headline, others[i][1])
        )
        for i, b in bodies.items()
        if i in others and b is not None
    }
    return {i: copy for i, copy in found.items() if copy is not None}


class NearDuplicateIndex:
    """MinHash LSH over body shingles, with candidates verified on the stored texts."""

    def __init__(self, settings: DedupSettings, bodies: BodyLookup) -> None:
        self.settings = settings
        self._bodies = bodies
        self._lsh = self._new_lsh()

    def _new_lsh(self) -> MinHashLSH:
        return sh.new_lsh(self.settings.lsh_threshold, self.settings.num_perm)

    def prepare(self, text_norm: str, title_norm: str) -> Prepared:
        """Profile, MinHash (None when too short for near matching) and headline keys of a text."""
        text = sh.profile(text_norm, self.settings.shingle_size)
        if text.size < self.settings.min_shingles:
            return text, None, _NO_HEADLINE
        headline = sh.headline_keys(title_norm, text, self.settings.headline_words)
        return text, sh.minhash(text, self.settings.num_perm), headline

    @property
    def permutations(self) -> int:
        """Permutations the LSH bands cover (those :meth:`agreement` compares)."""
        return int(self._lsh.hashranges[-1][1])

    def candidates(self, sketch: LeanMinHash) -> list[str]:
        """Stored ids sharing at least one LSH band with ``sketch``."""
        return list(self._lsh.query(sketch))

    def agreement(self, sketch: LeanMinHash, ids: Sequence[str]) -> dict[str, int]:
        """How many banded permutations each stored article agrees on with ``sketch`` (an estimate
        of their Jaccard, from the band keys the index holds anyway); ids it lacks are left out."""
        lsh = self._lsh
        keys: ArrayKeys = lsh.keys  # :func:`service.shingles.new_lsh` always stores keys as arrays
        known, rows = keys.rows_of(ids)
        if not known:
            return {}
        query = b"".join(lsh._H(sketch.hashvalues[start:end]) for start, end in lsh.hashranges)
        width = len(query) // lsh.hashranges[-1][1]
        mine = np.frombuffer(query, dtype=np.uint8).reshape(1, -1, width)
        equal = (rows.reshape(len(known), -1, width) == mine).all(axis=2).sum(axis=1)
        return dict(zip(known, equal.tolist(), strict=True))

    def text(self, article_id: str) -> sh.ShingleProfile | None:
        """Profile of a stored article's body (None when it is gone)."""
        body = self._bodies([article_id]).get(article_id)
        return None if body is None else sh.profile(body, self.settings.shingle_size)

    def copies(
        self, text: sh.ShingleProfile, headline: np.ndarray, others: dict[str, Other]
    ) -> dict[str, Copy]:
        """The stored articles ``text`` verifiably copies among ``others`` (id -> days apart and
        headline keys); their texts are read through the body lookup."""
        return verify_copies(text, headline, others, self._bodies(sorted(others)), self.settings)

    def insert(self, article_id: str, sketch: LeanMinHash) -> None:
        """Index ``sketch`` under ``article_id`` (ids are unique: no duplication check)."""
        self._lsh.insert(article_id, sketch, check_duplication=False)

    def remove(self, article_id: str) -> None:
        """Drop an article from the buckets (unknown ids are ignored)."""
        if article_id in self._lsh:
            self._lsh.remove(article_id)

    def load(self, ids: Sequence[str], signatures: Sequence[bytes]) -> None:
        """Replace the index content with stored MinHash signatures (bulk insert, ``shingles.fill_lsh``)."""
        self._lsh = self._new_lsh()
        if ids:
            sh.fill_lsh(self._lsh, ids, signatures)
