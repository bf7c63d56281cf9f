"""What the duplicate stage remembers per stored article besides its LSH buckets, and the type
of duplicate status that holds between two of them."""

from __future__ import annotations

from dataclasses import dataclass

from service.documents import DuplicateMatch, DuplicateType

EXACT: tuple[DuplicateType, DuplicateType] = ("url", "exact")  # the statuses a lookup decides


def key_of(text: str) -> int:
    """Small in-memory key of a content hash or canonical URL. The maps are rebuilt at every
    start, so the process-salted ``hash`` is fine (64 bits: collisions are negligible)."""
    return hash(text)


@dataclass(slots=True)
class Entry:
    """What is remembered per stored article besides its LSH buckets."""

    timestamp: float
    seq: int
    content: int | None
    url: int | None
    headline: bytes = b""  # headline keys (``shingles.headline_keys``) as stored in the signature

    def lookups(self) -> tuple[int | None, int | None]:
        return self.content, self.url


def typed(match: DuplicateMatch, mine: Entry | None, original: Entry | None) -> DuplicateMatch:
    """``match`` with a type that holds against the group's original: a copy tied into its group as
    ``exact`` (or ``url``) of a member whose text (or address) the original does not share, as when
    an earlier original with another headline arrives, is a ``near`` copy of the original."""
    if match.type not in EXACT or mine is None or original is None:
        return match
    key = mine.content if match.type == "exact" else mine.url
    theirs = original.content if match.type == "exact" else original.url
    return match if key is not None and key == theirs else DuplicateMatch("near", match.of, match.score)
