"""Function words of the main languages of international news other than Arabic.

The lexical embedder leaves them out of an article's bag (the word and its n-grams). Its IDF
cannot discount them on a store of mostly Arabic news, where every English n-gram is rare: "the"
weighed as much as a name, each English article's distinctive words were "the, in, and, said",
and unrelated English articles joined one story. Arabic ones stay in: an Arabic store's IDF
discounts them, and the seed story needs them.

A function word here is a stopword (stopwords-iso) that is also among the language's most
frequent words (wordfreq): the full stopword lists hold content words ("war", "fire", "million",
"world"), and are applied only to articles of their own language ("war" is German for "was").
The lists ship as ``function_words.json``; a test checks that the libraries still give them.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from pathlib import Path

from service.text import normalize

LANGUAGES = ("en", "fr", "es", "de", "it", "pt", "nl", "tr", "ru", "id")
TOP_WORDS = 120  # of each language's most frequent words ("world" is 135th in English)
LISTS = Path(__file__).with_name("function_words.json")  # derive()'s lists, written by write_lists()


@cache
def _lists() -> dict[str, frozenset[str]]:
    data = json.loads(LISTS.read_text(encoding="utf-8"))
    return {language: frozenset(data[language]) for language in LANGUAGES}


def function_words(language: str) -> frozenset[str]:
    """The function words of ``language`` in matching form (empty for Arabic and languages not
    listed), as shipped: deriving them loads wordfreq's lists of 10 languages, 0.66 s of every
    start, and a library upgrade would change the features silently (a test compares)."""
    return _lists().get(language, frozenset())


def derive(language: str) -> frozenset[str]:
    """``language``'s function words as stopwords-iso and wordfreq give them now."""
    import stopwordsiso
    import wordfreq

    frequent = set(wordfreq.top_n_list(language, TOP_WORDS))
    words = (normalize(w) for w in stopwordsiso.stopwords(language) if w in frequent)
    return frozenset(w for w in words if w and " " not in w)


def write_lists(path: Path = LISTS) -> None:
    """Write the derived lists (after a deliberate upgrade of either library; the digest, and so
    the lexical embedder's fingerprint, changes with them)."""
    lines = [
        f"{json.dumps(language)}: {json.dumps(sorted(derive(language)), ensure_ascii=False)}"
        for language in LANGUAGES
    ]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


@lru_cache(maxsize=1)
def digest() -> str:
    """A short digest of every list: part of the lexical embedder's fingerprint, since other lists
    give other features."""
    text = "\n".join(f"{lang}:{' '.join(sorted(function_words(lang)))}" for lang in LANGUAGES)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
