"""Small statistics helpers: repeated-run summaries and latency percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence

Figures = dict[str, float]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarize(figures: Figures, key: str, samples: Sequence[float]) -> None:
    """Record median, min and max of repeated samples as ``key.median`` / ``key.min`` / ``key.max``."""
    figures[f"{key}.median"] = percentile(samples, 50)
    figures[f"{key}.min"] = min(samples) if samples else math.nan
    figures[f"{key}.max"] = max(samples) if samples else math.nan


def spread(figures: Figures, key: str, digits: int = 1) -> str:
    """``median (min–max)`` of a summarized figure, for the report."""
    med, low, high = (figures.get(f"{key}.{part}", math.nan) for part in ("median", "min", "max"))
    if math.isnan(med):
        return "–"
    return f"{med:,.{digits}f} ({low:,.{digits}f}–{high:,.{digits}f})"
