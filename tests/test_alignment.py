"""Pair verification: passage alignment, headline conflicts and the copy rule, on hand-made
Arabic and English texts, alone and through the duplicate detector."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from service.alignment import align, headline_conflict, passage_scores, verify
from service.config import DedupSettings
from service.shingles import ShingleProfile, headline_keys, overlap, profile, word_hashes
from service.text import matching_form, normalize
from tests.test_dedup import FakeStore, article

# A ministry release and an edited copy: honorifics stripped, sentences reordered, verbs reworded.
RELEASE = [
    "دشن صاحب السمو الملكي الأمير فيصل بن بندر بن عبدالعزيز أمير منطقة الرياض اليوم مشروع توسعة "
    "مستشفى الملك سعود بتكلفة بلغت أربعمائة مليون ريال.",
    "وتشمل التوسعة إضافة مئتين وخمسين سريرا وقسما جديدا للعناية المركزة ومركزا متخصصا لعلاج أمراض الكلى "
    "وغسيلها لدى الكبار والأطفال.",
    "واستمع سموه خلال الزيارة إلى شرح مفصل من مدير المستشفى الدكتور خالد العتيبي عن مراحل تنفيذ المشروع "
    "والخدمات التي سيقدمها للمرضى في العاصمة.",
    "وأكد معالي وزير الصحة المهندس خالد الفالح أن المشروع يأتي ضمن خطة الوزارة لرفع الطاقة الاستيعابية "
    "للمستشفيات الحكومية في مدينة الرياض.",
    "وأشار إلى أن العمل في المشروع استغرق ثلاث سنوات بمشاركة عدد من الشركات الوطنية المتخصصة في البناء "
    "والتجهيزات الطبية الحديثة.",
    "وفي ختام الزيارة التقى سموه بعدد من المرضى المنومين واطمأن على صحتهم ودعا لهم بالشفاء العاجل.",
]
PARAPHRASE = [
    "وقال وزير الصحة خالد الفالح إن هذا المشروع يندرج ضمن خطة الوزارة الرامية لرفع الطاقة الاستيعابية "
    "للمستشفيات الحكومية بمدينة الرياض.",
    "وافتتح أمير منطقة الرياض الأمير فيصل بن بندر أمس توسعة مستشفى الملك سعود التي تكلفت "
    "أربعمائة مليون ريال.",
    "وتضم التوسعة مئتين وخمسين سريرا إضافيا وقسما جديدا للعناية المركزة ومركزا متخصصا لعلاج أمراض الكلى "
    "وغسيلها لدى الكبار والأطفال.",
    "وأوضح أن العمل في المشروع استمر ثلاث سنوات بمشاركة عدد من الشركات الوطنية المتخصصة في البناء "
    "والتجهيزات الطبية الحديثة.",
    "واستمع الأمير إلى شرح قدمه مدير المستشفى الدكتور خالد العتيبي حول مراحل التنفيذ والخدمات المنتظرة "
    "للمرضى في العاصمة.",
]
INDEPENDENT = (
    "افتتح أمير الرياض مبنى التوسعة الجديد في مستشفى الملك سعود، في خطوة ينتظرها سكان جنوب العاصمة منذ "
    "سنوات. ويضيف المبنى نحو 250 سريرا ووحدة للكلى، بحسب ما ذكرته مصادر في المستشفى. وقال مراجعون إن "
    "الزحام في أقسام الطوارئ بلغ حدا لا يطاق خلال الصيف الماضي، وطالبوا بزيادة عدد الأطباء قبل تشغيل "
    "الأسرة الجديدة. ويرى مختصون أن نقص الكوادر التمريضية سيبقى التحدي الأكبر أمام الوزارة في المرحلة "
    "المقبلة رغم ضخامة الاستثمارات."
)
# A long cabinet-style statement; its first paragraphs are published alone under a new headline.
STATEMENT = [
    "عقد مجلس الوزراء جلسته الأسبوعية بعد ظهر اليوم في قصر السلام بجدة برئاسة خادم الحرمين الشريفين.",
    "وفي بداية الجلسة أطلع المجلس على نتائج المباحثات التي أجراها مع رئيس وزراء اليابان حول تعزيز "
    "التعاون الاقتصادي والاستثمار في قطاعي الطاقة والتقنية.",
    "وأوضح وزير الثقافة والإعلام أن المجلس جدد إدانة المملكة للتفجير الإرهابي الذي استهدف مسجدا في "
    "منطقة عسير مؤكدا أن هذه الأعمال لن تنال من وحدة الوطن.",
    "ثم استعرض المجلس تطورات الأوضاع في اليمن والجهود الإغاثية التي يقدمها مركز الملك سلمان للإغاثة "
    "والأعمال الإنسانية للشعب اليمني.",
    "وناقش المجلس تقريرا عن أداء الاقتصاد الوطني خلال النصف الأول من العام وارتفاع الإيرادات غير النفطية.",
    "وقرر المجلس الموافقة على مذكرة تفاهم للتعاون في مجال النقل البحري بين المملكة وجمهورية كوريا.",
    "كما قرر الموافقة على تنظيم الهيئة العامة للإحصاء وتعديل بعض مواد نظام العمل المتعلقة بالإجازات.",
    "ووافق على تعيين عدد من المسؤولين في المرتبتين الخامسة عشرة والرابعة عشرة في عدد من الوزارات.",
    "واطلع المجلس على التقارير السنوية لعدد من الجهات الحكومية واتخذ ما يلزم حيالها من قرارات.",
    "وفي ختام الجلسة رفع المجلس التهنئة للقيادة بمناسبة نجاح خطط التشغيل في موسم العمرة هذا العام.",
]
CABLE = (
    "بعث خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز آل سعود برقية تهنئة لفخامة الرئيس {leader} {role} "
    "بمناسبة ذكرى استقلال بلاده. وأعرب الملك المفدى باسمه واسم شعب وحكومة المملكة العربية السعودية عن "
    "أصدق التهاني وأطيب التمنيات بالصحة والسعادة لفخامته، ولحكومة وشعب {people} اطراد التقدم والازدهار. "
    "كما بعث ولي العهد برقية تهنئة مماثلة لفخامة الرئيس {leader} {role}."
)
NIGER = {"leader": "محمدو إيسوفو", "role": "رئيس جمهورية النيجر", "people": "النيجر الشقيق"}
JAMAICA = {"leader": "باتريك ألين", "role": "حاكم عام جامايكا", "people": "جامايكا الصديق"}
CABLE_TITLES = {
    "niger": "الملك يهنئ رئيس النيجر بذكرى الاستقلال",
    "jamaica": "الملك يهنئ حاكم جامايكا بذكرى الاستقلال",
}

EN_RELEASE = [
    "His Excellency the Minister of Transport, Dr. Ahmed Salem, opened the new container terminal at the "
    "northern port on Monday, adding capacity for two million containers a year.",
    "The terminal cost 1.2 billion dollars and was built over four years by a consortium of local firms.",
    "Salem said the project would cut waiting times for ships and create three thousand jobs in the region.",
    "The port authority expects the first vessels to dock at the new berths before the end of the month.",
]
EN_PARAPHRASE = [
    "The port authority expects the first vessels to dock at the new berths before the end of this month.",
    "Transport minister Ahmed Salem opened a new container terminal at the northern port on Monday, which "
    "adds capacity for two million containers a year.",
    "Built over four years by a consortium of local firms, the terminal cost 1.2 billion dollars.",
]


def prepared(body: str, title: str = "") -> tuple[ShingleProfile, np.ndarray]:
    text = profile(matching_form(body), 3)
    return text, headline_keys(normalize(title), text, 16)


def cable(country: dict[str, str]) -> str:
    return CABLE.format(**country)


def check(new: str, stored: str, titles: tuple[str, str] = ("", ""), gap: float = 0.2):
    (a, head_a), (b, head_b) = prepared(new, titles[0]), prepared(stored, titles[1])
    return verify(a, b, gap, DedupSettings(), (head_a, head_b))


def _brute_force(source: list[int], target: list[int], size: int, window: int) -> list[float]:
    count = max(1, round(len(source) / size))
    bounds = np.linspace(0, len(source), count + 1).astype(int)
    scores = []
    for start, end in itertools.pairwise(bounds):
        words = set(source[start:end])
        starts = range(max(1, len(target)))
        best = max(len(words & set(target[s : s + window])) for s in starts) if target else 0
        scores.append(best / max(1, len(words)))
    return scores


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 12), min_size=1, max_size=60),
    st.lists(st.integers(0, 12), min_size=1, max_size=60),
    st.integers(2, 8),
    st.integers(2, 12),
)
def test_passage_scores_match_a_brute_force_count(
    source: list[int], target: list[int], size: int, window: int
) -> None:
    found = passage_scores(np.array(source), np.array(target), size, window)
    assert np.allclose(found, _brute_force(source, target, size, window))


def test_reordered_and_edited_sentences_are_recognised() -> None:
    release, paraphrase = prepared("\n".join(RELEASE))[0], prepared("\n".join(PARAPHRASE))[0]
    aligned = align(paraphrase.tokens, release.tokens, 10, 15, 0.6)
    assert aligned.short_recognised >= 0.75 and aligned.long_recognised >= 0.5
    other = prepared(INDEPENDENT)[0]
    assert align(other.tokens, release.tokens, 10, 15, 0.6).short_recognised < 0.3


def test_trimmed_copy_keeps_the_lead() -> None:
    full, excerpt = prepared("\n".join(STATEMENT))[0], prepared("\n".join(STATEMENT[:3]))[0]
    aligned = align(excerpt.tokens, full.tokens, 10, 15, 0.6)
    assert aligned.short_recognised == 1.0 and aligned.lead and aligned.long_recognised < 0.5
    tail = prepared("\n".join(STATEMENT[5:8]))[0]
    assert not align(tail.tokens, full.tokens, 10, 15, 0.6).lead


def test_paraphrased_release_is_a_copy_in_arabic_and_english() -> None:
    release, paraphrase = "\n".join(RELEASE), "\n".join(PARAPHRASE)
    assert overlap(prepared(paraphrase)[0], prepared(release)[0], 3).jaccard < 0.35  # beyond shingle rules
    copy = check(paraphrase, release)
    assert copy is not None and 0 < copy.score <= 1 and not copy.strong
    assert check("\n".join(EN_PARAPHRASE), "\n".join(EN_RELEASE)) is not None


def test_excerpt_of_a_long_statement_is_a_copy() -> None:
    excerpt, statement = "\n".join(STATEMENT[:2]), "\n".join(STATEMENT)
    assert overlap(prepared(excerpt)[0], prepared(statement)[0], 3).coverage_long < 0.45
    copy = check(excerpt, statement)
    assert copy is not None and copy.lead and type(copy.score) is float


def test_independent_write_up_and_distant_reposts_are_not_copies() -> None:
    assert check(INDEPENDENT, "\n".join(RELEASE)) is None
    assert check("\n".join(PARAPHRASE), "\n".join(RELEASE), gap=5.0) is None  # beyond the copy window
    assert check("\n".join(RELEASE), "\n".join(RELEASE), gap=5.0) is not None


def test_cables_to_different_countries_conflict_in_their_headlines() -> None:
    niger, jamaica = cable(NIGER), cable(JAMAICA)
    assert check(jamaica, niger) is not None  # bodies alone look like a copy
    titles = (CABLE_TITLES["jamaica"], CABLE_TITLES["niger"])
    assert check(jamaica, niger, titles) is None
    (a, head_a), (b, head_b) = prepared(jamaica, titles[0]), prepared(niger, titles[1])
    assert headline_conflict(a, head_a, b, head_b) and headline_conflict(b, head_b, a, head_a)
    same = check(niger, niger + " وتمنى له موفور الصحة.", ("تهنئة للنيجر", CABLE_TITLES["niger"]))
    assert same is not None and same.strong


SOLDIER = (
    "أعلنت قيادة القوات المشتركة استشهاد {rank} {name} إثر إصابته بمقذوف عسكري أطلق من داخل الأراضي "
    "اليمنية على أحد المواقع المتقدمة في قطاع {place}، وقدمت القيادة أحر التعازي لأسرة الشهيد."
)


def test_two_slot_words_each_make_a_conflict_and_demonyms_count() -> None:
    first = SOLDIER.format(rank="الجندي أول", name="يحيى الشامري", place="جازان")
    second = SOLDIER.format(rank="الرقيب", name="ماجد السبيعي", place="نجران")
    titles = ("استشهاد الجندي أول يحيى الشامري في جازان", "استشهاد الرقيب ماجد السبيعي في نجران")
    assert check(first, second) is not None and check(first, second, titles) is None
    (a, head_a), (b, head_b) = prepared(first, titles[0]), prepared(second, "استشهاد رقيب في نجران")
    assert not headline_conflict(a, head_a, b, head_b)  # one word each, said once: maybe a synonym
    singapore = cable({"leader": "توني تان", "role": "رئيس جمهورية سنغافورة", "people": "سنغافورة الصديق"})
    head = prepared(singapore, "القيادة تهنئ الرئيس السنغافوري")[1]
    assert np.isin(word_hashes(["سنغافوره"]), head).all()
    assert check(singapore, cable(NIGER), ("القيادة تهنئ الرئيس السنغافوري", CABLE_TITLES["niger"])) is None


def test_headline_conflicts_need_a_repeated_slot_and_skip_variants() -> None:
    release, paraphrase = "\n".join(RELEASE), "\n".join(PARAPHRASE)
    (a, head_a) = prepared(paraphrase, "توسعة مستشفى الملك سعود أمس")
    (b, head_b) = prepared(release, "أمير الرياض يدشن توسعة المستشفى اليوم")
    assert not headline_conflict(a, head_a, b, head_b)  # "أمس" vs "اليوم": each named once
    (c, head_c) = prepared(release + " جوجل", "جوجل")
    (d, head_d) = prepared(release + " جوجلي جوجلي", "جوجلي")
    assert not headline_conflict(c, head_c, d, head_d)  # a spelling variant, not another name


def test_paraphrased_release_and_excerpt_join_their_source() -> None:
    store = FakeStore()
    store.add(article("release", "\n".join(RELEASE), title="أمير الرياض يدشن توسعة مستشفى الملك سعود"))
    match = store.add(article("edited", "\n".join(PARAPHRASE), title="افتتاح توسعة المستشفى", hours=5))
    assert match is not None and match.type == "near" and match.of == "release"
    assert store.add(article("own", INDEPENDENT, title="توسعة مستشفى الملك سعود", hours=6)) is None
    store.add(article("statement", "\n".join(STATEMENT), title="مجلس الوزراء يعقد جلسته"))
    excerpt = store.add(article("excerpt", "\n".join(STATEMENT[:2]), title="المجلس يدين التفجير", hours=3))
    assert excerpt is not None and excerpt.of == "statement" and type(excerpt.score) is float


def test_templated_cables_to_different_countries_stay_apart_even_after_reload() -> None:
    store = FakeStore()
    niger, jamaica = cable(NIGER), cable(JAMAICA)
    store.add(article("niger", niger, title=CABLE_TITLES["niger"]))
    assert store.add(article("jamaica", jamaica, title=CABLE_TITLES["jamaica"], hours=20)) is None
    reloaded = store.fresh()
    reloaded.load(store.records.values())
    draft = article("draft", jamaica + " وتمنى له التوفيق.", title=CABLE_TITLES["jamaica"], hours=21)
    assert (
        [m.of for m in reloaded.check(draft, 5)]
        == ["jamaica"]
        == [m.of for m in store.detector.check(draft, 5)]
    )
    untitled = FakeStore()
    untitled.add(article("niger", niger))
    assert (
        untitled.add(article("jamaica", jamaica, hours=20)) is not None
    )  # only the headlines tell them apart
