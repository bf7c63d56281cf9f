"""Markup rendered as text: tags, hidden elements and entities; plain text untouched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.markup import has_markup, to_line, to_text


def test_tags_become_text_with_paragraph_breaks() -> None:
    page = (
        '<div class="article-body"><p>The ECB&#8217;s &quot;buy-out&quot; plan.</p>'
        "<p>Second&nbsp;paragraph &amp; more.<br/>A new line.</p>"
        "<script>var poll = {padding: 0};</script><style>.x{margin:0}</style><!-- ad --></div>"
    )
    assert to_text(page) == 'The ECB’s "buy-out" plan.\n\nSecond paragraph & more.\nA new line.'


def test_a_title_stays_on_one_line() -> None:
    assert to_line("Strike &#8216;buy-out&#8217;<br> <b>now</b>") == "Strike ‘buy-out’ now"
    assert to_line("عنوان &quot;الخبر&quot;") == 'عنوان "الخبر"'


def test_comparisons_and_ampersands_in_plain_text_stay() -> None:
    for text in ("a < b and c > d", "x<3 & y>2", "AT&T results", "R&D spending < 5%", "<3 love"):
        assert not has_markup(text) and to_text(text) == text


@given(st.text(alphabet=st.characters(blacklist_characters="<&")))
def test_text_without_markup_is_returned_unchanged(text: str) -> None:
    assert to_text(text) == text and to_line(text) == text


def test_hidden_elements_and_comments_left_open_run_to_the_end() -> None:
    """Found with a scan per opening (a lazy regex rescanned the rest for every unclosed one)."""
    assert to_text("News text.<script>var a = 1;") == "News text."
    assert to_text("<style>" * 5_000 + "tail") == ""
    assert to_text("a <!-- open comment <!-- b") == "a"
    assert to_text("<p>one</p><!-- x --><p>two</p>") == "one\n\ntwo"


def test_only_complete_entities_are_decoded() -> None:
    assert to_text("<p>See ?id=1&region=sa&copy=2 &amp; more</p>") == "See ?id=1&region=sa&copy=2 & more"
