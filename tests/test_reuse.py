"""Passage reuse: the sentences a draft takes from a stored text, and what stays below the bar."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.config import DedupSettings
from service.corpus import read_seeds
from service.reuse import MAX_WORDS, draft_text, find_reuse, reuse
from service.text import matching_form, sentences
from tests.conftest import SEEDS_DIR

OWN = (
    "قالت مصادر دبلوماسية في سيول إن المحادثات المرتقبة تثير قلق حلفاء واشنطن في المنطقة. "
    "وأضافت المصادر أن أي تعاون عسكري جديد سيقابل بعقوبات إضافية تفرضها الدول الغربية منفردة. "
    "ويرى محللون أن بيونغ يانغ تسعى إلى الحصول على تقنيات متقدمة للأقمار الصناعية والغواصات "
    "مقابل تزويد موسكو بقذائف المدفعية التي تحتاجها على الجبهة."
)
DEDUP = DedupSettings()


def _wire() -> str:
    return next(a["body"] for a in read_seeds(SEEDS_DIR) if a["id"].startswith("000"))


def test_quoted_sentences_are_reported_as_written() -> None:
    quoted = sentences(_wire())[7:10]  # 78 words of the Reuters copy
    draft = draft_text(OWN + "\n" + "\n".join(quoted))
    found = reuse(draft, matching_form(_wire()), DEDUP)
    assert found is not None
    assert [draft.sentences[i] for i in found.sentences] == quoted
    assert 60 <= found.words <= 80 and 0.5 < found.draft_share < 0.8
    assert 0.1 < found.source_share < 0.3  # three of its 27 sentences


def test_a_single_short_quote_stays_below_the_bar() -> None:
    quoted = sentences(_wire())[3]  # 19 words
    draft = draft_text(OWN + "\n" + quoted)
    assert reuse(draft, matching_form(_wire()), DEDUP) is None
    lowered = reuse(draft, matching_form(_wire()), DEDUP.model_copy(update={"reuse_min_words": 10}))
    assert lowered is not None and [draft.sentences[i] for i in lowered.sentences] == [quoted]


def test_texts_on_the_same_event_in_other_words_share_nothing() -> None:
    others = {a["id"]: matching_form(a["body"]) for a in read_seeds(SEEDS_DIR)}
    assert find_reuse(draft_text(OWN), others, DEDUP) == {}


def test_draft_sentences_and_word_ends_agree() -> None:
    draft = draft_text("عنوان\n\nأول جملة هنا. ثانية هنا!\n\n---\nثالثة؟")
    assert draft.sentences == ["أول جملة هنا.", "ثانية هنا!", "ثالثة؟"]
    assert draft.ends.tolist() == [3, 5, 6] and draft.tokens.size == 6


WORDS = st.sampled_from(
    ["news", "report", "minister", "said", "talks", "visit", "train", "border", "agency", "kremlin"]
)
TEXTS = st.lists(st.lists(WORDS, min_size=1, max_size=30), min_size=1, max_size=12).map(
    lambda parts: "\n".join(" ".join(words) + "." for words in parts)
)


@settings(max_examples=60, deadline=None)
@given(TEXTS, TEXTS)
def test_reuse_invariants(first: str, second: str) -> None:
    draft = draft_text(first)
    found = reuse(draft, matching_form(second), DEDUP)
    if found is not None:
        assert DEDUP.reuse_min_words <= found.words <= draft.tokens.size
        assert 0 < found.draft_share <= 1 and 0 <= found.source_share <= 1
        listed = sum(int(draft.ends[i] - (draft.ends[i - 1] if i else 0)) for i in found.sentences)
        assert found.sentences == [] or found.words >= min(listed, DEDUP.passage_words)
    itself = reuse(draft, matching_form(first), DEDUP)  # a text reuses all of itself
    if draft.tokens.size >= DEDUP.reuse_min_words:
        assert itself is not None and itself.draft_share == 1.0 and itself.source_share == 1.0
        assert itself.sentences == list(range(len(draft.sentences)))
    else:
        assert itself is None


def test_a_piece_is_read_up_to_max_words() -> None:
    sentence = " ".join(f"word{i}" for i in range(50)) + "."
    draft = draft_text(" ".join([sentence] * (MAX_WORDS // 50 + 100)))
    assert MAX_WORDS <= draft.tokens.size < MAX_WORDS + 50 and len(draft.sentences) == MAX_WORDS // 50
