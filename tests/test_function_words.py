"""Function words: frequent stopwords of one language, for that language's articles only."""

from __future__ import annotations

from pathlib import Path

from service.function_words import LANGUAGES, derive, digest, function_words, write_lists


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


def test_the_shipped_lists_are_what_the_libraries_give(tmp_path: Path) -> None:
    """The lists ship with the code (deriving them cost 0.66 s of every start); an upgrade of
    stopwords-iso or wordfreq that changes them fails here instead of changing features silently
    (then run ``write_lists()``: the embedder's fingerprint changes with them)."""
    assert all(derive(lang) == function_words(lang) for lang in LANGUAGES)
    write_lists(tmp_path / "lists.json")
    assert (tmp_path / "lists.json").read_text(encoding="utf-8") == (
        Path(__file__).parents[1] / "service" / "function_words.json"
    ).read_text(encoding="utf-8")
