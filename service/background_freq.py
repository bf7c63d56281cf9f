"""Background word frequencies (wordfreq's lists) in a compact table.

``wordfreq.zipf_frequency`` looks words up in a dict of its whole list: 620,701 Arabic and
321,180 English words, which took 118 MB of resident memory once both were loaded (measured
on this machine), more than the story state of tens of thousands of articles. The keyword
scorer only needs each word's Zipf frequency, so a list is kept here as its words' hashes,
sorted, beside their frequency in centibels: 10 bytes a word, about 9 MB for both languages.
Lookups tokenize and combine exactly as ``zipf_frequency`` does (multi-token words, digit
runs); the tests compare the two on corpus words.
"""

from __future__ import annotations

import math
import threading
from functools import cache

import numpy as np

MIN_FREQ = 1e-9  # Zipf 0: what ``zipf_frequency`` answers for words it does not know
# Words of one of these alphabets alone (no marks, tatweel, digits or punctuation) are their own
# single token in wordfreq's Arabic and English tokenizers, so their lookup skips the tokenizer
# (3 instead of 14 us a lookup). Checked on SaudiNewsNet: 260,034 such words, none tokenized otherwise.
_PLAIN_ALPHABETS = (
    frozenset(chr(c) for c in range(0x0621, 0x064B) if c != 0x0640),  # Arabic letters
    frozenset("abcdefghijklmnopqrstuvwxyz"),
)
_PLAIN_LANGS = frozenset({"ar", "en"})


class BackgroundFrequencies:
    """Zipf frequency of a word in a language's wordfreq list; tables are built on first use."""

    def __init__(self, wordlist: str = "best") -> None:
        self.wordlist = wordlist
        self._tables: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()

    def _table(self, lang: str) -> tuple[np.ndarray, np.ndarray]:
        """Sorted word hashes of the list and their centibels (``hash`` is per process, as is the table)."""
        table = self._tables.get(lang)
        if table is None:
            with self._lock:
                table = self._tables.get(lang)
                if table is None:
                    table = self._tables[lang] = self._build(lang)
        return table

    def _build(self, lang: str) -> tuple[np.ndarray, np.ndarray]:
        import wordfreq  # here, not at module level: its import costs a third of a second

        # the uncached reader: wordfreq's own cache would keep the whole list of strings alive
        buckets = wordfreq.get_frequency_list.__wrapped__(lang, self.wordlist)
        sizes = [len(bucket) for bucket in buckets]
        keys = np.fromiter((hash(w) for bucket in buckets for w in bucket), np.int64, sum(sizes))
        centibels = np.repeat(np.arange(len(buckets), dtype=np.uint16), sizes)
        order = np.argsort(keys, kind="stable")  # stable: a word listed twice keeps its first bucket
        keys, centibels = keys[order], centibels[order]
        first = np.r_[True, keys[1:] != keys[:-1]]
        return keys[first], centibels[first]

    def _centibels(self, token: str, lang: str) -> int | None:
        keys, centibels = self._table(lang)
        key = hash(token)
        at = int(keys.searchsorted(key))
        return int(centibels[at]) if at < len(keys) and keys[at] == key else None

    def zipf(self, word: str, lang: str) -> float:
        """``wordfreq.zipf_frequency(word, lang)``, from the compact table."""
        if lang in _PLAIN_LANGS and _plain(word):
            centibels = self._centibels(word, lang)
            return 0.0 if centibels is None else _single_token_zipf(centibels)
        import wordfreq

        if wordfreq.get_language_info(lang)["tokenizer"] == "jieba":
            return float(wordfreq.zipf_frequency(word, lang, self.wordlist))  # inferred word breaks
        tokens = wordfreq.lossy_tokenize(word, lang)
        if not tokens:
            return 0.0
        inverse = 0.0
        for token in tokens:
            smashed = wordfreq.smash_numbers(token)
            centibels = self._centibels(smashed, lang)
            if centibels is None:
                return 0.0
            freq = wordfreq.cB_to_freq(-centibels)
            if smashed != token:
                freq *= wordfreq.digit_freq(token)
            inverse += 1.0 / freq
        return _zipf(inverse)

    def nbytes(self) -> int:
        """Memory held by the tables built so far."""
        return sum(keys.nbytes + cb.nbytes for keys, cb in self._tables.values())


def _zipf(inverse: float) -> float:
    """Zipf value of a word from the sum of its tokens' inverse frequencies, rounded as wordfreq does."""
    import wordfreq

    freq = max(1.0 / inverse, MIN_FREQ)
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)  # wordfreq keeps 3 significant digits
    return float(round(wordfreq.freq_to_zipf(freq), 2))


@cache  # a list has under a thousand distinct levels
def _single_token_zipf(centibels: int) -> float:
    """:func:`_zipf` of a one-token word listed at ``centibels``."""
    import wordfreq

    return _zipf(1.0 / wordfreq.cB_to_freq(-centibels))


def _plain(word: str) -> bool:
    """Whether the word is made of one of ``_PLAIN_ALPHABETS`` alone."""
    letters = set(word)
    return bool(letters) and any(letters <= alphabet for alphabet in _PLAIN_ALPHABETS)
