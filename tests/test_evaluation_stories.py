"""The story evaluation: B-cubed and pairwise scoring, and a whole run through a pipeline."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from service.config import PROJECT_ROOT, Settings
from service.evaluation.stories import bcubed, evaluate_stories, format_story_report, pairwise_f1

SEEDS = PROJECT_ROOT / "seeds"


def test_bcubed_and_pairwise_on_a_known_split() -> None:
    gold = {"a": "s1", "b": "s1", "c": "s2"}
    predicted: dict[str, object] = {"a": 1, "b": 2, "c": 2}
    scores = bcubed(gold, predicted)
    assert scores["a"] == {"p": 1.0, "r": 0.5}
    assert scores["b"] == {"p": 0.5, "r": 0.5}
    assert scores["c"] == {"p": 0.5, "r": 1.0}
    assert pairwise_f1(gold, predicted) == 0.0  # the one gold pair is split, the one predicted pair wrong
    assert pairwise_f1(gold, {"a": 1, "b": 1, "c": 2}) == 1.0


def write_seed_labels(path: Path) -> None:
    manifest = json.loads((SEEDS / "seeds.json").read_text(encoding="utf-8"))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["url", "story_id", "phase"])
        writer.writeheader()
        for entry in manifest["articles"]:
            writer.writerow(
                {"url": Path(entry["file"]).stem, "story_id": entry["story"], "phase": entry["phase"]}
            )


def test_evaluate_stories_streams_a_corpus_and_scores_it(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    write_seed_labels(labels)
    keep = tmp_path / "store"
    report = evaluate_stories(labels, SEEDS, Settings(data_dir=tmp_path / "unused"), data_dir=keep)
    assert report["corpus_articles"] == 5 and report["scored"] == 5
    total = report["total"]
    assert total["bcubed_p"] == total["bcubed_r"] == total["bcubed_f1"] == 1.0
    assert total["phase_judged"] == 5
    assert report["per_story"]["kim-russia-visit-2023"]["phase_accuracy"] == 1.0
    assert report["shape"]["stories"] == 2 and report["shape"]["largest"] == [4, 1]
    assert (keep / "storyline.sqlite3").is_file()  # the store is kept for inspection
    text = format_story_report(report)
    assert "B-cubed P 1.000" in text and "kim-russia-visit-2023" in text and "largest [4, 1]" in text


def test_evaluate_stories_refuses_a_used_directory(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    write_seed_labels(labels)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "file").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        evaluate_stories(labels, SEEDS, Settings(data_dir=tmp_path), data_dir=tmp_path / "used")
