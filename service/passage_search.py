"""Candidate sources of a draft's passages: the stored articles nearest to each of its parts.

A draft that quotes a few paragraphs of a report is, as a whole, nearest to the articles on
its own angle; the quoted report need not be among them (on SaudiNewsNet, a 35-word quote set
into an article of the same story put its source among the draft's 10 nearest articles in a
third of the cases). Searched part by part instead (runs of whole sentences of at least
``chunk_words`` words, each embedded like an article), the part holding the quote is nearest
to its source. The search is the story stage's FAISS index, within its time window around the
draft, so it adds nothing to ingest; the candidates are then verified by :mod:`service.reuse`.
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


def draft_parts(
    doc: PreparedArticle, draft: DraftText, chunk_words: int = CHUNK_WORDS
) -> list[PreparedArticle]:
    """The draft cut into runs of whole sentences of at least ``chunk_words`` words (a last run
    shorter than half of that joins the one before), each as an untitled article, in raw and
    normalized text: the lexical embedder reads the one, a sentence-transformers model the other."""
    runs: list[tuple[list[str], list[str]]] = []
    for sentence, normalized in zip(draft.sentences, draft.normalized, strict=True):
        if runs and len(" ".join(runs[-1][1]).split()) < chunk_words:
            runs[-1][0].append(sentence)
            runs[-1][1].append(normalized)
        else:
            runs.append(([sentence], [normalized]))
    if len(runs) > 1 and len(" ".join(runs[-1][1]).split()) < chunk_words // 2:
        last = runs.pop()
        runs[-1][0].extend(last[0])
        runs[-1][1].extend(last[1])
    return [
        replace(
            doc, id=f"{doc.id}#{n}", title=None, title_norm="", body=" ".join(raw), body_norm=" ".join(norm)
        )
        for n, (raw, norm) in enumerate(runs)
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
    """Ids of the stored articles nearest to each part, within ``within`` seconds of ``timestamp``
    (callers hold the state lock, shared)."""
    if not len(vectors):
        return []
    found = index.search_many(vectors, per_chunk, np.full(len(vectors), timestamp), within)
    ids: dict[str, None] = {}
    for _, seqs in found:
        for seq in seqs.tolist():
            article_id = ids_by_seq.get(int(seq))
            if article_id is not None:
                ids[article_id] = None
    return list(ids)
