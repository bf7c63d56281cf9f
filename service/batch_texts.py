"""Normalized bodies for copy verification: the batch being committed, then the store.

Copies are verified on the real texts. Readers use their own connections, which do not see the
ingest's transaction before it commits, so the batch's bodies are held here meanwhile: the
duplicate stage verifies an article against earlier ones of the same batch, and a check running
alongside (in this process or the verifier's worker) sees them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from service.store import Store


class BatchTexts:
    """Bodies of the batch being committed, in front of the store's."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._held: dict[str, str] = {}

    def hold(self, article_id: str, body: str) -> None:
        """Keep an article's body until the batch ends."""
        self._held[article_id] = body

    def release(self) -> None:
        """The batch committed or rolled back: the store answers for its texts now."""
        self._held.clear()

    def pending(self, ids: Sequence[str]) -> dict[str, str]:
        """Bodies of the given ids that belong to the batch being committed."""
        # one get per id: the ingest thread may release the batch meanwhile
        return {i: body for i in ids if (body := self._held.get(i)) is not None}

    def bodies(self, ids: Sequence[str]) -> Mapping[str, str]:
        """Bodies by id, the batch's uncommitted ones included."""
        found = self.pending(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            found.update(self.store.bodies(missing))
        return found
