"""The duplicate evaluation: pair scoring, report formatting, streaming through a pipeline."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from service.config import Settings
from service.evaluation.duplicates import (
    LabelledPair,
    evaluate_duplicates,
    format_duplicate_report,
    read_pairs,
    score_pairs,
)

WIRE = (
    "The port authority said on Sunday that container traffic rose eleven percent in the first half of "
    "the year, helped by new shipping lines to East Africa and a second terminal that opened in March."
)


def test_score_pairs_counts_strata_and_confusion() -> None:
    pairs = [
        LabelledPair("a", "b", "duplicate", "J90x"),
        LabelledPair("c", "d", "duplicate", "J10s"),
        LabelledPair("e", "f", "same_story", "J10x"),
        LabelledPair("g", "h", "different", "C35x"),
    ]
    grouped = {("a", "b"), ("e", "f")}
    report = score_pairs(pairs, lambda x, y: (x, y) in grouped)
    assert (report["tp"], report["fp"], report["fn"], report["tn"]) == (1, 1, 1, 1)
    assert report["precision"] == report["recall"] == report["f1"] == 0.5
    assert report["strata"]["J10"]["fp"] == 1 and report["strata"]["J10"]["fn"] == 1
    assert report["confusion"]["same_story"] == {"grouped": 1}
    assert {e["error"] for e in report["errors"]} == {"fp", "fn"}
    text = format_duplicate_report(report)
    assert "precision 0.500" in text and "J90" in text and "same_story" in text


def test_read_pairs_takes_strata_from_the_sampling_file(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("url_a,url_b,label,note\nx,y,duplicate,n\n", encoding="utf-8")
    assert read_pairs(tmp_path / "p.csv") == [LabelledPair("x", "y", "duplicate", None, "n")]
    (tmp_path / "p_sampling.csv").write_text("pair_idx,url_a,url_b,stratum\n0,x,y,J50x\n", encoding="utf-8")
    assert read_pairs(tmp_path / "p.csv")[0].stratum == "J50x"


def test_evaluate_streams_the_pair_articles(tmp_path: Path) -> None:
    """Through the real pipeline (SQLite, FAISS, the lexical embedder) on a fresh data directory."""
    items = [
        {"url": "u1", "source": "s1", "title": "t", "content": WIRE, "date_extracted": "2015-07-21 10:00:00"},
        {
            "url": "u2",
            "source": "s2",
            "title": "t2",
            "content": WIRE + " Officials expect more.",
            "date_extracted": "2015-07-21 12:00:00",
        },
        {
            "url": "u3",
            "source": "s3",
            "title": "t3",
            "content": "Rain is expected over the northern hills "
            "tomorrow with strong winds and lower temperatures across the region.",
            "date_extracted": "2015-07-21 09:00:00",
        },
    ]
    with zipfile.ZipFile(tmp_path / "2015-07-21.zip", "w") as archive:
        archive.writestr("day.json", json.dumps(items))
    (tmp_path / "pairs.csv").write_text(
        "url_a,url_b,label\nu1,u2,duplicate\nu3,u1,different\n", encoding="utf-8"
    )
    report = evaluate_duplicates(
        tmp_path / "pairs.csv", tmp_path, Settings(data_dir=tmp_path / "store", load_seeds=False)
    )
    assert (report["tp"], report["fp"], report["fn"], report["tn"]) == (1, 0, 0, 1)
    assert report["articles"] == 3 and report["largest_groups"] == [2] and report["missing_pairs"] == 0
    assert "F1 1.000" in format_duplicate_report(report)
