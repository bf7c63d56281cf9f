"""Datelines and bylines: where and by whom a report was filed, not what it reports.

Agencies open a report with a dateline line ("الرياض 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م
واس"), outlets open the lead with the reporter, the outlet and the place ("ماجد الرفاعي- سبق-
جدة: أعلنت وزارة الصحة ...", "بكين - (د.ب.أ): ...", "CAIRO (Reuters) - ..."). Kept in the matching
form, the reporter's name and the outlet made one reporter's unrelated articles alike; kept in
summaries, every lead sentence began with them.
"""

from __future__ import annotations

import re

# A dateline line ("الرياض 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس", an agency's first line):
# mostly numbers, month names and era marks (folded forms), with a year, and no sentence end.
_DATELINE_MAX_WORDS = 16
_DATELINE_SHARE = 0.6
_YEAR = re.compile(r"1[34]\d\d|19\d\d|20\d\d")  # Hijri or Gregorian
_MONTH_NAMES = (
    "يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر",
    "كانون شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين",
    "محرم صفر ربيع جمادي رجب شعبان رمضان شوال القعده الحجه",
    "january february march april may june july august september october november december",
    "jan feb mar apr jun jul aug sep sept oct nov dec",
    "janvier fevrier février avril mai juin juillet aout août septembre octobre novembre decembre décembre",
)
_MONTHS = frozenset(name for names in _MONTH_NAMES for name in names.split())
_ERA_WORDS = ("ه", "م", "الموافق", "ذو", "ذي", "الاول", "الثاني", "الاخر", "الاخره", "الاولي", "ad")
_DATE_WORDS = _MONTHS | frozenset(_ERA_WORDS)

# The lead's dateline (an Arabic press convention): two or three short parts (a name, an agency,
# a place, in brackets or quotes or not) joined by dashes, then a colon, at most LEAD_WORDS words;
# or (Latin script) an all-capitals place, an optional date and agency, and a dash.
_WORD = r"[^\W\d_ـ][\w.]*"  # not a lone tatweel, which some outlets use as a dash
_PART = rf"(?:{_WORD}(?:\s+{_WORD}){{0,3}}(?:\s*\([^()]{{1,30}}\))?|[«\"“(][^»\"”()]{{1,30}}[»\"”)])"
_DASH = r"(?:\s*[-–—]\s*|\s+ـ\s+)"
_LEAD = re.compile(rf"^\s*\*?\s*{_PART}{_DASH}{_PART}(?:{_DASH}{_PART})?\s*[:：]\s*")
_CAPS_LEAD = re.compile(
    r"^\s*[A-Z][A-Z.'’]+(?: [A-Z][A-Z.'’]+){0,3}(?:,\s*[A-Za-z0-9 .]{1,20})?(?:\s*\([A-Za-z .]{1,20}\))?"
    r"\s*[-–—]\s+"
)
_ARABIC = re.compile("[\u0621-\u064a]")
LEAD_WORDS = 5


def is_dateline(words: list[str]) -> bool:
    """A short line of a date in words and numbers, with a year: mostly date words (the place
    and the agency may stand beside them)."""
    if len(words) > _DATELINE_MAX_WORDS or not any(_YEAR.fullmatch(w) for w in words):
        return False
    if not any(w in _MONTHS for w in words):
        return False
    return sum(w.isdigit() or w in _DATE_WORDS for w in words) >= _DATELINE_SHARE * len(words)


def without_lead(line: str) -> str:
    """The line without its opening dateline ("NAME- سبق- جدة: ", "CAIRO (Reuters) - "); the same
    object when it has none."""
    found = _LEAD.match(line)
    if found is not None and not (
        _ARABIC.search(found.group()) and len(re.findall(_WORD, found.group())) <= LEAD_WORDS
    ):
        found = None
    found = found or _CAPS_LEAD.match(line)
    return line[found.end() :] if found is not None else line
