"""Extractive summaries, medoid and title on plain data (no database)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from service.summary import (
    StoryArticle,
    build_summary,
    jaccard,
    representative,
    story_title,
    summarize,
    text_needed,
)
from service.text import normalize, words

KIM = ("000", "001", "002", "003")


def _articles(seeds: list[dict[str, Any]], prefixes: tuple[str, ...]) -> list[StoryArticle]:
    chosen = [a for a in seeds if a["id"].startswith(prefixes)]
    return [
        StoryArticle(
            a["id"], a.get("title"), a["body"], a["source"], a.get("url"), a["published_at"], float(i)
        )
        for i, a in enumerate(sorted(chosen, key=lambda a: a["published_at"]))
    ]


def _article(
    aid: str,
    body: str,
    source: str = "s",
    title: str | None = None,
    ts: float = 0.0,
    dup_of: str | None = None,
    vector: list[float] | None = None,
) -> StoryArticle:
    vec = None if vector is None else np.asarray(vector, dtype=np.float32)
    return StoryArticle(aid, title, body, source, None, "2024-01-01T00:00:00+00:00", ts, dup_of, vec)


def test_kim_summary_has_two_or_three_sentences_from_several_sources(seeds: list[dict[str, Any]]) -> None:
    articles = _articles(seeds, KIM)
    summary = summarize(articles)
    assert 2 <= len(summary) <= 3
    assert len({s["source"] for s in summary}) >= 2
    ids = {a.id for a in articles}
    for sentence in summary:
        assert sentence["article_id"] in ids
        body = next(a.body for a in articles if a.id == sentence["article_id"])
        assert sentence["text"] in body  # extractive, stored spelling
        assert 8 <= len(words(normalize(sentence["text"]))) <= 60


def test_summary_sentences_are_not_near_identical(seeds: list[dict[str, Any]]) -> None:
    summary = summarize(_articles(seeds, KIM))
    keysets = [frozenset(words(normalize(s["text"]))) for s in summary]
    for i, a in enumerate(keysets):
        for b in keysets[i + 1 :]:
            assert jaccard(a, b) <= 0.8


def test_copies_do_not_repeat_in_the_summary() -> None:
    text = (
        "The minister announced a new plan for the northern railway line on Monday morning. "
        "Workers will start building the first section of the track next spring near the coast. "
        "Critics said the budget for the railway project is far too small for such a long line."
    )
    articles = [
        _article("a", text, "one", ts=1),
        _article("b", text, "two", ts=2, dup_of="a"),
        _article("c", text.replace("Monday", "Sunday"), "three", ts=3, dup_of="a"),
    ]
    summary = summarize(articles)
    assert {s["article_id"] for s in summary} == {"a"}
    assert len({s["text"] for s in summary}) == len(summary)


def test_representative_is_the_medoid_and_prefers_originals() -> None:
    articles = [
        _article("edge", "x " * 20, vector=[1, 0, 0]),
        _article("centre", "y " * 20, vector=[0.8, 0.6, 0], dup_of="edge"),
        _article("mid", "z " * 20, vector=[0.6, 0.8, 0]),
        _article("far", "w " * 20, vector=[0, 1, 0]),
    ]
    assert representative(articles).id == "mid"  # "centre" is closer but a copy
    assert representative([articles[1]]).id == "centre"  # only copies: the copy will do


def test_representative_without_vectors_uses_words() -> None:
    """Without vectors the medoid is the article whose words the others share most."""
    articles = [
        _article("rail", "railway budget minister announced funding northern railway budget"),
        _article("hub", "railway budget minister coast track spring harbour ferry"),
        _article("coast", "coast track spring harbour ferry storm damaged"),
        _article("storm", "storm harbour ferry cancelled fishermen warned"),
    ]
    assert representative(articles).id == "hub"
    assert representative(articles[::-1]).id == "hub"  # not the position


def test_title_is_the_title_or_first_meaningful_sentence(seeds: list[dict[str, Any]]) -> None:
    untitled = next(a for a in _articles(seeds, KIM) if a.title is None)
    title = story_title(untitled)
    assert title and title.removesuffix(" …") in untitled.body
    assert len(words(normalize(title))) >= 4
    titled = _article("t", "body text here", title="  عنوان الخبر  ")
    assert story_title(titled) == "عنوان الخبر"


def test_build_summary_on_the_kim_story(seeds: list[dict[str, Any]]) -> None:
    articles = _articles(seeds, KIM)
    built = build_summary(articles)
    assert built["title"]
    assert built["representative"]["id"] in {a.id for a in articles}
    assert 5 <= len(built["keywords"]) <= 10
    assert 2 <= len(built["summary"]) <= 3


def test_rtl_marks_survive_in_the_summary() -> None:
    body = "\u200fأعلنت الوزارة اليوم عن خطة جديدة لتطوير شبكة القطارات في شمال البلاد خلال العام المقبل.\n"
    body += "وقال المتحدث إن المشروع سيبدأ في الربيع المقبل بتكلفة كبيرة وبمشاركة شركات محلية ودولية."
    summary = summarize([_article("a", body)])
    assert summary[0]["text"].startswith("\u200f")


def test_empty_and_tiny_stories() -> None:
    assert summarize([]) == []
    assert build_summary([])["summary"] == []
    built = build_summary([_article("a", "خبر قصير جدا")])
    assert built["title"] and built["representative"]["id"] == "a"


def test_a_summary_needs_only_the_texts_text_needed_names(seeds: list[dict[str, Any]]) -> None:
    rng = np.random.default_rng(11)
    bodies = [a["body"] for a in seeds]
    articles = [
        StoryArticle(
            f"a{i}",
            f"عنوان {i % 37}",
            bodies[i % len(bodies)],
            f"s{i % 7}",
            None,
            "2024-01-01T00:00:00+00:00",
            float(i),
            f"a{i - 1}" if i % 5 == 0 and i else None,
            rng.normal(size=16).astype(np.float32),
        )
        for i in range(500)
    ]
    needed = text_needed(articles)
    assert needed is not None and len(needed) <= 301
    kept = set(needed)
    light = [a if i in kept else dataclasses.replace(a, title=None, body="") for i, a in enumerate(articles)]
    assert build_summary(light) == build_summary(articles)
    without = [dataclasses.replace(a, vector=None) for a in articles[:10]]
    assert text_needed(without) is None


def test_page_furniture_is_not_summarized_or_a_keyword() -> None:
    """An outlet's 'news link' line under every article became summary text and the keyword رابط."""
    link = "رابط الخبر بصحيفة الوئام: افتتاح مهرجان الصيف في الطائف بمشاركة واسعة من الزوار والعائلات"
    bodies = [
        "افتتح أمير المنطقة مهرجان الصيف في الطائف مساء أمس بحضور جمع كبير من المسؤولين والزوار.",
        "وشهد المهرجان في يومه الأول فعاليات تراثية وعروضا مسرحية للأطفال والعائلات في الحدائق العامة.",
        "وتستمر فعاليات مهرجان الصيف في الطائف ثلاثة أسابيع وسط إقبال كبير من المصطافين من داخل المملكة.",
    ]
    articles = [
        _article(f"a{i}", f"{body}\n{link}", source=f"s{i}", ts=float(i)) for i, body in enumerate(bodies)
    ]
    built = build_summary(articles)
    assert built["summary"] and all("رابط" not in s["text"] for s in built["summary"])
    assert not {normalize(k) for k in built["keywords"]} & {
        normalize(w) for w in ("رابط", "بصحيفة", "الوئام")
    }


def test_the_summary_tells_the_representatives_event() -> None:
    """A story of one beat can hold two events; its summary follows its title's (the
    representative's) event instead of mixing in the other's sentences from other outlets."""
    fire = [
        "اندلع حريق كبير في مستودع للأخشاب بجدة مساء أمس وهرعت فرق الدفاع المدني إلى الموقع فورا.",
        "وأخمدت فرق الدفاع المدني حريق مستودع الأخشاب في جدة بعد ساعات من العمل دون إصابات بشرية.",
        "وقال المتحدث باسم الدفاع المدني إن حريق المستودع في جدة نتج عن تماس كهربائي في أحد المخازن.",
    ]
    crash = [
        "لقي ثلاثة أشخاص مصرعهم في حادث تصادم بين شاحنة وسيارة على طريق الرياض الدمام السريع فجر اليوم.",
        "وباشرت فرق الهلال الأحمر حادث التصادم على طريق الرياض الدمام ونقلت المصابين إلى المستشفى.",
        "وأوضح المرور أن حادث التصادم على طريق الرياض الدمام السريع وقع بسبب السرعة الزائدة للشاحنة.",
        "وأغلق حادث التصادم طريق الرياض الدمام السريع ساعتين حتى رفعت الشاحنة والسيارة من الموقع.",
    ]
    spread = ([0.2, 0.9, 0.4], [0.2, -0.9, 0.4], [0.2, 0.4, -0.9], [0.2, -0.4, -0.9])  # around the fire
    articles = [
        _article(f"fire{i}", body, source=f"fire outlet {i}", ts=float(i), vector=[1.0, 0.0, 0.05 * i])
        for i, body in enumerate(fire)
    ] + [
        _article(f"crash{i}", body, source=f"crash outlet {i}", ts=float(10 + i), vector=list(spread[i]))
        for i, body in enumerate(crash)
    ]
    assert representative(articles).id.startswith("fire")
    summary = summarize(articles)
    assert len(summary) >= 2 and all(s["article_id"].startswith("fire") for s in summary)
