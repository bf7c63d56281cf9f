"""``python -m service bench``: measure throughput, latency, memory, restart and ratios; write BENCHMARKS.md.

The measurements live in :mod:`service.benchmarks`; this module wires the parsed arguments
to a run, writes the report atomically and prints every figure to stdout.
"""

from __future__ import annotations

import argparse
import logging
import math
import shutil

from service.benchmarks.config import from_args
from service.benchmarks.report import render
from service.benchmarks.runner import Results, Runner
from service.benchmarks.targets import TARGETS, derive, verdict

log = logging.getLogger(__name__)


def write_report(results: Results) -> None:
    """Write the report atomically (a partial one between phases, so a long run shows progress)."""
    output = results.config.output
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f"BENCHMARKS.tmp.{output.name}")
    tmp.write_text(render(results), encoding="utf-8")
    tmp.replace(output)


def run(args: argparse.Namespace) -> Results:
    """Run the benchmark the arguments describe and write its report; returns the results."""

    def progress(results: Results) -> None:
        derive(results.figures)
        write_report(results)
        log.info("phase done after %.0fs; partial report in %s", results.seconds, results.config.output)

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    config = from_args(args)
    runner = Runner(config)
    try:
        results = runner.run(on_phase=progress)
    finally:
        if config.workdir is None:  # a temp dir of ours: data directories can be gigabytes
            shutil.rmtree(runner.root, ignore_errors=True)
    derive(results.figures)
    write_report(results)
    return results


def missing_figures(results: Results) -> list[str]:
    """Figure keys whose value is not a finite number (the smoke run requires none)."""
    return [
        key
        for key, value in results.figures.items()
        if not isinstance(value, float | int) or math.isnan(value)
    ]


def run_bench(args: argparse.Namespace) -> int:
    """CLI entry: 0 when every figure was produced (targets missed are reported, not errors)."""
    results = run(args)
    for key, value in sorted(results.figures.items()):
        print(f"{key}\t{value:.6g}")
    for target in TARGETS:
        print(
            f"target\t{target.name}\t{target.measured(results.figures):.4g} {target.unit}\t"
            f"{verdict(target, results.figures)}"
        )
    print(f"report written to {results.config.output} in {results.seconds:.0f}s")
    bad = missing_figures(results)
    if bad:
        log.error("figures not produced: %s", ", ".join(bad))
        return 1
    return 0
