"""Normalization: matching forms are idempotent, keep letters, and never touch the original."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from service.text import (
    fold_arabic,
    has_words,
    is_furniture,
    matching_form,
    normalize,
    sentences,
    strip_furniture,
    words,
)

ARABIC_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي"
arabic_text = st.text(
    alphabet=ARABIC_LETTERS + "\u064b\u064c\u064e\u0650\u0651\u0652\u0640 \n،.؟", min_size=1
)


def test_fold_arabic_unifies_variants() -> None:
    assert fold_arabic("أإآٱ") == "اااا"
    assert fold_arabic("مدرسة") == "مدرسه"
    assert fold_arabic("مستشفى") == "مستشفي"
    assert fold_arabic("مُحَمَّـــد") == "محمد"
    assert fold_arabic("١٢٣") == "123"


def test_normalize_casefolds_and_drops_punctuation() -> None:
    assert normalize("  Hello,   WORLD! ") == "hello world"
    assert normalize("«قال» الرئيسُ: نعم") == "قال الرييس نعم"


def test_furniture_lines_are_dropped_from_matching_form() -> None:
    raw = "دولي\n\nكشفت صحيفة نيويورك تايمز اليوم أن الزعيم يخطط لزيارة روسيا.\nمشاركة :\nيقرأون الآن\n"
    assert matching_form(raw) == "كشفت صحيفه نيويورك تايمز اليوم ان الزعيم يخطط لزياره روسيا"
    assert is_furniture("  • مشاركة :")
    assert is_furniture("Share this")
    assert is_furniture("القاهرة الإخبارية - مازن إسلام")
    assert not is_furniture("وقال المتحدث باسم الكرملين إن الزيارة ستكون شاملة.")


def test_dateline_lines_are_furniture_and_sentences_with_dates_are_not() -> None:
    body = "المدينة المنورة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس\nافتتح أمير المنطقة المعرض اليوم."
    assert matching_form(body) == "افتتح امير المنطقه المعرض اليوم"
    assert is_furniture("WASHINGTON, Aug. 10, 2015")
    assert is_furniture("الأحد 10 شوال 1436")
    assert not is_furniture("وصل الملك إلى جدة في 10 أغسطس 2015 قادما من الرياض")
    assert not is_furniture("In March 2015 the council met 3 times to vote on 12 budgets")
    assert not is_furniture("(50) جريدة الوفد، 17 أغسطس 1994، وجريدة الأهرام، 11 أغسطس 1994.")


def test_short_text_is_kept_when_everything_looks_like_furniture() -> None:
    assert strip_furniture("عاجل") == "عاجل"
    assert matching_form("زلزال قوي") == "زلزال قوي"


def test_sentences_split_on_arabic_and_latin_punctuation() -> None:
    parts = sentences("هل وصل الوفد؟ نعم وصل صباحا. وبدأت المحادثات فورا!\nOne more line here please.")
    assert len(parts) == 4


@settings(max_examples=200, deadline=None)
@given(arabic_text)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1))
def test_matching_form_is_idempotent_on_any_text(text: str) -> None:
    once = matching_form(text)
    assert matching_form(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_words_of_normalized_text_are_its_word_runs(text: str) -> None:
    for form in (normalize(text), matching_form(text)):
        assert words(form) == re.findall(r"\w+", form)


@given(arabic_text)
def test_arabic_letters_are_never_emptied(text: str) -> None:
    has_letter = any(ch in ARABIC_LETTERS for ch in text)
    if has_letter:
        assert matching_form(text) != ""
        assert normalize(text) != ""


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1))
def test_original_is_untouched(text: str) -> None:
    copy = str(text)
    matching_form(text)
    normalize(text)
    strip_furniture(text)
    assert text == copy


# Arabic block and presentation forms, combining marks, fullwidth forms: where NFKC and the fold act.
_edge_chars = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.sampled_from(
    list(" _.ـ\u0300\u0654\u064b\u0651٣ﻻﺎＡｚ０ßİ\u200f")
)


@given(st.text() | arabic_text | st.text(alphabet=_edge_chars))
def test_has_words_answers_whether_normalize_keeps_anything(text: str) -> None:
    assert has_words(text) == bool(normalize(text))


def test_has_words_on_texts_of_no_words() -> None:
    assert not has_words(" _ ـ \u064b\u0651 ... ،؟")  # underscore, tatweel, diacritics, punctuation
    assert has_words("ـمـ") and has_words("٣") and has_words("ﻻ")  # folded, Eastern digit, ligature


INVISIBLE = "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u202b\u2067"


def test_invisible_characters_do_not_split_words() -> None:
    """A zero-width space or soft hyphen inside a word split it, so such copies were missed."""
    assert normalize("earth\u200bquake build\u00adings") == "earthquake buildings"
    assert normalize("\u200fالزلزال\u200c ضرب\ufeff") == normalize("الزلزال ضرب")


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(INVISIBLE))))
def test_inserting_invisible_characters_changes_no_matching_form(
    text: str, inserts: list[tuple[int, str]]
) -> None:
    marked = text
    for position, char in inserts:
        at = position % (len(marked) + 1)
        marked = marked[:at] + char + marked[at:]
    assert normalize(marked) == normalize(text)


def test_tag_lists_are_furniture_but_sentences_opening_with_the_word_are_not() -> None:
    assert is_furniture("سمات الجوازات وافدون وثيقة سفر يمنيون")
    assert is_furniture("سمات: الجوازات، وافدون، وثيقة سفر") and is_furniture("Keywords: Nepal, earthquake")
    assert is_furniture("الكلمات الدالة: الطائف، مهرجان الصيف")
    assert not is_furniture(
        "سمات القيادة الناجحة كثيرة، ومنها الصبر والحكمة والقدرة على اتخاذ القرار المناسب"
    )
    assert not is_furniture(
        "سمات التميز والريادة في شخصية السديري منوعة ومؤثرة، وهي أكبر من أن تحصى في سطور."
    )
    assert is_furniture("رابط الخبر بصحيفة الوئام: افتتاح مهرجان الصيف في الطائف بمشاركة واسعة")


def test_sentences_do_not_end_at_initials_or_abbreviations() -> None:
    """ "stocks closed higher…" was a summary sentence: the split fell after "U.S."."""
    text = (
        "Stocks rose in the U.S. on Monday as Acme Corp. reported. Dr. Lee disagreed.\nWashington D.C.\n"
        "The quake hit at 4:17 a.m. local time. It was felt at 10 p.m. too.\nEnd."
    )
    assert sentences(text) == [
        "Stocks rose in the U.S. on Monday as Acme Corp. reported.",
        "Dr. Lee disagreed.",
        "Washington D.C.",
        "The quake hit at 4:17 a.m. local time.",
        "It was felt at 10 p.m. too.",
        "End.",
    ]
