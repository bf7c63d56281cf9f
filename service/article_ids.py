"""Ids of articles sent without one: derived from the canonical URL, else from the text, and kept
apart when two different articles derive the same one.

A feed may give one address (its home or a section page) to different articles, and outlets
publish the same wire text without addresses. The first article at a derived id keeps it (ids
stay as earlier releases derived them); another article, a different text or the same text from
another source, gets the id qualified by its source and text, so it is stored (and marked a copy
where it is one) rather than answered ``exists`` and lost. The same article sent again (same
source and normalized text) comes back to the id it was stored under.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from service.documents import PreparedArticle

Rows = Mapping[str, Mapping[str, Any]]


def derived_id(canonical_url: str | None, content_hash: str) -> str:
    """The id of an article sent without one: from its canonical URL, else from its text."""
    if canonical_url:
        return hashlib.sha256(canonical_url.encode()).hexdigest()[:24]
    return content_hash[:24]


def qualified_id(base: str, source: str, content_hash: str) -> str:
    """The id of another article that derives ``base``: the base qualified by source and text."""
    return hashlib.sha256(f"{base}\n{source}\n{content_hash}".encode()).hexdigest()[:24]


def _identity(row: Mapping[str, Any]) -> tuple[str, str]:
    return row["source"], row["content_hash"]


def own_ids(
    docs: Sequence[PreparedArticle], lookup: Callable[[list[str]], Rows]
) -> tuple[list[PreparedArticle], dict[str, Mapping[str, Any]]]:
    """The batch with every derived id its own (see the module), and the stored rows of its ids,
    the final ones among them (``lookup``: rows by id, as :meth:`service.store.Store.articles`)."""
    qualified = [None if doc.id_given else qualified_id(doc.id, doc.source, doc.content_hash) for doc in docs]
    stored = dict(lookup([*(doc.id for doc in docs), *(q for q in qualified if q is not None)]))
    holders: dict[str, tuple[str, str]] = {}  # derived id -> identity of the batch's first article
    out = []
    for doc, other in zip(docs, qualified, strict=True):
        if other is not None:
            mine = (doc.source, doc.content_hash)
            row = stored.get(doc.id)
            holder = _identity(row) if row is not None else holders.setdefault(doc.id, mine)
            if other in stored or holder != mine:
                doc = replace(doc, id=other)
        out.append(doc)
    return out, stored
