"""A read-only duplicate check: planned under the state lock, verified outside it.

:meth:`service.dedup.DuplicateDetector.plan_check` finds the exact and URL matches and the near
candidates while it holds the lock; verifying the candidates reads only stored texts, so it runs
after the lock is released (in the check verifier's worker process when there is one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from service import shingles as sh
from service.alignment import Copy
from service.documents import DuplicateMatch
from service.near_index import NearDuplicateIndex, Other

if TYPE_CHECKING:
    from service.verifier import CheckVerifier


@dataclass(slots=True)
class DuplicateCheck:
    """A read-only duplicate check planned under the state lock, verified outside it."""

    near: NearDuplicateIndex
    exact: dict[str, DuplicateMatch]
    text: sh.ShingleProfile
    headline: np.ndarray
    others: dict[str, Other]

    def matches(self, limit: int, verifier: CheckVerifier | None = None) -> list[DuplicateMatch]:
        """Exact, URL and verified near matches, best first (near candidates verified by
        ``verifier``'s worker when given, else here)."""
        found = dict(self.exact)
        if self.others:
            copies = (
                self.verify()
                if verifier is None
                else verifier.copies(self.text, self.headline, self.others, self.verify)
            )
            for i, copy in copies.items():
                found.setdefault(i, DuplicateMatch("near", i, copy.score))
        rank = {"exact": 0, "url": 1, "near": 2}
        return sorted(found.values(), key=lambda m: (-m.score, rank[m.type], m.of))[:limit]

    def verify(self) -> dict[str, Copy]:
        """The near candidates the text verifiably copies, verified in this process."""
        return self.near.copies(self.text, self.headline, self.others)
