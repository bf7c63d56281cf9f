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

import numpy as np

MIN_FREQ = 1e-9  # Zipf 0: what ``zipf_frequency`` answers for words it does not know


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
        at = int(np.searchsorted(keys, key))
        return int(centibels[at]) if at < len(keys) and keys[at] == key else None

    def zipf(self, word: str, lang: str) -> float:
        """``wordfreq.zipf_frequency(word, lang)``, from the compact table."""
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
        freq = max(1.0 / inverse, MIN_FREQ)
        freq = round(freq, math.floor(-math.log(freq, 10)) + 3)  # wordfreq keeps 3 significant digits
        return round(wordfreq.freq_to_zipf(freq), 2)

    def nbytes(self) -> int:
        """Memory held by the tables built so far."""
        return sum(keys.nbytes + cb.nbytes for keys, cb in self._tables.values())
