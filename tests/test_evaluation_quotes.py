"""The quote evaluation: drafts made of a host and a quoted wire, checked with passages."""

from __future__ import annotations

from pathlib import Path

from service.cli import main
from service.config import PROJECT_ROOT, Settings
from service.evaluation.quotes import evaluate_quotes, format_quote_report

SEEDS = PROJECT_ROOT / "seeds"


def test_quotes_set_into_seed_articles_are_reported(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "store", load_seeds=False)
    report = evaluate_quotes(SEEDS, settings, samples=10, quote_words=(40,), gap_days=30, min_words=100)
    assert report["stored"] == 5
    run = report["runs"][40]
    assert run["drafts"] >= 3  # the kim-russia-visit-2023 seeds: four outlets, pairs within 30 days
    assert run["reported"] == run["wire_named"] == run["drafts"] and run["spurious"] == 0
    assert "quote of 40+ words" in format_quote_report(report)
    again = evaluate_quotes(tmp_path / "no-corpus", settings, samples=10, quote_words=(40,), gap_days=30)
    assert again["stored"] == 5  # a store that holds articles is read: the corpus is not opened


def test_eval_quotes_from_the_command_line(tmp_path: Path, capsys: object) -> None:
    assert main(["eval", "quotes", "--corpus", str(SEEDS), "--data-dir", str(tmp_path / "d")]) == 0
    assert "quotes: 5 stored articles" in capsys.readouterr().out  # type: ignore[attr-defined]
