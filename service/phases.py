"""Phase of each article in its story's coverage arc: ``pre``, ``arrival``, ``core``, ``aftermath``.

Method. Each article first gets a *cue* from the wording of its title and lead (the
first ~60 words; Arabic and English lists in :mod:`service.phase_cues`): ``pre``
(future tense, plans, preparations, expectations), ``arrival`` (arrival and first-report
wording; the toll/blast/death words count only in the title, since reactions recount
the event in their lead), ``core`` (developments of the event itself: toll updates,
identification, claims, eyewitnesses, the ceremony or trial) or ``aftermath``
(condemnation, condolence, praise, funerals, hospital visits, investigations, tributes,
measures, "after the attack"), or none. Arabic prefixes (و ف ب ل ال) and pronoun/plural
suffixes are allowed; title matches count double and the strongest cue must lead.

The story's *main event time* comes from its members' times and cues only:

1. the preview arc ends at the split that best separates preview-worded members (before)
   from report- and reaction-worded ones (after), if it explains at least
   ``MIN_PREVIEWS`` more members than no split (:func:`preview_end`); a story with
   that many previews and no report or reaction wording at all is all ``pre``;
2. the event is the start of the first burst of non-preview coverage after that split:
   at least ``MIN_BURST`` reports and ``BURST_SHARE`` of the busiest ``BURST_HOURS``
   window, so a lone early stray does not set it (:func:`event_time`).

Relative to that time an article is:

* ``pre``: published before the event and not report- or reaction-worded, or preview-worded
  within the first day of it (a first report that precedes the burst of coverage is a report:
  the burst can fall on the day after, when the funeral and tributes outnumber the news);
* ``aftermath``: reaction-worded after the event;
* ``arrival``: first-report-worded within ``ARRIVAL_HOURS`` of the event;
* ``core``: report- or development-worded later on (a toll update days later is still core);
* unmarked articles follow their neighbours' wording within ``VOTE_HOURS`` (reactions
  leading by two or more: ``aftermath``; more reports: ``core``), else ``core`` within
  ``CORE_HOURS`` of the event and ``aftermath`` after it.

Content is the primary signal and time only orders it: a day's coverage is often crawled
at one time, and a story may be a fragment of the real arc (only its reactions, say). A
fragment of reactions stays ``aftermath`` because reaction wording wins over time, and
unmarked members take their neighbours' phase rather than one set by their position.

Phases are recomputed for the whole story whenever it gains, loses or merges members,
so the arc settles as coverage accumulates and arrival order does not matter
(:mod:`service.phase_tracker` does it incrementally for big stories, with the same result;
:func:`phase_codes` is the vectorized form the tracker uses).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from service.phase_cues import CUE_WORDS, TITLE_ONLY
from service.text import normalize

LEAD_WORDS = 60
BURST_HOURS = 24.0
BURST_SHARE = 0.6
MIN_BURST = 2
MIN_PREVIEWS = 2
ARRIVAL_HOURS = 3.0
PRE_GRACE_HOURS = 24.0
CORE_HOURS = 24.0
VOTE_HOURS = 24.0


def _pattern(terms: list[str]) -> re.Pattern[str]:
    """One regex for a cue list, with the attached prefixes و ف ب ل ال وال and, on words of
    four letters or more, the pronoun and plural suffixes ه ها هم هما ون ين ات."""
    words = {normalize(t) for t in terms}
    long = sorted((w for w in words if len(w) >= 4), key=len, reverse=True)
    short = sorted((w for w in words if len(w) < 4), key=len, reverse=True)
    suffix = r"(?:هما|هم|ها|ه|ون|ين|ات)?"
    alternatives = []
    if long:
        alternatives.append("(?:" + "|".join(map(re.escape, long)) + ")" + suffix)
    if short:
        alternatives.append("(?:" + "|".join(map(re.escape, short)) + ")")
    return re.compile(r"(?<!\w)(?:[وفبل]|ال|وال)?(?:" + "|".join(alternatives) + r")(?!\w)")


_CUE_PATTERNS = {cue: _pattern(terms) for cue, terms in CUE_WORDS.items()}
_TITLE_PATTERNS = {cue: _pattern(terms) for cue, terms in TITLE_ONLY.items()}
# Members' cues: a list of CUES values, or the same as a numpy string array.
Cues = Sequence[str] | np.ndarray
CUES: tuple[str, ...] = ("", "pre", "arrival", "aftermath", "core")


def article_cue(title_norm: str, body_norm: str) -> str:
    """The dominant phase cue of an article's title and lead ('' when none leads).

    Title matches count double (title-only event words once); a tie means no cue.
    """
    lead = " ".join(body_norm.split()[:LEAD_WORDS])
    ranked = []
    for cue, p in _CUE_PATTERNS.items():
        title = len(p.findall(title_norm))
        extra = len(_TITLE_PATTERNS[cue].findall(title_norm)) if cue in _TITLE_PATTERNS else 0
        ranked.append((2 * title + extra + len(p.findall(lead)), title + extra, cue))
    best, second = sorted(ranked, reverse=True)[:2]
    return best[2] if best[0] > 0 and best[0] > second[0] else ""


PHASES: tuple[str, ...] = ("pre", "arrival", "core", "aftermath")
_PRE, _ARRIVAL, _AFTERMATH, _CORE = (CUES.index(c) for c in ("pre", "arrival", "aftermath", "core"))
_CODE = {cue: i for i, cue in enumerate(CUES)}


def cue_codes(cues: Cues) -> np.ndarray:
    """Cues as int8 indexes into :data:`CUES` (an unknown cue counts as none)."""
    return np.fromiter((_CODE.get(str(c), 0) for c in cues), dtype=np.int8, count=len(cues))


def _split(times: np.ndarray, codes: np.ndarray) -> float:
    """:func:`preview_end` on cue codes."""
    order = np.argsort(times, kind="stable")
    ts = times[order]
    ordered = codes[order]
    pre = (ordered == _PRE).astype(float)
    post = (ordered >= _ARRIVAL).astype(float)
    # score of splitting before member k: previews in [0, k) + reports in [k, n)
    score = np.concatenate(([0.0], np.cumsum(pre))) + np.concatenate((np.cumsum(post[::-1])[::-1], [0.0]))
    # a split can only fall between distinct times
    valid = np.concatenate(([True], ts[1:] > ts[:-1], [True]))
    score[~valid] = -1.0
    k = int(np.argmax(score))
    if score[k] < score[0] + MIN_PREVIEWS:
        return float(ts[0])
    return float(ts[k]) if k < len(ts) else float(ts[-1]) + 1.0


def preview_end(times: np.ndarray, cues: Cues) -> float:
    """The time that best splits preview-worded members (before) from event-worded ones (after).

    Maximizes previews before plus reports and reactions at or after the split (unmarked
    members do not count); the earliest best split wins, so a story without previews
    is not cut at all.
    """
    return _split(times, cue_codes(cues))


def event_codes(times: np.ndarray, codes: np.ndarray) -> float:
    """:func:`event_time` on cue codes."""
    split = _split(times, codes)
    pre = codes == _PRE
    reported = np.sort(times[~pre & (times >= split)])
    if not len(reported) or (pre.sum() >= MIN_PREVIEWS and not (codes >= _ARRIVAL).any()):
        return float(times.max()) + 1.0
    counts = np.searchsorted(reported, reported + BURST_HOURS * 3600.0, side="right") - np.arange(
        len(reported)
    )
    need = max(MIN_BURST, int(np.ceil(BURST_SHARE * counts.max())))
    burst = np.nonzero(counts >= need)[0]
    return float(reported[burst[0]] if len(burst) else reported[0])


def event_time(times: np.ndarray, cues: Cues) -> float:
    """Start of the first burst of non-preview coverage after the previews (see :func:`preview_end`).

    A burst starts at a reported article followed within ``BURST_HOURS`` by at least
    ``MIN_BURST`` reports and ``BURST_SHARE`` of the busiest such window; without one,
    the earliest report is used. When every member is a preview, the event is after the last.
    """
    return event_codes(times, cue_codes(cues))


def _votes(hours: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per member, the phase its neighbours' wording points to: core, aftermath or -1 (none).

    Counts report-worded (``arrival``/``core``) and reaction-worded members within
    ``VOTE_HOURS``; reactions must lead by more than one (thin evidence leans to report).
    """
    order = np.argsort(hours, kind="stable")
    sorted_hours = hours[order]
    ordered = codes[order]
    reports = np.concatenate(([0], np.cumsum((ordered == _ARRIVAL) | (ordered == _CORE))))
    reactions = np.concatenate(([0], np.cumsum(ordered == _AFTERMATH)))
    lo = np.searchsorted(sorted_hours, hours - VOTE_HOURS, side="left")
    hi = np.searchsorted(sorted_hours, hours + VOTE_HOURS, side="right")
    n_rep, n_rea = reports[hi] - reports[lo], reactions[hi] - reactions[lo]
    return np.where(n_rea > n_rep + 1, 3, np.where(n_rep > n_rea, 2, -1))


def phase_codes(times: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Phase of every member as an int8 index into :data:`PHASES`, from times and cue codes.

    The vectorized form of :func:`story_phases`; members may come in any order.
    """
    if not len(times):
        return np.zeros(0, np.int8)
    return phase_codes_at(times, codes, event_codes(times, codes))


def phase_codes_at(times: np.ndarray, codes: np.ndarray, event: float) -> np.ndarray:
    """:func:`phase_codes` for a given main event time (see :func:`event_codes`)."""
    hours = (times - event) / 3600.0
    votes = _votes(hours, codes)
    unmarked = np.where(votes >= 0, votes, np.where(hours <= CORE_HOURS, 2, 3))
    conditions = [
        ((hours < 0) & ((codes == 0) | (codes == _PRE))) | ((codes == _PRE) & (hours < PRE_GRACE_HOURS)),
        codes == _AFTERMATH,
        (codes == _ARRIVAL) & (hours <= ARRIVAL_HOURS),
        (codes == _ARRIVAL) | (codes == _CORE),
    ]
    return np.select(conditions, [0, 3, 1, 2], unmarked).astype(np.int8)


def story_phases(times: np.ndarray, cues: Sequence[str]) -> list[str]:
    """Phase of every member of one story, from member times (POSIX s) and cues."""
    return [PHASES[i] for i in phase_codes(np.asarray(times, dtype=float), cue_codes(cues)).tolist()]
