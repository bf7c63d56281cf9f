from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from service.corpus import CorpusError, read_path, read_seeds, time_ordered
from tests.conftest import SEEDS_DIR


def test_seeds_folder_reads_five_articles_with_manifest_fields() -> None:
    seeds = list(read_seeds(SEEDS_DIR))
    assert len(seeds) == 5
    assert all(s["body"].strip() and s["source"] and s["published_at"] for s in seeds)
    assert {s["id"] for s in seeds} >= {"000_0ce7c0ef36d33531", "004_3380a39c509cf088"}


def test_json_jsonl_and_snn_zip(tmp_path: Path) -> None:
    article = {"id": "a", "source": "s", "body": "text"}
    (tmp_path / "one.json").write_text(json.dumps({"articles": [article]}))
    (tmp_path / "many.jsonl").write_text(
        json.dumps(article) + "\n\n" + json.dumps({**article, "id": "b"}) + "\n"
    )
    with zipfile.ZipFile(tmp_path / "2015-07-21.zip", "w") as archive:
        record = {
            "source": "okaz",
            "url": "http://x/1",
            "date_extracted": "2015-07-21 02:51:32",
            "title": "t",
            "author": "",
            "content": "نص",
        }
        archive.writestr("2015-07-21.json", json.dumps([record]))
    assert [a["id"] for a in read_path(tmp_path / "one.json")] == ["a"]
    assert [a["id"] for a in read_path(tmp_path / "many.jsonl")] == ["a", "b"]
    snn = list(read_path(tmp_path / "2015-07-21.zip"))
    assert snn[0]["id"] == "http://x/1" and snn[0]["published_at"] == "2015-07-21T02:51:32Z"


def test_bad_files_raise_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text("{not json}\n")
    with pytest.raises(CorpusError, match=r"bad\.jsonl:1"):
        list(read_path(tmp_path / "bad.jsonl"))
    with pytest.raises(CorpusError, match="unsupported"):
        list(read_path(tmp_path / "x.csv"))


def test_time_order_breaks_ties_by_id() -> None:
    items = [
        {"id": "b", "published_at": "2015-01-01"},
        {"id": "a", "published_at": "2015-01-01"},
        {"id": "c", "published_at": "2014-01-01"},
    ]
    assert [a["id"] for a in time_ordered(items)] == ["c", "a", "b"]
