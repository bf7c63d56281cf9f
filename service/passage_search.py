"""Candidate sources of a draft's passages: the stored articles nearest to each of its parts.

A draft that quotes a few paragraphs of a report is, as a whole, nearest to the articles on
its own angle; the quoted report need not be among them (on SaudiNewsNet, a 35-word quote set
into an article of the same story put its source among the draft's 10 nearest articles in a
third of the cases). Searched part by part instead (runs of whole sentences of at least
``CHUNK_WORDS`` words, each embedded like an article), the part holding the quote finds its
source far more often (``eval quotes``: 92% of 35-word quotes reported). The search is the
story stage's FAISS index, within its time window around the draft, so it adds nothing to
ingest; the candidates are then verified by :mod:`service.reuse`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from service.documents import PreparedArticle
from service.embedding import Embedder
from service.index import VectorIndex
from service.reuse import DraftText

CHUNK_WORDS = 25  # words per searched part, at least: one or two sentences of news copy
PER_CHUNK = 3  # nearest stored articles kept per part
MAX_PARTS = 60  # a longer piece gets longer parts (the search and the alignments stay bounded)
MAX_CANDIDATES = 40  # candidates kept beyond each part's nearest, those nearest to the most parts first


def draft_parts(doc: PreparedArticle, draft: DraftText) -> list[PreparedArticle]:
    """The draft cut into runs of whole sentences of at least ``CHUNK_WORDS`` words (more for a
    piece of over ``MAX_PARTS`` such runs; a last run shorter than half joins the one before),
    each as an untitled article, in raw and normalized text: the lexical embedder reads the one,
    a sentence-transformers model the other."""
    sizes = (draft.ends - draft.starts).tolist()
    chunk_words = max(CHUNK_WORDS, -(-sum(sizes) // MAX_PARTS))
    runs: list[list[int]] = []  # sentence indexes per part
    filled = 0
    for n, size in enumerate(sizes):
        if runs and filled < chunk_words:
            runs[-1].append(n)
            filled += size
        else:
            runs.append([n])
            filled = size
    if len(runs) > 1 and filled < chunk_words // 2:
        runs[-2].extend(runs.pop())
    return [
        replace(
            doc,
            id=f"{doc.id}#{n}",
            title=None,
            title_norm="",
            body=" ".join(draft.sentences[i] for i in run),
            body_norm=" ".join(draft.normalized[i] for i in run),
        )
        for n, run in enumerate(runs)
    ]


def embed_parts(embedder: Embedder, doc: PreparedArticle, draft: DraftText) -> np.ndarray:
    """Vectors of the draft's parts (pure computation: no lock needed)."""
    parts = draft_parts(doc, draft)
    return embedder.vectors(parts) if parts else np.zeros((0, embedder.dim), np.float32)


def nearest_to_parts(
    index: VectorIndex,
    ids_by_seq: Mapping[int, str],
    vectors: np.ndarray,
    timestamp: float,
    within: float,
    per_chunk: int = PER_CHUNK,
) -> list[str]:
    """Ids of the stored articles nearest to each part, within ``within`` seconds of ``timestamp``:
    each part's nearest one (the source of a quote is the nearest to the part holding it, however
    few parts it is near), then, up to ``MAX_CANDIDATES``, those nearest to the most parts (callers
    hold the state lock, shared)."""
    if not len(vectors):
        return []
    found = index.search_many(vectors, per_chunk, np.full(len(vectors), timestamp), within)
    tops: dict[str, None] = {}
    votes: Counter[str] = Counter()
    for _, seqs in found:
        named = [i for i in (ids_by_seq.get(int(seq)) for seq in seqs.tolist()) if i is not None]
        if named:
            tops.setdefault(named[0])
        votes.update(named)
    rest = [i for i, _ in votes.most_common() if i not in tops]  # ties: first found first
    return [*tops, *rest][: max(MAX_CANDIDATES, len(tops))]
