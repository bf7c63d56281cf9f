"""Readers for article files: JSON, JSONL, a seeds-style folder of .txt, SaudiNewsNet zips.

Every reader yields plain dicts with the fields of :class:`service.schemas.ArticleIn`,
so the CLI and the evaluations feed them through the same validation as the API.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

RawArticle = dict[str, Any]


class CorpusError(ValueError):
    """A file that cannot be read as articles."""


def read_seeds(folder: Path) -> Iterator[RawArticle]:
    """Articles of a folder with a ``seeds.json`` manifest naming each ``.txt`` file."""
    manifest_path = folder / "seeds.json"
    if not manifest_path.is_file():
        raise CorpusError(f"{folder} has no seeds.json manifest; add one listing each .txt file")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest.get("articles", []):
        body = (folder / entry["file"]).read_text(encoding="utf-8")
        yield {
            "id": Path(entry["file"]).stem,
            "source": entry.get("source") or "unknown",
            "title": entry.get("title"),
            "body": body,
            "url": entry.get("url"),
            "published_at": entry.get("published_at"),
            "language": entry.get("language"),
        }


def _snn_record(item: dict[str, Any]) -> RawArticle:
    """A SaudiNewsNet record as an article: the url is its id, the crawl time its date."""
    date = str(item.get("date_extracted") or "").replace(" ", "T")
    return {
        "id": item.get("url"),
        "url": item.get("url"),
        "source": item.get("source") or "unknown",
        "title": item.get("title") or None,
        "body": item.get("content") or "",
        "published_at": f"{date}Z" if date else None,
        "language": "ar",
    }


def read_snn_zip(path: Path) -> Iterator[RawArticle]:
    """Articles of one SaudiNewsNet daily zip (a JSON list per member)."""
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith(".json"):
                for item in json.loads(archive.read(name)):
                    yield _snn_record(item)


def read_json(path: Path) -> Iterator[RawArticle]:
    """A JSON file holding one article, a list of them, or ``{"articles": [...]}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "articles" in data:
        data = data["articles"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise CorpusError(f"{path}: expected an article object or a list of them")
    yield from data


def read_jsonl(path: Path) -> Iterator[RawArticle]:
    """One article object per line; blank lines are skipped."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CorpusError(f"{path}:{number}: not JSON ({exc.msg})") from exc


def read_path(path: Path) -> Iterator[RawArticle]:
    """Articles from one path of any supported kind."""
    if path.is_dir():
        if (path / "seeds.json").is_file():
            yield from read_seeds(path)
            return
        zips = sorted(path.glob("*.zip"))
        if not zips:
            raise CorpusError(f"{path}: a folder needs seeds.json or SaudiNewsNet *.zip files")
        for item in zips:
            yield from read_snn_zip(item)
    elif path.suffix == ".zip":
        yield from read_snn_zip(path)
    elif path.suffix == ".jsonl":
        yield from read_jsonl(path)
    elif path.suffix == ".json":
        yield from read_json(path)
    else:
        raise CorpusError(f"{path}: unsupported file; give .json, .jsonl, .zip or a seeds folder")


def read_paths(paths: Iterable[Path]) -> Iterator[RawArticle]:
    """Articles from several paths, in the order given."""
    for path in paths:
        if not path.exists():
            raise CorpusError(f"{path} does not exist")
        yield from read_path(path)


def time_ordered(articles: Iterable[RawArticle]) -> list[RawArticle]:
    """Articles sorted by publication time, ties broken by id (the labels' streaming order)."""
    return sorted(articles, key=lambda a: (str(a.get("published_at") or ""), str(a.get("id") or "")))
