"""Phase of each article in its story's coverage arc: ``pre``, ``arrival``, ``core``, ``aftermath``.

Method. Each article first gets a *cue* from the wording of its title and lead (the
first ~60 words, Arabic and English cue lists below): ``pre`` (plans, announcements,
expectations, future tense: "will", "expected", "ahead of", "يعتزم", "المرتقبة",
"سيلتقي", "من المقرر"), ``arrival`` (it has started/happened: "arrived", "began",
"وصل", "بدأ") or ``aftermath`` (reactions, condemnations, condolences, funerals,
investigations, visits: "عزاء", "تعزية", "يدين", "استنكار", "تشييع"), ``core`` (the
event itself: toll, victims, perpetrator identified, claims, eyewitness accounts, the
ceremony or trial: "حصيلة", "هوية", "منفذ", "يتبنى", "مراسم", "محاكمة"), or none. The title
counts double; the strongest cue wins when it clearly leads.

The story's *main event time* is then estimated from its members: the start of the
first burst of coverage that is not written as a preview: the earliest non-``pre``
article followed within ``BURST_HOURS`` by at least ``MIN_BURST`` such articles and
``BURST_SHARE`` of the busiest such window (so a lone early stray does not set it; a
story with no burst uses its earliest report). Relative
to that time an article is:

* ``pre``: published before the event, or preview-worded within the first day of it;
* ``arrival``: among the first reports (within ``ARRIVAL_HOURS`` of the event) unless
  worded as a reaction;
* ``core``: worded as the event itself (up to ``CORE_CUE_HOURS``), worded as a first
  report (up to ``REPORT_CUE_HOURS``), or unmarked within ``CORE_HOURS``;
* ``aftermath``: reaction-worded after the event, or anything later than those windows.

Content is the primary signal: a day's coverage is often crawled at one time, so the
time since the event only separates unmarked articles.

Phases are recomputed for the whole story whenever it gains, loses or merges members,
so the arc settles as coverage accumulates and arrival order does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from service.text import normalize

LEAD_WORDS = 60
BURST_HOURS = 24.0
BURST_SHARE = 0.6
MIN_BURST = 2
ARRIVAL_HOURS = 3.0
CORE_HOURS = 8.0
PRE_GRACE_HOURS = 24.0
CORE_CUE_HOURS = 240.0
REPORT_CUE_HOURS = 24.0

_CUE_WORDS: dict[str, list[str]] = {
    "pre": [
        "يعتزم",
        "تعتزم",
        "يعتزمون",
        "المرتقبه",
        "المرتقب",
        "مرتقبه",
        "مرتقب",
        "سيلتقي",
        "ستلتقي",
        "من المقرر",
        "المقرر",
        "يتوقع",
        "تتوقع",
        "المتوقع",
        "متوقع",
        "يستعد",
        "تستعد",
        "استعدادا",
        "استعدادات",
        "تحضيرات",
        "تمهيدا",
        "قبيل",
        "يخطط",
        "تخطط",
        "سيزور",
        "ستزور",
        "سيقام",
        "ستقام",
        "سيشارك",
        "ستشارك",
        "سيعقد",
        "ستعقد",
        "سيتم",
        "ستشهد",
        "سيشهد",
        "سيفتتح",
        "ستفتتح",
        "يترقب",
        "ترقب",
        "دعوه لحضور",
        "المزمع",
        "غدا",
        "يتهيا",
        "تتهيا",
        "will",
        "expected",
        "ahead of",
        "plans",
        "planned",
        "to visit",
        "upcoming",
        "preparations",
        "set to",
    ],
    "arrival": [
        "وصل",
        "وصلت",
        "يصل",
        "تصل",
        "بدا",
        "بدات",
        "انطلق",
        "انطلقت",
        "انطلاق",
        "عاجل",
        "اللحظات الاولي",
        "قبل قليل",
        "لقي",
        "مصرع",
        "انفجار",
        "هجوم",
        "arrived",
        "arrives",
        "began",
        "begins",
        "breaking",
        "first reports",
    ],
    "aftermath": [
        "عزاء",
        "العزاء",
        "تعزيه",
        "التعزيه",
        "يعزي",
        "تعزي",
        "عزي",
        "يدين",
        "تدين",
        "ادان",
        "ادانت",
        "ادانه",
        "استنكار",
        "يستنكر",
        "تستنكر",
        "استنكر",
        "استنكرت",
        "شجب",
        "يشجب",
        "تشييع",
        "شيع",
        "تشيع",
        "جنازه",
        "مواساه",
        "مواسيا",
        "تضامن",
        "التحقيقات",
        "التحقيق",
        "تداعيات",
        "ردود",
        "القبض",
        "يتفقد",
        "تفقد",
        "اعقاب",
        "عقب",
        "تكريم",
        "يدينون",
        "يستنكرون",
        "تدينان",
        "يطمين",
        "يطمئن",
        "للاطمينان",
        "خطبه",
        "خطيب",
        "امام الحرم",
        "يشيد",
        "تهنيه",
        "يهنئ",
        "يهني",
        "برقيه",
        "برقيات",
        "مصابي",
        "يواسي",
        "ذوي",
        "المفتي",
        "كبار العلماء",
        "مجلس الامن",
        "يزور",
        "يقف علي",
        "يتابع",
        "جريمه",
        "جرم",
        "اجرامي",
        "الاجراميه",
        "شكرا",
        "يثمن",
        "يثمنون",
        "الشهيد",
        "ردا",
        "يطالب",
        "قلقه",
        "مفتي",
        "condemn",
        "condemns",
        "condemned",
        "condolence",
        "condolences",
        "funeral",
        "investigation",
        "aftermath",
        "reaction",
        "reactions",
        "consequences",
        "mourn",
    ],
    "core": [
        "هويه",
        "منفذ",
        "منفذي",
        "يتبني",
        "تتبني",
        "تبني",
        "اسماء",
        "ارتفاع",
        "حصيله",
        "قتيلا",
        "قتلي",
        "استشهاد",
        "يحكي",
        "تفاصيل",
        "شهود",
        "عيان",
        "المنتحر",
        "انتحاري",
        "الانتحاري",
        "يفجر",
        "حطام",
        "مراسم",
        "محاكمه",
        "يفتتح",
        "تدشن",
        "يقتل",
        "تقتل",
        "مقتل",
        "يحضر",
        "تضبط",
        "ضبط",
        "قصف",
        "غارات",
        "ضربات",
        "تفاصيل",
        "يرويها",
        "identified",
        "claims",
        "claimed",
        "toll",
        "killed",
        "victims",
        "eyewitness",
    ],
}
_CUE_PATTERNS = {
    cue: re.compile(
        r"(?<!\w)(?:[وفبل]|ال|وال)?(?:"
        + "|".join(sorted(map(re.escape, map(normalize, terms)), key=len, reverse=True))
        + r")(?!\w)"
    )
    for cue, terms in _CUE_WORDS.items()
}
CUES: tuple[str, ...] = ("", "pre", "arrival", "aftermath", "core")


def article_cue(title_norm: str, body_norm: str) -> str:
    """The dominant phase cue of an article's title and lead ('' when none leads)."""
    lead = " ".join(body_norm.split()[:LEAD_WORDS])
    scores = {cue: 2 * len(p.findall(title_norm)) + len(p.findall(lead)) for cue, p in _CUE_PATTERNS.items()}
    best = max(scores, key=lambda cue: scores[cue])
    ranked = sorted(scores.values(), reverse=True)
    return best if ranked[0] > 0 and ranked[0] > ranked[1] else ""


def event_time(times: np.ndarray, cues: Sequence[str]) -> float:
    """Start of the first burst of non-preview coverage (after the last article when all are previews).

    A burst starts at a reported article followed within ``BURST_HOURS`` by at least
    ``MIN_BURST`` reports and ``BURST_SHARE`` of the busiest such window; without one,
    the earliest report is used.
    """
    reported = np.sort(times[np.array([c != "pre" for c in cues], dtype=bool)])
    if not len(reported):
        return float(times.max()) + 1.0
    counts = np.searchsorted(reported, reported + BURST_HOURS * 3600.0, side="right") - np.arange(
        len(reported)
    )
    need = max(MIN_BURST, int(np.ceil(BURST_SHARE * counts.max())))
    burst = np.nonzero(counts >= need)[0]
    return float(reported[burst[0]] if len(burst) else reported[0])


def story_phases(times: np.ndarray, cues: Sequence[str]) -> list[str]:
    """Phase of every member of one story, from member times (POSIX s) and cues."""
    if not len(times):
        return []
    start = event_time(times, cues)
    hours = (times - start) / 3600.0
    phases = []
    for h, cue in zip(hours.tolist(), cues, strict=True):
        if h < 0 or (cue == "pre" and h < PRE_GRACE_HOURS):
            phases.append("pre")
        elif cue == "aftermath":
            phases.append("aftermath")
        elif h <= ARRIVAL_HOURS:
            phases.append("arrival")
        elif h <= (CORE_CUE_HOURS if cue == "core" else REPORT_CUE_HOURS if cue == "arrival" else CORE_HOURS):
            phases.append("core")
        else:
            phases.append("aftermath")
    return phases
