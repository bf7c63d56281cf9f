"""Function words of the main languages of international news other than Arabic.

The lexical embedder leaves them out of an article's bag (the word and its n-grams). Its IDF
cannot discount them on a store of mostly Arabic news, where every English n-gram is rare: "the"
weighed as much as a name, each English article's distinctive words were "the, in, and, said",
and unrelated English articles joined one story. Arabic ones stay in: an Arabic store's IDF
discounts them, and the seed story needs them.

A function word here is a stopword (stopwords-iso) that is also among the language's most
frequent words (wordfreq): the full stopword lists hold content words ("war", "fire", "million",
"world"), and are applied only to articles of their own language ("war" is German for "was").
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache

import stopwordsiso
import wordfreq

from service.text import normalize

LANGUAGES = ("en", "fr", "es", "de", "it", "pt", "nl", "tr", "ru", "id")
TOP_WORDS = 120  # of each language's most frequent words ("world" is 135th in English)


@cache
def function_words(language: str) -> frozenset[str]:
    """The function words of ``language`` in matching form (empty for Arabic and languages not listed)."""
    if language not in LANGUAGES:
        return frozenset()
    frequent = set(wordfreq.top_n_list(language, TOP_WORDS))
    words = (normalize(w) for w in stopwordsiso.stopwords(language) if w in frequent)
    return frozenset(w for w in words if w and " " not in w)


@lru_cache(maxsize=1)
def digest() -> str:
    """A short digest of every list: part of the lexical embedder's fingerprint, since another
    list (another stopwords-iso or wordfreq version) gives other features."""
    text = "\n".join(f"{lang}:{' '.join(sorted(function_words(lang)))}" for lang in LANGUAGES)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
