"""Function words: frequent stopwords of one language, for that language's articles only."""

from __future__ import annotations

from service.function_words import LANGUAGES, digest, function_words


def test_function_words_are_frequent_stopwords_of_their_own_language() -> None:
    english = function_words("en")
    assert {"the", "and", "of", "said", "was"} <= english
    # stopwords-iso's English list also holds content words; only frequent ones are kept
    assert not {"fire", "million", "war", "world", "information", "former"} & english
    # each list stays with its language: "war" is German for "was"
    assert "war" in function_words("de") and "les" in function_words("fr") and "les" not in english


def test_arabic_and_unlisted_languages_keep_every_word() -> None:
    assert function_words("ar") == frozenset() and function_words("und") == frozenset()
    assert all(function_words(lang) for lang in LANGUAGES)
    assert len(digest()) == 12
