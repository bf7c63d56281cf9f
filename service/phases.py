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

* ``pre``: published before the event, or preview-worded within the first day of it;
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
so the arc settles as coverage accumulates and arrival order does not matter.
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
_POST = ("arrival", "core", "aftermath")
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


def _has(cues: Cues, names: Sequence[str]) -> np.ndarray:
    """Boolean mask of the members whose cue is one of ``names``."""
    return np.isin(np.asarray(cues, dtype=str), list(names))


def preview_end(times: np.ndarray, cues: Cues) -> float:
    """The time that best splits preview-worded members (before) from event-worded ones (after).

    Maximizes previews before plus reports and reactions at or after the split (unmarked
    members do not count); the earliest best split wins, so a story without previews
    is not cut at all.
    """
    order = np.argsort(times, kind="stable")
    ts = times[order]
    pre = _has(cues, ("pre",))[order].astype(float)
    post = _has(cues, _POST)[order].astype(float)
    # score of splitting before member k: previews in [0, k) + reports in [k, n)
    score = np.concatenate(([0.0], np.cumsum(pre))) + np.concatenate((np.cumsum(post[::-1])[::-1], [0.0]))
    # a split can only fall between distinct times
    valid = np.concatenate(([True], ts[1:] > ts[:-1], [True]))
    score[~valid] = -1.0
    k = int(np.argmax(score))
    if score[k] < score[0] + MIN_PREVIEWS:
        return float(ts[0])
    return float(ts[k]) if k < len(ts) else float(ts[-1]) + 1.0


def event_time(times: np.ndarray, cues: Cues) -> float:
    """Start of the first burst of non-preview coverage after the previews (see :func:`preview_end`).

    A burst starts at a reported article followed within ``BURST_HOURS`` by at least
    ``MIN_BURST`` reports and ``BURST_SHARE`` of the busiest such window; without one,
    the earliest report is used. When every member is a preview, the event is after the last.
    """
    split = preview_end(times, cues)
    reported = np.sort(times[~_has(cues, ("pre",)) & (times >= split)])
    if not len(reported) or (_has(cues, ("pre",)).sum() >= MIN_PREVIEWS and not _has(cues, _POST).any()):
        return float(times.max()) + 1.0
    counts = np.searchsorted(reported, reported + BURST_HOURS * 3600.0, side="right") - np.arange(
        len(reported)
    )
    need = max(MIN_BURST, int(np.ceil(BURST_SHARE * counts.max())))
    burst = np.nonzero(counts >= need)[0]
    return float(reported[burst[0]] if len(burst) else reported[0])


def _neighbour_votes(hours: np.ndarray, cues: Cues) -> list[str]:
    """For each member, the phase its neighbours' wording points to: 'core', 'aftermath' or ''.

    Counts report-worded (``arrival``/``core``) and reaction-worded members within
    ``VOTE_HOURS``; reactions must lead by more than one (thin evidence leans to report).
    """
    order = np.argsort(hours, kind="stable")
    sorted_hours = hours[order]
    reports = np.concatenate(([0], np.cumsum(_has(cues, ("arrival", "core"))[order])))
    reactions = np.concatenate(([0], np.cumsum(_has(cues, ("aftermath",))[order])))
    lo = np.searchsorted(sorted_hours, hours - VOTE_HOURS, side="left")
    hi = np.searchsorted(sorted_hours, hours + VOTE_HOURS, side="right")
    n_rep, n_rea = reports[hi] - reports[lo], reactions[hi] - reactions[lo]
    return [
        "aftermath" if rea > rep + 1 else "core" if rep > rea else ""
        for rep, rea in zip(n_rep.tolist(), n_rea.tolist(), strict=True)
    ]


def story_phases(times: np.ndarray, cues: Sequence[str]) -> list[str]:
    """Phase of every member of one story, from member times (POSIX s) and cues."""
    if not len(times):
        return []
    kinds = np.asarray(cues, dtype=str)
    hours = (times - event_time(times, kinds)) / 3600.0
    votes = _neighbour_votes(hours, kinds)
    phases = []
    for h, cue, vote in zip(hours.tolist(), cues, votes, strict=True):
        if h < 0 or (cue == "pre" and h < PRE_GRACE_HOURS):
            phases.append("pre")
        elif cue == "aftermath":
            phases.append("aftermath")
        elif cue == "arrival" and h <= ARRIVAL_HOURS:
            phases.append("arrival")
        elif cue in ("arrival", "core"):
            phases.append("core")
        else:
            phases.append(vote or ("core" if h <= CORE_HOURS else "aftermath"))
    return phases
