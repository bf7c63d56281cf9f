"""The compact background table answers exactly what wordfreq answers, in a tenth of the memory."""

from __future__ import annotations

import wordfreq
from hypothesis import given, settings
from hypothesis import strategies as st

from service.background_freq import BackgroundFrequencies
from service.config import PROJECT_ROOT
from service.corpus import read_seeds
from service.keywords import surface_tokens

ODD = ["", "...", "2015", "١٢٣", "بـ2015", "covid-19", "Jong-un", "U.S.", "can't", "الرياض،", "x" * 40]


def test_zipf_matches_wordfreq_on_seed_words_numbers_and_odd_tokens() -> None:
    words = {w for item in read_seeds(PROJECT_ROOT / "seeds") for w in surface_tokens(item["body"])}
    words |= {"summit", "Pyongyang", "Vladivostok", "the", "qqqzzzxx", *ODD}
    table = BackgroundFrequencies()
    for word in sorted(words):
        for lang in ("ar", "en"):
            assert table.zipf(word, lang) == wordfreq.zipf_frequency(word, lang), (word, lang)
    assert table.zipf("بوتين", "ar") > 3 and table.zipf("qqqzzzxx", "en") == 0.0


def test_tables_are_small() -> None:
    table = BackgroundFrequencies()
    table.zipf("السلام", "ar")
    table.zipf("peace", "en")
    words = sum(len(bucket) for lang in ("ar", "en") for bucket in wordfreq.get_frequency_list(lang))
    assert 0.99 * 10 * words <= table.nbytes() <= 10 * words  # an 8-byte hash and a 2-byte level a word
    assert table.nbytes() < 12 * 2**20


SHARED = BackgroundFrequencies()  # built once for the property test
ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x064B) if c != 0x0640]


def test_listed_words_of_one_alphabet_match_wordfreq() -> None:
    """The tokenizer-free path for plain Arabic and English words, on words the lists do hold."""
    table = BackgroundFrequencies()
    for lang in ("ar", "en"):
        listed = [w for w in wordfreq.top_n_list(lang, 3000) if w.isalpha()]
        assert len(listed) > 2000
        for word in listed:
            assert table.zipf(word, lang) == wordfreq.zipf_frequency(word, lang), (word, lang)


@settings(max_examples=300, deadline=None)
@given(
    word=st.one_of(
        st.text(st.sampled_from([*ARABIC_LETTERS, "\u0640", "\u064e", "a"]), min_size=0, max_size=8),
        st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyzA-'1")), min_size=0, max_size=8),
    ),
    lang=st.sampled_from(["ar", "en"]),
)
def test_any_short_word_matches_wordfreq(word: str, lang: str) -> None:
    """Plain words, and near misses (tatweel, a diacritic, capitals, digits, mixed scripts)."""
    assert SHARED.zipf(word, lang) == wordfreq.zipf_frequency(word, lang)
