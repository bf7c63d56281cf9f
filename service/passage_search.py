"""Candidate sources of a draft's passages: the stored articles nearest to each of its parts.

A draft that quotes a few paragraphs of a report is, as a whole, nearest to the articles on
its own angle; the quoted report need not be among them (on SaudiNewsNet, a 35-word quote set
into an article of the same story put its source among the draft's 10 nearest articles in a
third of the cases). Searched part by part instead (runs of whole sentences of at least
``chunk_words`` words, each embedded like an article), the part holding the quote finds its
source far more often (``eval quotes``: 92% of 35-word quotes reported). The search is the
story stage's FAISS index, within its time window around the draft, so it adds nothing to
ingest; the candidates are then verified by :mod:`service.reuse`.
"""

from __future__ import annotations

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
MAX_CANDIDATES = 40  # candidates kept, those nearest to the most parts first


def draft_parts(
    doc: PreparedArticle, draft: DraftText, chunk_words: int = CHUNK_WORDS
) -> list[PreparedArticle]:
    """The draft cut into runs of whole sentences of at least ``chunk_words`` words (more for a
    piece of over ``MAX_PARTS`` such runs; a last run shorter than half joins the one before),
    each as an untitled article, in raw and normalized text: the lexical embedder reads the one,
    a sentence-transformers model the other."""
    sizes = np.diff(draft.ends, prepend=0).tolist()
    chunk_words = max(chunk_words, -(-sum(sizes) // MAX_PARTS))
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
    """Ids of the stored articles nearest to each part, within ``within`` seconds of ``timestamp``,
    at most ``MAX_CANDIDATES``: those nearest to the most parts first, then by their best rank
    (callers hold the state lock, shared)."""
    if not len(vectors):
        return []
    found = index.search_many(vectors, per_chunk, np.full(len(vectors), timestamp), within)
    votes: dict[str, tuple[int, int]] = {}  # id -> (parts, best rank), negated to sort
    for _, seqs in found:
        for rank, seq in enumerate(seqs.tolist()):
            article_id = ids_by_seq.get(int(seq))
            if article_id is not None:
                parts, best = votes.get(article_id, (0, -per_chunk))
                votes[article_id] = (parts + 1, max(best, -rank))
    ranked = sorted(votes, key=lambda i: votes[i], reverse=True)  # stable: first found first on ties
    return ranked[:MAX_CANDIDATES]
