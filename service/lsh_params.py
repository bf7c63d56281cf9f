"""datasketch without scipy at startup: LSH band parameters computed exactly, quad imported on use.

``datasketch.lsh`` imports ``scipy.integrate`` (about a second: a fifth of the restart budget)
only to integrate the false positive / negative curves when it picks the (bands, rows) of an
LSH. The curves are polynomials, so :func:`optimal_params` integrates them exactly with
rationals and the LSH is built with explicit ``params``. datasketch is imported here behind a
stand-in ``scipy.integrate`` whose ``quad`` imports the real one if anything ever calls it.
"""

from __future__ import annotations

import importlib
import sys
import types
from fractions import Fraction
from math import comb
from typing import Any


def _quad(*args: Any, **kwargs: Any) -> Any:
    """``scipy.integrate.quad``, imported on first use."""
    return importlib.import_module("scipy.integrate").quad(*args, **kwargs)


def _import_datasketch() -> None:
    if "datasketch" in sys.modules or "scipy.integrate" in sys.modules:
        return
    stand_in = types.ModuleType("scipy.integrate")
    stand_in.quad = _quad  # type: ignore[attr-defined]
    sys.modules["scipy.integrate"] = stand_in
    try:
        importlib.import_module("datasketch")
    finally:
        if sys.modules.get("scipy.integrate") is stand_in:
            del sys.modules["scipy.integrate"]


_import_datasketch()

from datasketch import LeanMinHash, MinHash, MinHashLSH  # noqa: E402
from datasketch.storage import DictListStorage, DictSetStorage  # noqa: E402

__all__ = ["DictListStorage", "DictSetStorage", "LeanMinHash", "MinHash", "MinHashLSH", "optimal_params"]


def _integrals(t: Fraction, b: int, r: int) -> tuple[Fraction, Fraction]:
    """Exact false positive (∫0..t of 1-(1-s^r)^b) and false negative (∫t..1 of (1-s^r)^b) areas."""
    below = t  # ∫0..t (1-s^r)^b ds is subtracted term by term below
    above = Fraction(0)
    for k in range(b + 1):
        term = Fraction(comb(b, k) * (-1) ** k, r * k + 1)
        power = t ** (r * k + 1)
        below -= term * power
        above += term * (1 - power)
    return below, above


def optimal_params(
    threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)
) -> tuple[int, int]:
    """The (bands, rows) datasketch's MinHashLSH would choose: least weighted FP + FN area."""
    t = Fraction(threshold)
    fp_weight, fn_weight = Fraction(weights[0]), Fraction(weights[1])
    best, chosen = None, (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp, fn = _integrals(t, b, r)
            error = fp * fp_weight + fn * fn_weight
            if best is None or error < best:
                best, chosen = error, (b, r)
    return chosen
