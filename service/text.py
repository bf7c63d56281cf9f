"""Text normalization for matching: the stored text is never changed here.

Every comparison in the service (exact hashes, shingles, n-gram embeddings, keyword
search) runs on the *matching form* produced here: invisible format characters deleted,
Unicode NFKC, case folding, Arabic orthographic normalization (diacritics, tatweel,
alef/hamza variants, alef maqsura, ta marbuta), Arabic-Indic digits to Latin, punctuation
to spaces, and page furniture (share buttons, section labels, "read now" lines), datelines
and leftover style-sheet or script code removed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from service.datelines import is_dateline, without_lead
from service.inline_code import without_code

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_LETTER = re.compile(r"[^\W\d_]")
_NOT_LETTER = re.compile(r"[\W\d_]+")
# The letters (in the sense of ``_LETTER``) of the Arabic letter blocks, as one character class,
# so counting them is a regex pass rather than a Python test per letter.
_NOT_ARABIC_LETTER = re.compile(
    "[^"
    + "".join(
        re.escape(chr(code))
        for code in (*range(0x0621, 0x064B), *range(0x066E, 0x06D4))
        if _LETTER.match(chr(code))
    )
    + "]+"
)
# Orthographic variants unified for matching only. Applied as one ``str.replace`` per letter
# (C loops, about 6x faster than a dict-driven ``str.translate`` on Arabic text; no replacement
# is itself a key, so the order does not matter) and a digit table only when digits occur.
_LETTER_FOLD = (
    ("أ", "ا"),
    ("إ", "ا"),
    ("آ", "ا"),
    ("ٱ", "ا"),
    ("ى", "ي"),
    ("ة", "ه"),
    ("ؤ", "و"),
    ("ئ", "ي"),
    ("ی", "ي"),
    ("ک", "ك"),
)
_DIGIT_FOLD = str.maketrans(
    {
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
_EASTERN_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
# Invisible format characters (soft hyphen, zero-width space/joiners, direction marks, word
# joiner, BOM) are deleted, not spaced: inside a word they would split it ("earth\u200bquake").
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Runs of anything but letters and digits (underscore included) become one space.
_NON_WORD = re.compile(r"[\W_]+")
# Characters that NFKC, casefolding and the Arabic fold all leave a letter or digit.
_PLAIN_WORD_CHAR = re.compile("[A-Za-z0-9\u0621-\u063a\u0641-\u064a]")
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])\s+")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b[ap]\.m|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Mt|Jr|Sr|Inc|Corp|Co|Ltd|Gen|Gov|Sen|Rep|Lt|Col|Capt|No|vs"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec))\.$"
)

# Lines that are page furniture rather than reporting. Matched on the folded form.
_FURNITURE_PATTERNS = [
    r"^(مشاركه|شارك|شاركها|شارك الخبر|مشاركه الخبر|تابعنا|تابعونا|طباعه|ارسل|اطبع)\b",
    r"^(اقرا|اقرا ايضا|اقرا المزيد|اقرا الان|يقرءون الان|يقراون الان|اخترنا لك|الاكثر قراءه)\b",
    r"^(اخبار ذات صله|مواضيع ذات صله|روابط ذات صله|كلمات مفتاحيه|الوسوم|وسوم|تعليقات|اضف تعليق)\b",
    r"^(المصدر|مصدر الخبر|الموقع الرسمي|حقوق النشر|جميع الحقوق|رابط الخبر|الرابط المختصر)\b",
    r"^(post title|share|share this|tweet|follow us|read more|read also|related|tags)\b",
    r"^(advertisement|print|email)\b",
    r"^(source|copyright|all rights reserved|click here|subscribe|permalink|short link)\b",
]
_FURNITURE = re.compile("|".join(_FURNITURE_PATTERNS))
# A tag list ("سمات الجوازات وافدون ...", "Keywords: Nepal, earthquake") is furniture: a label, then
# short items and no sentence end (see _is_tag_list); the same word also opens sentences.
_TAG_LIST = re.compile(r"^(سمات|الكلمات الداله|keywords)\b")  # matched on the folded form
_TAG_LABEL = re.compile(r"^\W*\w+(?: \w+)?\s*[:：]?\s*")
_TAG_SEPARATOR = re.compile(r"\s*[،,|;؛]\s*")
_SENTENCE_END_MARK = re.compile(r"[.!?؟]")
# A line with at most this many words and no sentence punctuation is treated as a
# label (section name, photo caption, sub-heading) rather than reporting.
_LABEL_MAX_WORDS = 3
_LEAD_LINES = 2  # first reporting lines that may open with a dateline
# Bylines and datelines ("Cairo News - Name", "(Washington (AFP") are short lines with a separator.
_BYLINE_MAX_WORDS = 6
_BYLINE_MARK = re.compile(r"[|•–—(]| - ")


def fold_arabic(text: str) -> str:
    """Remove diacritics and tatweel, unify alef/hamza/ya/ta-marbuta variants and digits."""
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    for variant, base in _LETTER_FOLD:
        text = text.replace(variant, base)
    return text.translate(_DIGIT_FOLD) if _EASTERN_DIGIT.search(text) else text


def without_invisible(text: str) -> str:
    """The text without invisible format characters (a zero-width space splits no word)."""
    return _INVISIBLE.sub("", text)


def normalize(text: str) -> str:
    """Matching form of a piece of text: NFKC, casefold, Arabic fold, words only."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()
    text = fold_arabic(text)
    return _NON_WORD.sub(" ", text).strip()


def is_furniture(line: str) -> bool:
    """True when a raw line is page furniture: share/follow/read-more lines or short labels."""
    return _is_furniture(line, normalize(line))


def _is_furniture(line: str, folded: str) -> bool:
    """:func:`is_furniture` of a raw line whose :func:`normalize` form is already known."""
    if not folded:
        return True
    if _FURNITURE.search(folded):
        return True
    words = folded.split()
    stripped = line.strip()
    if _TAG_LIST.match(folded) and _is_tag_list(stripped):
        return True
    ends_like_sentence = stripped[-1:] in '.!?؟:»"”)' if stripped else False
    if len(words) <= _LABEL_MAX_WORDS and not ends_like_sentence:
        return True
    if not ends_like_sentence and is_dateline(words):
        return True
    return len(words) <= _BYLINE_MAX_WORDS and _BYLINE_MARK.search(stripped) is not None


def _is_tag_list(line: str) -> bool:
    """A label, then short items (at most 4 words each) with no sentence end: "سمات: الجوازات،
    وافدون" or "Keywords: Nepal, earthquake", not "سمات التميز في شخصيته منوعة ومؤثرة، وهي ..."."""
    if _SENTENCE_END_MARK.search(line):
        return False
    items = _TAG_SEPARATOR.split(_TAG_LABEL.sub("", line, count=1))
    if len(items) == 1:  # space-separated tags: a short line
        return len(items[0].split()) <= 8
    return all(len(item.split()) <= 4 for item in items)


def _reporting_lines(text: str) -> list[tuple[str, str]]:
    """Non-blank (raw, normalized) lines of the reporting: code a scraper left in the text
    (:mod:`service.inline_code`), furniture and the lead's dateline (:mod:`service.datelines`)
    removed, or every line when nothing substantial remains. Each line is normalized once and
    reused by the callers."""
    lines = [(line, normalize(line)) for line in without_code(text).splitlines() if line.strip()]
    kept = [pair for pair in lines if not _is_furniture(*pair)]
    for at in range(min(_LEAD_LINES, len(kept))):  # "NAME - AGENCY - CITY:" opens the report
        line = without_lead(kept[at][0])
        if line is not kept[at][0]:
            kept[at] = (line, normalize(line))
    kept = [pair for pair in kept if pair[1]]
    if not any(_LETTER.search(line) for line, _ in kept):
        return lines
    return kept


@lru_cache(maxsize=512)  # a summary reads a body for its sentences and again for its keywords
def strip_furniture(text: str) -> str:
    """Raw text without furniture lines; the original text when nothing substantial remains."""
    return "\n".join(line for line, _ in _reporting_lines(text))


def matching_form(text: str) -> str:
    """Normalized text of the reporting itself: furniture removed, then :func:`normalize`.

    Normalizing lines apart and joining them with a space equals normalizing the joined text:
    a line break is a non-word run, and no step looks across it."""
    return " ".join(folded for _, folded in _reporting_lines(text) if folded)


def words(normalized: str) -> list[str]:
    """Word tokens of an already normalized text. :func:`normalize` leaves word runs separated by
    single spaces, so a split finds exactly the ``\\w+`` runs, at half the cost of the regex."""
    return normalized.split()


def sentences(text: str) -> list[str]:
    """Sentences of a raw text (furniture removed), split on line breaks and end punctuation,
    but not after an initial or a common abbreviation ("the U.S. economy", "Acme Corp. said",
    "4:17 a.m. local time")."""
    found: list[str] = []
    for line in strip_furniture(text).split("\n"):
        joining = False
        for part in _SENTENCE_END.split(line):
            if not (part := part.strip()):
                continue
            if joining:
                found[-1] = f"{found[-1]} {part}"
            else:
                found.append(part)
            joining = _ABBREVIATION.search(part) is not None
    return found


def arabic_ratio(text: str) -> float:
    """Share of letters in ``text`` that are Arabic letters (0 when there are no letters)."""
    letters = _NOT_LETTER.sub("", text)
    if not letters:
        return 0.0
    return len(_NOT_ARABIC_LETTER.sub("", letters)) / len(letters)


def has_letters(text: str) -> bool:
    """True when the text contains at least one letter of any script."""
    return _LETTER.search(text) is not None


def has_words(text: str) -> bool:
    """``bool(normalize(text))``, answered without normalizing when a plain ASCII or Arabic
    letter or digit shows it (request validation asks this of every body)."""
    return _PLAIN_WORD_CHAR.search(text) is not None or bool(normalize(text))
