"""Compact in-memory storage for a ``datasketch`` MinHash LSH: sorted numpy arrays instead of dicts.

A dict-of-buckets storage costs about 2 KB per article at 16 bands (a bytes key, a dict slot
and often a set per band). Here every stored article gets a row number; each band keeps its
(band key, row) pairs as two sorted arrays (12 bytes per article) plus a small dict of recent
inserts that is merged in when it grows, and each article's band keys are one row of a byte
matrix. Band keys up to 8 bytes (``r <= 2`` rows per band) are used exactly as integers; longer
ones are folded to 64 bits, which can only add candidates (every candidate is verified).
Removed articles are marked dead and dropped from the arrays at the next merge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from service.lsh_params import DictListStorage, DictSetStorage

MERGE_MIN = 1024  # recent inserts kept in a dict at least before they are merged into a band's arrays
MERGE_SHARE = 64  # ... and at most this fraction of the band (a merge copies the band once)


def band_int(key: bytes) -> int:
    """The 64-bit integer a band key is stored under."""
    if len(key) <= 8:
        return int.from_bytes(key, "little")
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")


class Rows:
    """Row numbers of the stored articles, shared by the key storage and every band."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []
        self.row_of: dict[str, int] = {}
        self.dead = np.zeros(0, dtype=bool)

    def add(self, article_id: str) -> int:
        row = self.row_of.get(article_id)
        if row is not None and not self.dead[row]:
            return row
        row = len(self.ids)
        self.ids.append(article_id)
        self.row_of[article_id] = row
        if row >= len(self.dead):
            self.dead = np.concatenate([self.dead, np.zeros(max(1024, row), dtype=bool)])
        return row

    def kill(self, article_id: str) -> None:
        row = self.row_of.pop(article_id)
        self.dead[row] = True
        self.ids[row] = None


class ArrayKeys(DictListStorage):  # type: ignore[misc]
    """Each article's band keys, as one row of a byte matrix."""

    def __init__(self, rows: Rows, bands: int, width: int) -> None:
        self.rows, self.bands, self.width = rows, bands, width
        self.matrix = np.zeros((0, bands * width), dtype=np.uint8)

    def _ensure(self, row: int) -> None:
        if row >= len(self.matrix):
            grown = np.zeros((max(1024, 2 * len(self.matrix), row + 1), self.matrix.shape[1]), np.uint8)
            grown[: len(self.matrix)] = self.matrix
            self.matrix = grown

    def insert(self, key: str, *vals: bytes, **kwargs: Any) -> None:
        row = self.rows.add(key)
        self._ensure(row)
        self.matrix[row] = np.frombuffer(b"".join(vals), dtype=np.uint8)

    def fill(self, ids: Sequence[str], keys: np.ndarray) -> np.ndarray:
        """Bulk insert into an empty storage; returns the articles' rows."""
        rows = np.fromiter((self.rows.add(i) for i in ids), np.int64, len(ids))
        self._ensure(int(rows.max()) if len(rows) else 0)
        self.matrix[rows] = keys
        return rows

    def rows_of(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The stored ones of ``ids`` and their band keys, one row each (as :meth:`insert` put them)."""
        known = [i for i in ids if i in self.rows.row_of]
        return known, self.matrix[[self.rows.row_of[i] for i in known]]

    def get(self, key: str) -> list[bytes]:
        row = self.rows.row_of.get(key)
        if row is None:
            return []
        data = self.matrix[row].tobytes()
        return [data[i : i + self.width] for i in range(0, len(data), self.width)]

    def remove(self, *keys: str, **kwargs: Any) -> None:
        for key in keys:
            if key in self.rows.row_of:
                self.rows.kill(key)

    def has_key(self, key: str) -> bool:
        return key in self.rows.row_of

    def __contains__(self, key: object) -> bool:
        return key in self.rows.row_of

    def keys(self) -> Iterator[str]:
        return iter(list(self.rows.row_of))

    def size(self) -> int:
        return len(self.rows.row_of)


class ArrayBuckets(DictSetStorage):  # type: ignore[misc]
    """One band: sorted (key, row) arrays plus recent inserts; dead rows are skipped."""

    def __init__(self, rows: Rows, width: int) -> None:
        self.rows, self.width = rows, width
        self.keys_sorted = np.zeros(0, dtype=np.uint64)
        self.rows_sorted = np.zeros(0, dtype=np.int32)
        self.recent: dict[int, list[int]] = {}

    def _rows(self, key: int) -> list[int]:
        lo = int(np.searchsorted(self.keys_sorted, np.uint64(key), "left"))
        hi = int(np.searchsorted(self.keys_sorted, np.uint64(key), "right"))
        found = self.rows_sorted[lo:hi].tolist() + self.recent.get(key, [])
        dead = self.rows.dead
        return [r for r in found if not dead[r]]

    def get(self, key: bytes) -> list[str]:
        ids = self.rows.ids
        return [ids[r] for r in self._rows(band_int(key))]  # type: ignore[misc]

    def insert(self, key: bytes, *vals: str, **kwargs: Any) -> None:
        number = band_int(key)
        for val in vals:
            self.recent.setdefault(number, []).append(self.rows.add(val))
        if len(self.recent) > max(MERGE_MIN, len(self.keys_sorted) // MERGE_SHARE):
            self.merge()

    def fill(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Bulk insert of (uint64 key, row) pairs into an empty band."""
        order = np.argsort(keys, kind="stable")
        self.keys_sorted = keys[order].astype(np.uint64)
        self.rows_sorted = rows[order].astype(np.int32)

    def merge(self) -> None:
        """Move the recent inserts into the sorted arrays, dropping dead rows.

        Only the recent pairs are sorted; they go in after the equal keys already there (the
        order a stable sort of all pairs gives), so a merge costs one copy of the band, and a
        dict of recent inserts (about 140 bytes a pair) can stay small.
        """
        pairs = [(k, r) for k, rows in self.recent.items() for r in rows]
        self.recent = {}
        new_keys = np.array([k for k, _ in pairs], dtype=np.uint64)
        new_rows = np.array([r for _, r in pairs], dtype=np.int32)
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_rows = new_keys[order], new_rows[order]
        dead = self.rows.dead
        keys, rows = self.keys_sorted, self.rows_sorted
        gone = dead[rows]
        if gone.any():
            keys, rows = keys[~gone], rows[~gone]
        live = ~dead[new_rows]
        new_keys, new_rows = new_keys[live], new_rows[live]
        at = np.searchsorted(keys, new_keys, side="right")
        self.keys_sorted = np.insert(keys, at, new_keys)
        self.rows_sorted = np.insert(rows, at, new_rows)

    def remove_val(self, key: bytes, val: str, **kwargs: Any) -> None:
        row = self.rows.row_of.get(val)
        if row is None or row not in self._rows(band_int(key)):
            raise KeyError(val)
        # The article leaves every band at once: its keys storage entry marks the row dead.

    def remove(self, *keys: bytes, **kwargs: Any) -> None:
        """Buckets only exist through their rows: nothing to do."""

    def _items(self) -> Iterable[tuple[int, list[int]]]:
        merged: dict[int, list[int]] = {}
        for k, r in zip(self.keys_sorted.tolist(), self.rows_sorted.tolist(), strict=True):
            merged.setdefault(k, []).append(r)
        for k, rows in self.recent.items():
            merged.setdefault(k, []).extend(rows)
        dead = self.rows.dead
        for k, rows in merged.items():
            live = [r for r in rows if not dead[r]]
            if live:
                yield k, live

    def keys(self) -> Iterator[bytes]:
        return (k.to_bytes(8, "little")[: self.width] for k, _ in self._items())

    def itemcounts(self, **kwargs: Any) -> dict[bytes, int]:
        return {k.to_bytes(8, "little")[: self.width]: len(rows) for k, rows in self._items()}

    def size(self) -> int:
        return sum(1 for _ in self._items())


def band_ints(band: np.ndarray) -> np.ndarray:
    """:func:`band_int` of each row of an (articles, rows per band) uint32 array of hash values."""
    count, width = band.shape
    if 4 * width <= 8:
        out = np.zeros(count, np.uint64)
        for j in range(width):
            out |= band[:, j].astype(np.uint64) << np.uint64(32 * j)
        return out
    raw = np.ascontiguousarray(band.astype("<u4")).tobytes()
    size = 4 * width
    return np.fromiter((band_int(raw[i : i + size]) for i in range(0, len(raw), size)), np.uint64, count)
