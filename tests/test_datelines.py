"""Datelines and bylines: dropped from the report's matching form and sentences, prose kept."""

from __future__ import annotations

import pytest

from service.datelines import is_dateline, without_lead
from service.text import matching_form, normalize, sentences


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("ماجد الرفاعي- سبق- المدينة المنورة: انتشلت فرق الدفاع المدني", "انتشلت فرق الدفاع المدني"),
        ("عوض الفهمي ـ سبق ـ الليث: ضبطت القوة الخاصة", "ضبطت القوة الخاصة"),
        ("* بكين - (د.ب.أ): تباطأ النشاط الصناعي", "تباطأ النشاط الصناعي"),
        ("كولومبو - «الشرق الأوسط»: قالت الشرطة", "قالت الشرطة"),
        ("رويترز - بنغازي (ليبيا): قال تنظيم", "قال تنظيم"),
        ("LONDON, Aug 3 (Reuters) - Shares rose", "Shares rose"),
        ("NEW YORK (AP) — Stocks fell", "Stocks fell"),
    ],
)
def test_lead_datelines_are_removed(line: str, rest: str) -> None:
    assert without_lead(line) == rest


@pytest.mark.parametrize(
    "line",
    [
        "1943 - الحرب العالمية الثانية: قوات الحلفاء تشن غارات",  # a chronology entry
        "- أولاً: مقترح طريق",  # a list item
        'وقال البيلاوي لـ"الوطن": حققت القوات تقدما',  # a quote's attribution
        "وقال رياض الأشقر - الناطق الإعلامي للمركز: إن أوضاع السجون",  # longer than a dateline
        "The U.S. - China talks: a summary",  # the colon form is an Arabic press convention
        "I - as a reporter - say: no",
    ],
)
def test_other_lines_keep_their_opening(line: str) -> None:
    assert without_lead(line) is line


def test_dateline_lines() -> None:
    assert is_dateline(normalize("جدة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس").split())
    assert not is_dateline(normalize("وصل الملك إلى جدة في 10 أغسطس 2015 قادما من الرياض").split())
    assert not is_dateline(normalize("الرياض 26 شوال واس").split())  # no year


def test_one_reporters_articles_no_longer_share_his_name() -> None:
    first = "ماجد الرفاعي- سبق- جدة: أعلنت وزارة الصحة عدم تسجيل إصابات جديدة.\nوأضافت أن الوضع مستقر."
    second = "ماجد الرفاعي- سبق- جدة: افتتح أمير المنطقة المعرض اليوم."
    assert "الرفاعي" not in matching_form(first) and "سبق" not in matching_form(second)
    assert sentences(first)[0] == "أعلنت وزارة الصحة عدم تسجيل إصابات جديدة."
    assert "الرفاعي" not in sentences(second)[0]


def test_only_the_opening_lines_are_read_for_a_dateline() -> None:
    body = "افتتح المعرض اليوم.\nوحضر الافتتاح عدد من المسؤولين.\nسبق- الرياض: سطر ثالث في التقرير."
    assert "سبق الرياض" in matching_form(body)


def test_a_report_that_is_only_a_dateline_keeps_its_text() -> None:
    assert matching_form("سبق- الرياض:") == "سبق الرياض"
    assert sentences("سبق- الرياض:") == ["سبق- الرياض:"]
