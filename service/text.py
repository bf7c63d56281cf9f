"""Text normalization for matching: the stored original is never changed.

Every comparison in the service (exact hashes, shingles, n-gram embeddings, keyword
search) runs on the *matching form* produced here: Unicode NFKC, case folding,
Arabic orthographic normalization (diacritics, tatweel, alef/hamza variants, alef
maqsura, ta marbuta), Arabic-Indic digits to Latin, punctuation to spaces, and
page furniture (share buttons, section labels, "read now" lines) removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3]")
_LETTER = re.compile(r"[^\W\d_]")
# Orthographic variants unified for matching only.
_ARABIC_FOLD = str.maketrans(
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
_NON_WORD = re.compile(r"[^\w]+")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])\s+|\n+")
_WORD = re.compile(r"\w+")

# Lines that are page furniture rather than reporting. Matched on the folded form.
_FURNITURE_PATTERNS = [
    r"^(مشاركه|شارك|شاركها|شارك الخبر|مشاركه الخبر|تابعنا|تابعونا|طباعه|ارسل|اطبع)\b",
    r"^(اقرا|اقرا ايضا|اقرا المزيد|اقرا الان|يقرءون الان|يقراون الان|اخترنا لك|الاكثر قراءه)\b",
    r"^(اخبار ذات صله|مواضيع ذات صله|روابط ذات صله|كلمات مفتاحيه|الوسوم|وسوم|تعليقات|اضف تعليق)\b",
    r"^(المصدر|مصدر الخبر|الموقع الرسمي|حقوق النشر|جميع الحقوق)\b",
    r"^(post title|share|share this|tweet|follow us|read more|read also|related|tags)\b",
    r"^(advertisement|print|email)\b",
    r"^(source|copyright|all rights reserved|click here|subscribe)\b",
]
_FURNITURE = re.compile("|".join(_FURNITURE_PATTERNS))
# A line with at most this many words and no sentence punctuation is treated as a
# label (section name, photo caption, sub-heading) rather than reporting.
_LABEL_MAX_WORDS = 3
# Bylines and datelines ("Cairo News - Name", "(Washington (AFP") are short lines with a separator.
_BYLINE_MAX_WORDS = 6
_BYLINE_MARK = re.compile(r"[|•–—(]| - ")


def fold_arabic(text: str) -> str:
    """Remove diacritics and tatweel, unify alef/hamza/ya/ta-marbuta variants and digits."""
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_ARABIC_FOLD)


def normalize(text: str) -> str:
    """Matching form of a piece of text: NFKC, casefold, Arabic fold, words only."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = fold_arabic(text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def is_furniture(line: str) -> bool:
    """True when a raw line is page furniture: share/follow/read-more lines or short labels."""
    folded = normalize(line)
    if not folded:
        return True
    if _FURNITURE.search(folded):
        return True
    words = folded.split()
    stripped = line.strip()
    ends_like_sentence = stripped[-1:] in '.!?؟:»"”)' if stripped else False
    if len(words) <= _LABEL_MAX_WORDS and not ends_like_sentence:
        return True
    return len(words) <= _BYLINE_MAX_WORDS and _BYLINE_MARK.search(stripped) is not None


def strip_furniture(text: str) -> str:
    """Raw text without furniture lines; the original text when nothing substantial remains."""
    lines = [line for line in text.splitlines() if line.strip()]
    kept = [line for line in lines if not is_furniture(line)]
    if not any(_LETTER.search(line) for line in kept):
        return "\n".join(lines)
    return "\n".join(kept)


def matching_form(text: str) -> str:
    """Normalized text of the reporting itself: furniture removed, then :func:`normalize`."""
    return normalize(strip_furniture(text))


def words(normalized: str) -> list[str]:
    """Word tokens of an already normalized text."""
    return _WORD.findall(normalized)


def sentences(text: str) -> list[str]:
    """Sentences of a raw text (furniture removed), split on end punctuation and line breaks."""
    parts = _SENTENCE_END.split(strip_furniture(text))
    return [p.strip() for p in parts if p and p.strip()]


def arabic_ratio(text: str) -> float:
    """Share of letters in ``text`` that are Arabic letters (0 when there are no letters)."""
    letters = _LETTER.findall(text)
    if not letters:
        return 0.0
    arabic = sum(1 for ch in letters if _ARABIC_LETTER.match(ch))
    return arabic / len(letters)


def has_letters(text: str) -> bool:
    """True when the text contains at least one letter of any script."""
    return _LETTER.search(text) is not None


def join_nonempty(parts: Iterable[str | None], sep: str = "\n") -> str:
    """Join the non-empty parts with ``sep``."""
    return sep.join(p for p in parts if p)
