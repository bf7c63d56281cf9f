"""Phase assignment: language cues, the preview split, the event time and the story arc."""

from __future__ import annotations

import numpy as np

from service.phases import CUES, article_cue, event_time, preview_end, story_phases
from service.text import normalize

HOUR = 3600.0


def cue(title: str, lead: str = "") -> str:
    return article_cue(normalize(title), normalize(lead))


def test_cues_in_arabic_and_english() -> None:
    assert cue("الرئيس يعتزم زيارة موسكو الأسبوع المقبل") == "pre"
    assert cue("القمة المرتقبة بين الزعيمين") == "pre"
    assert cue("وصل الزعيم الكوري إلى روسيا") == "arrival"
    assert cue("تشييع جثامين الشهداء وتقديم العزاء") == "aftermath"
    assert cue("The leader is expected to visit ahead of the summit") == "pre"
    assert cue("World leaders condemn the attack") == "aftermath"
    assert cue("أسعار النفط في ختام التعاملات") == ""


def test_english_news_wording_has_cues() -> None:
    """Only 9 of 35 English test articles had any cue: the English lists were a handful of words."""
    assert cue("Quake kills 12 in eastern Turkey") == "arrival"
    assert cue("Death toll rises to 15 as rescuers search the rubble") == "core"
    assert cue("Turkey mourns quake victims") == "aftermath"
    assert cue("Markets react after the quake", "Shares fell in Istanbul.") == "aftermath"
    assert cue("Leaders to meet next month in Geneva") == "pre"
    assert cue("Quarterly results beat forecasts") == ""


def test_event_words_report_the_event_only_in_the_title() -> None:
    assert cue("30 قتيلا في انفجار ببلدة حدودية") == "arrival"
    assert cue("الداخلية تكشف هوية منفذ التفجير") == "core"
    # a reaction recounts the attack in its lead: the lead's event words do not count
    assert cue("المملكة تدين الهجوم", "ادانت المملكة الهجوم الذي ادى الى مقتل 30 في انفجار") == "aftermath"


def test_prefixes_and_suffixes_are_matched_but_not_inside_names() -> None:
    assert cue("روسيا تعرب عن تعازيها للمملكة") == "aftermath"
    assert cue("أهالي المدينة ينددون بالتفجير") == "aftermath"
    assert cue("تركيا تعد بتعزيز أمنها بعد الهجوم") == "aftermath"
    # "فيصل" is a name, not the verb "يصل" with a prefix
    assert cue("الأمير فيصل يلتقي السفراء") == ""


def test_every_cue_is_storable() -> None:
    assert cue("الرئيس يعتزم زيارة موسكو") in CUES and "" in CUES


def test_event_time_ignores_a_lone_early_stray() -> None:
    times = np.array([0.0, 100 * HOUR, 101 * HOUR, 102 * HOUR, 110 * HOUR])
    assert event_time(times, ["", "", "", "", ""]) == 100 * HOUR


def test_preview_arc_ends_where_event_wording_takes_over() -> None:
    # a ceremony previewed for days; on its morning the previews still dominate
    times = np.array([0, 24, 48, 96, 100, 106, 108, 110, 120]) * HOUR
    cues = ["pre", "", "pre", "pre", "pre", "core", "core", "aftermath", ""]
    assert preview_end(times, cues) == 106 * HOUR
    assert event_time(times, cues) == 106 * HOUR
    phases = story_phases(times, cues)
    assert phases[:5] == ["pre"] * 5
    assert phases[5:8] == ["core", "core", "aftermath"]


def test_no_split_without_a_preview_arc() -> None:
    times = np.array([0, 1, 5, 30]) * HOUR
    assert preview_end(times, ["pre", "core", "aftermath", ""]) == 0.0
    assert preview_end(times, ["", "core", "aftermath", ""]) == 0.0


def test_previews_without_any_report_are_all_pre() -> None:
    times = np.array([0, 10, 20, 30]) * HOUR
    assert story_phases(times, ["pre", "", "", "pre"]) == ["pre"] * 4
    # one stray future-tense article does not make a story of unmarked reports a preview
    times = np.array([0, 2, 4, 6]) * HOUR
    assert story_phases(times, ["", "pre", "", ""]) == ["core", "pre", "core", "core"]


def test_story_arc_from_times_and_cues() -> None:
    times = np.array([-48, -30, 0, 1, 2, 8, 20, 80, 5]) * HOUR
    cues = ["pre", "", "arrival", "arrival", "", "core", "", "", "aftermath"]
    expected = ["pre", "pre", "arrival", "arrival", "core", "core", "core", "aftermath", "aftermath"]
    assert story_phases(times, cues) == expected


def test_a_first_report_before_the_burst_is_not_a_preview() -> None:
    """A death is reported on day one; the funeral and tributes on day two outnumber it, so the
    burst (the event time) falls on day two. The day-one reports were 'pre'."""
    times = np.array([0, 2, 30, 31, 31, 32, 33]) * HOUR
    cues = ["arrival", "core", "aftermath", "aftermath", "aftermath", "", "aftermath"]
    assert event_time(times, cues) == 30 * HOUR
    assert story_phases(times, cues)[:2] == ["arrival", "core"]
    assert story_phases(np.array([0, 30, 31, 32]) * HOUR, ["", "aftermath", "aftermath", ""])[0] == "pre"


def test_unmarked_members_follow_their_neighbours_wording() -> None:
    # day two of a story is mostly reactions: its unmarked articles are reactions too
    times = np.array([0, 1, 30, 30, 30, 31, 31]) * HOUR
    cues = ["arrival", "core", "aftermath", "aftermath", "aftermath", "", ""]
    assert story_phases(times, cues)[5:] == ["aftermath", "aftermath"]
    # the same unmarked articles among reports are reports
    cues = ["arrival", "core", "core", "core", "aftermath", "", ""]
    assert story_phases(times, cues)[5:] == ["core", "core"]


def test_a_fragment_of_reactions_stays_aftermath() -> None:
    # a cluster holding only the reactions (no first reports) must not become arrival/core
    times = np.array([0, 0, 1, 2, 3, 12]) * HOUR
    cues = ["aftermath", "aftermath", "", "aftermath", "aftermath", ""]
    assert story_phases(times, cues) == ["aftermath"] * 6


def test_phases_do_not_depend_on_member_order() -> None:
    rng = np.random.default_rng(7)
    times = np.sort(rng.uniform(0, 200 * HOUR, 30))
    cues = list(rng.choice(["", "pre", "arrival", "core", "aftermath"], 30))
    order = rng.permutation(30)
    shuffled = story_phases(times[order], [cues[i] for i in order])
    assert [shuffled[list(order).index(i)] for i in range(30)] == story_phases(times, cues)
