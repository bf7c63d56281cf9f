"""Phase assignment: language cues and the story's event time."""

from __future__ import annotations

import numpy as np

from service.phases import article_cue, event_time, story_phases
from service.text import normalize

HOUR = 3600.0


def test_cues_in_arabic_and_english() -> None:
    assert article_cue(normalize("الرئيس يعتزم زيارة موسكو الأسبوع المقبل"), "") == "pre"
    assert article_cue(normalize("القمة المرتقبة بين الزعيمين"), "") == "pre"
    assert article_cue(normalize("وصل الزعيم الكوري إلى روسيا"), "") == "arrival"
    assert article_cue(normalize("تشييع جثامين الشهداء وتقديم العزاء"), "") == "aftermath"
    assert article_cue(normalize("The leader is expected to visit ahead of the summit"), "") == "pre"
    assert article_cue(normalize("World leaders condemn the attack"), "") == "aftermath"
    assert article_cue(normalize("أسعار النفط في ختام التعاملات"), "") == ""


def test_event_time_ignores_a_lone_early_stray() -> None:
    times = np.array([0.0, 100 * HOUR, 101 * HOUR, 102 * HOUR, 110 * HOUR])
    assert event_time(times, ["", "", "", "", ""]) == 100 * HOUR


def test_story_arc_from_times_and_cues() -> None:
    times = np.array([-48, -30, 0, 2, 8, 20, 80, 5]) * HOUR
    cues = ["pre", "", "arrival", "", "", "", "", "aftermath"]
    expected = ["pre", "pre", "arrival", "arrival", "core", "aftermath", "aftermath", "aftermath"]
    assert story_phases(times, cues) == expected


def test_phases_do_not_depend_on_member_order() -> None:
    rng = np.random.default_rng(7)
    times = np.sort(rng.uniform(0, 200 * HOUR, 30))
    cues = list(rng.choice(["", "pre", "arrival", "aftermath"], 30))
    order = rng.permutation(30)
    shuffled = story_phases(times[order], [cues[i] for i in order])
    assert [shuffled[list(order).index(i)] for i in range(30)] == story_phases(times, cues)
