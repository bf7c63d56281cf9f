"""Leftover style-sheet and script code: removed from the text, prose with braces kept."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.inline_code import without_code
from service.text import matching_form, sentences

# The shape of the poll widget one SaudiNewsNet outlet's scraper left in its articles.
POLL_CODE = (
    "#vote_area2 ul { padding: 0; margin: 0; } .box_vote { zbackground: #FFFFFF; "
    "zbackground: -webkit-gradient(linear, left top, left 25, from(#fff), to(#f8f8f8)); "
    "padding:18px; overflow: hidden; } .box_vote h4 { font:bold 12px Tahoma; color: #7b7a7a; "
    "-webkit-text-shadow: 0 1px 0 white; margin:0; } jQuery.noConflict(); "
    "jQuery(document).ready(function(){ jQuery('#vote_form2').submit(function() { "
    "site = jQuery('input[name=site]', jQuery(this)).val(); jQuery('#vote_area2').html('انتظر لحظات…'); "
    "return false; }); var plot1 = jQuery.jqplot('pie1', [[ ['a1870',1254],['a1871',1451] ]], "
    "{ gridPadding: {top:0, bottom:0}, legend:{ show:false, placement: 'outside' } }); });"
)
REPORT = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في جازان بسعة مئتي سرير."
POLL = "كيف تتناول إفطارك في رمضان؟ تناول إفطار خفيف وتأجيل الطعام لبعد المغرب"
FACEBOOK_SDK = (
    "(function(d, s, id) { var js, fjs = d.getElementsByTagName(s)[0]; if (d.getElementById(id)) "
    "return; js = d.createElement(s); js.id = id; js.src = '//connect.facebook.net/en_US/sdk.js'; "
    "fjs.parentNode.insertBefore(js, fjs); }(document, 'script', 'facebook-jssdk'));"
)


def test_style_sheet_and_script_are_removed_and_the_text_around_them_kept() -> None:
    cleaned = without_code(f"{REPORT} {POLL_CODE} {POLL}")
    assert "jQuery" not in cleaned and "padding" not in cleaned and "{" not in cleaned
    assert cleaned.split("\n") == [f"{REPORT} ", f" {POLL}"]


def test_english_script_left_by_a_scraper_is_removed() -> None:
    text = f"The council approved the budget on Monday. {FACEBOOK_SDK} Voting resumes next week."
    assert without_code(text) == "The council approved the budget on Monday. \n Voting resumes next week."


def test_braces_in_prose_are_kept() -> None:
    quran = "قال تعالى: {وَلاَ تَقْتُلُواْ النَّفْسَ الَّتِي حَرَّمَ اللّهُ إِلاَّ بِالْحَقِّ}، وقوله {يهدي للتي هي أقوم}."
    credit = "* خدمة {واشنطن بوست} خاص بـ{الشرق الأوسط}"
    english = "The set {a, b} has two members; the set {c} has one: that is all (see note)."
    for text in (quran, credit, english, "{ }", "x = {1: 2}; y = {3: 4};"):
        assert without_code(text) is text


def test_code_leaves_the_matching_form_and_the_sentences() -> None:
    body = f"{REPORT}\n{POLL_CODE}\n{POLL}"
    assert matching_form(body) == matching_form(f"{REPORT}\n{POLL}")
    assert all("jQuery" not in s and "padding" not in s for s in sentences(body))
    assert REPORT in sentences(body)


words = st.sampled_from(["{", "}", ";", "padding:", "0;", "f(x)", "=", "a", "كلمة", "x:1", ".box", "word."])


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=60))
def test_removal_keeps_only_tokens_of_the_text_and_is_idempotent(tokens: list[str]) -> None:
    text = " ".join(tokens)
    cleaned = without_code(text)
    assert set(cleaned.split()) <= set(text.split())
    assert without_code(cleaned) == cleaned
    if "{" not in text:
        assert cleaned is text
