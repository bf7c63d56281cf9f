"""Distinctive keywords: stopwords out, variants grouped, original spelling shown."""

from __future__ import annotations

from typing import Any

import pytest

from service.keywords import (
    CorpusFrequencies,
    display_form,
    group_key,
    is_stopword,
    keywords,
    suffix_family,
    term_of,
)
from service.text import normalize


def _story_texts(seeds: list[dict[str, Any]], prefix: tuple[str, ...]) -> list[str]:
    return [f"{a.get('title') or ''}\n{a['body']}" for a in seeds if a["id"].startswith(prefix)]


def test_kim_russia_keywords_name_the_story(seeds: list[dict[str, Any]]) -> None:
    terms = keywords(_story_texts(seeds, ("000", "001", "002", "003")))
    assert 5 <= len(terms) <= 10
    folded = {normalize(t) for t in terms}
    assert "كيم" in folded and "بوتين" in folded
    assert folded & {"روسيا", "الروسي", "روسي", "الروسيه", "موسكو"}


def test_keywords_have_no_stopwords_numbers_or_short_tokens(seeds: list[dict[str, Any]]) -> None:
    for prefix in ("000", "001", "002", "003", "004"):
        for term in keywords(_story_texts(seeds, (prefix,))):
            norm = normalize(term)
            assert not is_stopword(norm), term
            assert len(norm) >= 3 and not any(ch.isdigit() for ch in norm), term


def test_keywords_keep_the_original_spelling() -> None:
    texts = ["الأسلحة الأسلحة الأسلحة والأسلحة الاسلحة صواريخ صواريخ"] * 3
    terms = keywords(texts)
    assert "الأسلحة" in terms  # the most frequent stored spelling, hamza kept
    assert not {"الاسلحة", "والأسلحة", "اسلحه"} & set(terms)  # variants grouped, not repeated


def test_particle_forms_fold_into_the_bare_word() -> None:
    terms = keywords(["كوريا كوريا لكوريا بكوريا بيونغ بيونغ"] * 2)
    assert "كوريا" in terms and "لكوريا" not in terms and "بكوريا" not in terms


# Words that only look like a particle form: each is frequent, its "bare" word (آيات via لايات,
# لديه, زاره, ساد, الجنة, نية) is another, rarer word of the story.
LOOKALIKES = ("الولايات", "البلدية", "وزارة", "الفساد", "اللجنة", "فنية")
BARE = ("آيات", "لديه", "زاره", "ساد", "الجنة", "نية")


def test_words_starting_with_a_particle_letter_keep_their_meaning() -> None:
    genuine = ("القوات", "القوات", "وقوات", "لكوريا", "كوريا", "كوريا")
    texts = [" ".join(LOOKALIKES * 3 + ("ولايات", "لايات") + BARE + genuine)] * 3
    terms = keywords(texts, limit=20, least=20)
    assert set(LOOKALIKES) <= set(terms)
    assert set(BARE) <= set(terms)  # the rare words stay their own groups, nothing is folded into them
    assert {"القوات", "كوريا"} <= set(terms) and not {"وقوات", "لكوريا"} & set(terms)  # real particles


def test_a_word_written_after_the_article_is_not_a_particle_form() -> None:
    # لديه ("he has") is used more than البلدية here, but البلدية proves its ب is the word's own
    terms = keywords(["البلدية بلدية بلدية لديه لديه لديه لديه"] * 2, limit=5, least=5)
    assert "البلدية" in terms or "بلدية" in terms
    assert "لديه" in terms


def test_particle_folds_do_not_chain() -> None:
    # each step alone would fold (the shorter word is used as often), but a word that took in
    # another is not folded on: ولايات joins لايات, which stays apart from ايات
    terms = keywords(["ولايات لايات لايات ايات ايات ايات"] * 2, limit=5, least=5)
    assert "لايات" in terms and "ايات" in terms and "ولايات" not in terms


def test_ending_variants_of_one_lemma_are_one_keyword() -> None:
    text = (
        "الفلسطيني الفلسطيني الفلسطيني الفلسطينية الفلسطينية الفلسطينيين الفلسطينيين الفلسطينيون "
        "المستوطنين المستوطنين المستوطنون فلسطين فلسطين دوابشة دوابشة"
    )
    terms = keywords([text] * 3, limit=10, least=10)
    palestinian = {"الفلسطيني", "الفلسطينيين", "الفلسطينيون"}
    assert set(terms) & palestinian == {"الفلسطيني"}  # the most used spelling names the lemma
    assert set(terms) & {"المستوطنين", "المستوطنون"} == {"المستوطنين"}
    assert "فلسطين" in terms  # the bare noun stays its own keyword


def _family(word: str) -> str | None:
    return suffix_family(group_key(normalize(word)))


def test_suffix_family_keeps_different_words_apart() -> None:
    assert _family("الفلسطينيين") == _family("الفلسطينيون") == _family("فلسطيني")
    assert _family("المواطنون") == _family("المواطنين")
    # feminine endings are nouns of their own too: republic / Republican, nationality / sexual
    assert _family("الجمهورية") != _family("الجمهوري") and _family("الجنسية") != _family("الجنسي")
    assert _family("الرياضيات") != _family("الرياضي")
    # a noun and its adjective are other words: meeting / social, centre / central
    assert _family("اجتماع") != _family("الاجتماعي") and _family("مركز") != _family("المركزي")
    assert _family("فلسطين") != _family("الفلسطيني")
    # nouns in اية (the US / a province) and plurals of a short stem (eyes / eye) are left alone
    assert _family("الولايات") is None and _family("الولاية") is None
    assert _family("عيون") is None and _family("عين") is None


def test_group_key_strips_the_article_but_keeps_short_words() -> None:
    assert group_key(normalize("والرئيس")) == normalize("رئيس")
    assert group_key(normalize("الرئيس")) == group_key(normalize("رئيس"))
    assert group_key("الي") == "الي"  # remainder too short: left alone


def test_term_of_rejects_stopwords_digits_and_short_tokens() -> None:
    assert term_of("وقال") is None
    assert term_of("2023") is None and term_of("١٢٣") is None
    assert term_of("في") is None
    assert term_of("الثلاثاء") is None  # generic news word
    assert term_of("فلاديفوستوك") == ("فلاديفوستوك", "فلاديفوستوك")


def test_english_text_gets_english_keywords() -> None:
    text = (
        "The summit in Vladivostok brought Kim and Putin together. Kim inspected Russian jets in Vladivostok."
    )
    terms = keywords([text, text.replace("summit", "meeting")])
    assert {"Vladivostok", "Kim", "Putin"} <= set(terms)
    assert not {"the", "and", "in"} & {t.lower() for t in terms}


def test_corpus_frequencies_sink_words_every_story_uses() -> None:
    corpus = CorpusFrequencies()
    for i in range(300):
        corpus.add(normalize(f"السعودية خبر رقم {i}"))
    texts = ["السعودية السعودية السعودية فلاديفوستوك فلاديفوستوك"] * 2
    assert keywords(texts, corpus=corpus)[0] == "فلاديفوستوك"


def test_a_frozen_corpus_counts_as_before_and_takes_no_more_documents() -> None:
    corpus = CorpusFrequencies()
    for i in range(300):
        corpus.add(normalize(f"السعودية خبر رقم {i} كلمة{i % 7}"))
    keys = [*corpus.df, "غائبة", "absent"]
    before = {k: corpus.idf(k) for k in keys}
    texts = ["السعودية السعودية فلاديفوستوك فلاديفوستوك كلمة3"] * 2
    ranked = keywords(texts, corpus=corpus)
    frozen = corpus.freeze()
    assert not frozen.df and frozen.frozen is not None and len(frozen.frozen[0]) == len(before) - 2
    assert corpus.frozen is None and {k: corpus.idf(k) for k in keys} == before  # a copy: this one is intact
    assert {k: frozen.idf(k) for k in keys} == before
    assert keywords(texts, corpus=frozen) == ranked
    assert frozen.freeze() is frozen
    assert not frozen.frozen[1].flags.writeable
    with pytest.raises(ValueError, match="frozen"):
        frozen.add("نص جديد")


def test_display_form_prefers_frequent_then_short() -> None:
    assert display_form({"الأسلحة": 3, "الاسلحة": 1}) == "الأسلحة"
    assert display_form({"كيم": 2, "كيمو": 2}) == "كيم"


def test_empty_input_gives_no_keywords() -> None:
    assert keywords([]) == []
    assert keywords(["في من على"]) == []


def test_display_prefers_the_bare_or_definite_word_over_fused_particles() -> None:
    assert display_form({"وقوات": 5, "القوات": 3, "قوات": 1}, normalize("قوات")) == "القوات"
    assert display_form({"وقوات": 5}, normalize("قوات")) == "وقوات"
