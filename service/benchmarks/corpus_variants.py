"""The benchmark corpus: real SaudiNewsNet articles, then deterministic variants of them.

SaudiNewsNet holds ~31k articles; larger scales are reached by generating variants of the
real articles (re-headlined copies, trims, sentence shuffles, splices of two articles), each
round shifted in time past the previous one. Everything is seeded, so two runs ingest exactly
the same stream. Without the corpus (a fresh checkout, no ``../shared``), a small synthetic
Arabic-like corpus is built from the seed articles' vocabulary so the smoke run still works.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from service.config import PROJECT_ROOT
from service.corpus import read_path, read_seeds, time_ordered

SEED = 20150721
ROUND_SHIFT = timedelta(days=23)  # SaudiNewsNet spans 22 days: each variant round starts after it
_SENTENCE = re.compile(r"(?<=[.!?؟])\s+|\n+")
KINDS = ("reheadline", "trim", "shuffle", "splice")

Article = dict[str, Any]


_LETTER = re.compile(r"[^\W_]")


def _usable(item: Article) -> bool:
    """Has a source and some letters or digits (the API rejects the rest); cheap, unlike normalizing."""
    return bool(item.get("source")) and _LETTER.search(str(item.get("body") or "")) is not None


def synthetic_corpus(size: int) -> list[Article]:
    """Deterministic pseudo-articles from the seed articles' words (no external data needed)."""
    vocab = sorted(
        {w for a in read_seeds(PROJECT_ROOT / "seeds") for w in str(a["body"]).split() if len(w) > 2}
    )
    rng = random.Random(SEED)
    start = datetime(2015, 7, 21, 0, 0)
    out: list[Article] = []
    for i in range(size):
        sentences = [
            " ".join(rng.choices(vocab, k=rng.randint(8, 20))) + "." for _ in range(rng.randint(4, 12))
        ]
        published = start + timedelta(minutes=int(i * 22 * 24 * 60 / max(size, 1)))
        out.append(
            {
                "id": f"https://synthetic.example/{i}",
                "url": f"https://synthetic.example/{i}",
                "source": f"source{i % 14}",
                "title": " ".join(rng.choices(vocab, k=8)),
                "body": "\n".join(sentences),
                "published_at": published.isoformat() + "Z",
                "language": "ar",
            }
        )
    return out


def load_base(corpus: Path, limit: int | None = None) -> tuple[list[Article], str]:
    """Usable real articles in time order (or the synthetic fallback), and a description."""
    if corpus.exists():
        items = time_ordered(a for a in read_path(corpus) if _usable(a))
        return (items[:limit] if limit else items), f"SaudiNewsNet ({corpus})"
    return synthetic_corpus(limit or 2000), "synthetic (corpus path missing; built from the seed vocabulary)"


def _split(body: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENTENCE.split(body)) if s]


def make_variant(base: list[Article], index: int) -> Article:
    """Article number ``index`` of the stream: a real one, or a seeded variant of one."""
    size = len(base)
    original = base[index % size]
    rounds = index // size
    if rounds == 0:
        return original
    rng = random.Random(SEED * 1_000_003 + index)
    kind = KINDS[rng.randrange(len(KINDS))]
    sentences = _split(str(original["body"])) or [str(original["body"])]
    title = original.get("title")
    if kind == "reheadline":
        other = base[rng.randrange(size)]
        words = str(other.get("title") or "").split()
        title = " ".join([*words[: rng.randint(1, 4)], *(str(title or "").split()[1:])]) or title
    elif kind == "trim":
        keep = max(1, int(len(sentences) * rng.uniform(0.5, 0.9)))
        sentences = sentences[:keep]
    elif kind == "shuffle":
        rng.shuffle(sentences)
    else:
        other_sentences = _split(str(base[rng.randrange(size)]["body"]))
        half = max(1, len(sentences) // 2)
        sentences = sentences[:half] + other_sentences[len(other_sentences) // 2 :]
    published = datetime.fromisoformat(str(original["published_at"]).replace("Z", "+00:00"))
    published += ROUND_SHIFT * rounds + timedelta(seconds=rng.randint(0, 3600))
    url = f"{original.get('url') or original['id']}#v{rounds}-{kind}"
    return {
        "id": url,
        "url": url,
        "source": original["source"],
        "title": title,
        "body": "\n".join(sentences),
        "published_at": published.isoformat().replace("+00:00", "Z"),
        "language": original.get("language"),
    }


class ArticleStream:
    """Hands out consecutive articles of the deterministic stream; remembers its position."""

    def __init__(self, base: list[Article]) -> None:
        self.base = base
        self.position = 0

    def take(self, count: int) -> list[Article]:
        """The next ``count`` articles."""
        out = [make_variant(self.base, self.position + i) for i in range(count)]
        self.position += count
        return out

    def batches(self, count: int, size: int) -> Iterator[list[Article]]:
        """The next ``count`` articles in batches of ``size``, generated lazily."""
        left = count
        while left > 0:
            chunk = self.take(min(size, left))
            left -= len(chunk)
            yield chunk
