"""The fast normalization equals the straightforward reference it replaced, on random text."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from service import text

# The original implementation, kept here as the specification of the matching form.
_REF_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ی": "ي",
        "ک": "ك",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
_REF_INVISIBLE = {0x00AD, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F)} | {
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
    0xFEFF,
}
_REF_LETTER = re.compile(r"[^\W\d_]")
_REF_ARABIC = re.compile("[\u0621-\u064a\u066e-\u06d3]")


def ref_normalize(value: str) -> str:
    value = "".join(ch for ch in value if ord(ch) not in _REF_INVISIBLE)  # deleted, not spaced
    value = unicodedata.normalize("NFKC", value).casefold()
    value = text._DIACRITICS.sub("", value).replace("\u0640", "").translate(_REF_FOLD)
    value = re.sub(r"[^\w]+", " ", value).replace("_", " ")
    return re.sub(r"\s+", " ", value).strip()


def ref_strip_furniture(value: str) -> str:
    lines = [line for line in value.splitlines() if line.strip()]
    kept = [line for line in lines if not text.is_furniture(line)]
    if not any(_REF_LETTER.search(line) for line in kept):
        return "\n".join(lines)
    return "\n".join(kept)


def ref_arabic_ratio(value: str) -> float:
    letters = _REF_LETTER.findall(value)
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _REF_ARABIC.match(ch)) / len(letters)


# Arabic letters and their variants, diacritics, tatweel, both digit sets, Latin, underscores,
# punctuation, every kind of line break and space, and presentation forms NFKC rewrites.
_ALPHABET = (
    "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيٱیکۀ"
    "\u064b\u064c\u064e\u0650\u0651\u0652\u0670\u06d6\u0640"
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹0123456789"
    "abcXYZßİﬁ_-|•–—()«»\"'.,:!?؟،…"
    " \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u2029\u3000"
    "\ufefb\ufe8d\ufdf2\u0301"
    "\u200b\u200c\u200f\u00ad\ufeff\u2066\u061c"
)
random_text = st.text(alphabet=_ALPHABET, max_size=200) | st.text(max_size=80)
furniture_words = st.sampled_from(["شارك", "اقرأ أيضاً", "المصدر", "Share", "Tags", "القاهرة - محمد"])
lined_text = st.lists(random_text | furniture_words, max_size=8).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(random_text)
def test_normalize_equals_reference(value: str) -> None:
    assert text.normalize(value) == ref_normalize(value)


@settings(max_examples=400, deadline=None)
@given(lined_text)
def test_matching_form_equals_reference(value: str) -> None:
    assert text.strip_furniture(value) == ref_strip_furniture(value)
    assert text.matching_form(value) == ref_normalize(ref_strip_furniture(value))


@settings(max_examples=400, deadline=None)
@given(random_text)
def test_arabic_ratio_equals_reference(value: str) -> None:
    assert text.arabic_ratio(value) == ref_arabic_ratio(value)
