"""Which embedder produced a data directory's vectors, and a refusal to mix two.

Stored vectors are reused at every start (the snapshot, the FAISS shards, the replay). Vectors
of another size crash the start; vectors of another model of the same size would be searched
side by side with the new ones and scored as if comparable, silently. So the directory records
the embedder's fingerprint with its first start, and a start with another one is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path

from service.embedding import Embedder
from service.store import Store

STATE_KEY = "embedder"
log = logging.getLogger(__name__)


class EmbedderMismatch(RuntimeError):
    """The configured embedder is not the one the stored vectors came from."""


def check_embedder(store: Store, embedder: Embedder, data_dir: Path) -> None:
    """Record the embedder on a new directory; raise ``EmbedderMismatch`` for another one."""
    recorded = store.get_state(STATE_KEY)
    if recorded is not None:
        if recorded.decode() != embedder.fingerprint:
            raise _mismatch(data_dir, recorded.decode(), embedder.fingerprint)
        return
    width = store.vector_width()  # a directory from before fingerprints: its vectors' size tells
    if width is not None and width != embedder.dim:
        raise _mismatch(
            data_dir, f"an embedder of {width} dimensions", f"{embedder.fingerprint} ({embedder.dim})"
        )
    if width is not None:
        log.warning(
            "data directory %s records no embedder (written before stop 24); taken to be %s, which "
            "has vectors of its size; if it was built with another model, reindex it",
            data_dir,
            embedder.fingerprint,
        )
    with store.transaction() as tx:
        tx.put_state(STATE_KEY, embedder.fingerprint.encode())


def _mismatch(data_dir: Path, built: str, configured: str) -> EmbedderMismatch:
    return EmbedderMismatch(
        f"data directory {data_dir} holds vectors of {built}, but this start is configured for "
        f"{configured}; vectors of two embedders cannot share one index. Set the embedder settings "
        "(STORYLINE_EMBEDDER, STORYLINE_EMBEDDING_MODEL, STORYLINE_STORIES__LEXICAL_DIM, ...) back to "
        "what built it, or give the new embedder its own data "
        "directory (--data-dir / STORYLINE_DATA_DIR) and copy the articles into it with "
        f"`python -m service reindex {data_dir} --data-dir NEW_DIR`."
    )
