"""Duplicate detection on hand-made Arabic and English texts, plus property tests of the invariants."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from service.config import PROJECT_ROOT, DedupSettings
from service.corpus import read_seeds
from service.dedup import DuplicateDetector
from service.documents import DuplicateMatch, PreparedArticle
from service.stages import DedupRecord, DuplicateEdge
from service.text import matching_form, normalize
from service.urls import canonical_url

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)

EN_WIRE = [
    "The central bank kept its benchmark interest rate unchanged at 2.5 percent on Tuesday, "
    "citing slowing inflation and a weaker outlook for exports.",
    "Governor Maria Lindqvist told reporters in Stockholm that the board saw no need to "
    "tighten policy further this year, but warned that energy prices remained a risk to the "
    "forecast.",
    "Analysts polled by the agency had expected the decision, although two of the twelve "
    "economists had forecast a small cut before the summer.",
    "The krona fell half a percent against the euro after the announcement, while government "
    "bond yields edged lower across the curve.",
    "The bank said it would publish its next monetary policy report in September, together "
    "with updated forecasts for growth and unemployment.",
]
EN_INDEPENDENT = (
    "Sweden's Riksbank left borrowing costs on hold on Tuesday. Holding the rate at 2.5 "
    "percent was widely anticipated by markets, and Lindqvist said at a press conference that "
    "inflation is cooling faster than officials had feared in the spring. Exporters have "
    "struggled with weak demand from Germany. Traders sold the Swedish currency modestly and "
    "bonds rallied. Most economists now see the first cut arriving next year, while a "
    "minority argue the bank should move sooner given rising unemployment."
)
EN_OTHER = (
    "The home side scored twice in the last ten minutes to win the cup final 3-2 on Saturday "
    "evening. Their captain, who missed most of the season with a knee injury, headed the "
    "winner from a corner. The visiting coach complained about the referee after the match, "
    "saying a penalty should have been given before half time. More than forty thousand fans "
    "filled the stadium for the first final in the city since 1998."
)
AR_WIRE = [
    "أعلنت وزارة الصحة اليوم الثلاثاء عن افتتاح مستشفى جديد في مدينة الدمام بسعة ثلاثمائة "
    "سرير، وذلك ضمن خطة لتوسيع الخدمات الصحية في المنطقة الشرقية.",
    "وقال المتحدث الرسمي باسم الوزارة إن المستشفى يضم أقساما متخصصة في أمراض القلب والأورام "
    "وطب الأطفال، إضافة إلى مركز للطوارئ يعمل على مدار الساعة.",
    "وأوضح أن تكلفة المشروع بلغت نحو ستمائة مليون ريال، وأن العمل فيه استمر ثلاث سنوات بمشاركة شركات وطنية.",
    "وأشار إلى أن الوزارة تعتزم افتتاح أربعة مستشفيات أخرى قبل نهاية العام المقبل في كل من "
    "الأحساء والجبيل وحفر الباطن والقطيف.",
    "ودعا المواطنين إلى الاستفادة من الخدمات الإلكترونية لحجز المواعيد عبر التطبيق الرسمي للوزارة.",
]
AR_INDEPENDENT = (
    "افتتحت وزارة الصحة مستشفى الدمام الجديد الذي يتسع لثلاثمائة سرير، في خطوة تهدف إلى تخفيف "
    "الضغط على مستشفيات المنطقة الشرقية. ويحتوي المبنى على وحدات للقلب والأورام والأطفال وقسم "
    "طوارئ مفتوح طوال اليوم. وبحسب مصادر مطلعة فإن كلفة المبنى وصلت إلى ستمائة مليون ريال "
    "واستغرق تشييده ثلاثة أعوام، فيما ينتظر سكان الأحساء والجبيل مشاريع مماثلة خلال العام "
    "المقبل. ورحب عدد من الأهالي بالمشروع مطالبين بزيادة عدد الأطباء المتخصصين."
)
AR_OTHER = (
    "توقع المركز الوطني للأرصاد أن تشهد مناطق جازان وعسير والباحة هطول أمطار رعدية متوسطة إلى "
    "غزيرة خلال الأيام الثلاثة المقبلة، مصحوبة برياح نشطة تثير الأتربة والغبار. ودعا المركز "
    "المواطنين إلى الابتعاد عن مجاري السيول وعدم المجازفة بعبور الأودية، كما نبه قائدي "
    "المركبات إلى تدني مدى الرؤية الأفقية على الطرق السريعة. وتتراوح درجات الحرارة العظمى في "
    "الرياض بين أربعين وخمس وأربعين درجة مئوية."
)
CREDIT = {
    "en": "Reporting by John Smith in Stockholm; editing by Jane Doe and Mark Lee.",
    "ar": "وقد أعد هذا التقرير مراسل الوكالة في الدمام بالتعاون مع قسم الأخبار المحلية.",
}
LANGUAGES = {"en": (EN_WIRE, EN_INDEPENDENT, EN_OTHER), "ar": (AR_WIRE, AR_INDEPENDENT, AR_OTHER)}


def article(
    article_id: str, body: str, title: str | None = None, hours: float = 0.0, url: str | None = None
) -> PreparedArticle:
    """A prepared article, normalized the way the pipeline does it."""
    title_norm = normalize(title) if title else ""
    body_norm = matching_form(body)
    published = T0 + timedelta(hours=hours)
    return PreparedArticle(
        id=article_id,
        source="test",
        body=body,
        title=title,
        url=url,
        canonical_url=canonical_url(url),
        language="und",
        published_at=published,
        received_at=published,
        title_norm=title_norm,
        body_norm=body_norm,
        content_hash=hashlib.sha256(f"{title_norm}\n{body_norm}".encode()).hexdigest(),
    )


class FakeStore:
    """What the pipeline persists per article: body, record (edge kept in step with statuses)."""

    def __init__(self, dedup: DedupSettings | None = None) -> None:
        self.settings = dedup or DedupSettings()
        self.bodies: dict[str, str] = {}
        self.records: dict[str, DedupRecord] = {}
        self.last_changed: dict[str, DuplicateMatch | None] = {}
        self.read: list[str] = []  # ids whose bodies the detector asked for, in order
        self.detector = self.fresh()

    def fresh(self) -> DuplicateDetector:
        return DuplicateDetector(self.settings, self._lookup)

    def _lookup(self, ids: list[str]) -> dict[str, str]:
        self.read.extend(ids)
        return {i: self.bodies[i] for i in ids if i in self.bodies}

    def add(self, doc: PreparedArticle) -> DuplicateMatch | None:
        signature = self.detector.signature(doc)
        self.bodies[doc.id] = doc.body_norm
        decision = self.detector.add(doc, signature)
        self.records[doc.id] = DedupRecord(
            doc.id, doc.timestamp, doc.content_hash, doc.canonical_url, signature, decision.edge
        )
        self._mirror(decision.changed)
        self.last_changed = decision.changed
        return decision.changed[doc.id]

    def remove(self, article_id: str) -> dict[str, DuplicateMatch | None]:
        changed = self.detector.remove(article_id)
        del self.bodies[article_id], self.records[article_id]
        self._mirror(changed)
        return changed

    def _mirror(self, changed: dict[str, DuplicateMatch | None]) -> None:
        """Statuses written back as edges, as the pipeline must do for merges to survive a reload."""
        for other, match in changed.items():
            edge = DuplicateEdge(other, match.of, match.type, match.score) if match else None
            self.records[other] = replace(self.records[other], edge=edge)

    def state(self) -> dict[str, tuple[tuple[str, ...], DuplicateMatch | None]]:
        return {i: (tuple(self.detector.group(i)), self.detector.status(i)) for i in self.records}


def wire(lang: str) -> str:
    return "\n".join(LANGUAGES[lang][0])


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda p, lang: "\n".join(p[:3]), id="trimmed"),
        pytest.param(lambda p, lang: "\n".join(p), id="new-headline"),
        pytest.param(lambda p, lang: "\n".join([*p, CREDIT[lang]]), id="credit-line"),
        pytest.param(lambda p, lang: "\n".join([p[2], p[0], p[4], p[1], p[3]]), id="reordered"),
    ],
)
def test_edited_copies_are_near_duplicates_of_the_original(lang: str, variant) -> None:
    store = FakeStore()
    store.add(article("orig", wire(lang), title="Original headline"))
    match = store.add(article("copy", variant(LANGUAGES[lang][0], lang), title="Another headline", hours=5))
    assert match is not None and match.type == "near" and match.of == "orig"
    assert 0 < match.score <= 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_independent_write_up_and_other_story_are_not_duplicates(lang: str) -> None:
    _, independent, other = LANGUAGES[lang]
    store = FakeStore()
    store.add(article("wire", wire(lang)))
    assert store.add(article("independent", independent, hours=2)) is None
    assert store.add(article("other", other, hours=3)) is None
    assert store.detector.group("independent") == ["independent"]


def test_identical_text_is_exact_and_same_url_is_url_duplicate() -> None:
    store = FakeStore()
    store.add(article("a", wire("en"), title="T", url="https://www.example.com/news/1?utm_source=x"))
    assert store.add(article("b", wire("en"), title="T", hours=1)) == DuplicateMatch("exact", "a", 1.0)
    update = "\n".join([*EN_WIRE[:5], "The bank said it would review the rate again at its March meeting."])
    repost = article("c", update, url="http://example.com/news/1/", hours=2)
    assert store.add(repost) == DuplicateMatch("url", "a", 1.0)


def test_one_address_for_different_texts_makes_no_duplicates() -> None:
    """A feed giving its home or section page as every article's url made them all copies of the
    first, and their duplicate groups then moved between stories together."""
    store = FakeStore()
    store.add(article("a", wire("en"), url="https://example.com/news"))
    assert store.add(article("b", EN_OTHER, url="https://example.com/news/", hours=1)) is None
    assert store.detector.group("b") == ["b"]


def test_copy_arriving_before_its_original_is_repointed() -> None:
    store = FakeStore()
    assert store.add(article("copy", "\n".join(EN_WIRE[:4]), hours=6)) is None
    assert store.add(article("orig", wire("en"), hours=0)) is None
    repointed = store.last_changed["copy"]
    assert repointed is not None and repointed.type == "near" and repointed.of == "orig"
    assert store.detector.status("copy") == repointed
    assert store.detector.group("copy") == ["orig", "copy"]


def test_removing_the_original_hands_over_to_the_next_earliest() -> None:
    store = FakeStore()
    store.add(article("orig", wire("ar")))
    store.add(article("late", "\n".join(AR_WIRE[:4]), hours=9))
    store.add(article("early", "\n".join(AR_WIRE[1:]), hours=3))
    assert store.detector.group("late") == ["orig", "early", "late"]
    changed = store.remove("orig")
    assert changed["early"] is None
    assert changed["late"] is not None and changed["late"].of == "early"
    assert store.detector.group("late") == ["early", "late"]


def test_roundup_of_two_wires_does_not_glue_them_together() -> None:
    store = FakeStore()
    store.add(article("rates", wire("en")))
    store.add(article("football", EN_OTHER, hours=1))
    store.add(article("roundup", wire("en") + "\n" + EN_OTHER, hours=4))
    assert store.detector.group("rates")[0] != store.detector.group("football")[0]


def test_check_reports_matches_best_first_and_stores_nothing() -> None:
    store = FakeStore()
    store.add(article("orig", wire("en"), title="T"))
    store.add(article("trim", "\n".join(EN_WIRE[:3]), hours=1))
    before = store.state()
    draft = article("draft", wire("en"), title="T", hours=2)
    matches = store.detector.check(draft, limit=5)
    assert [m.of for m in matches] == ["orig", "trim"]
    assert matches[0] == DuplicateMatch("exact", "orig", 1.0) and matches[1].type == "near"
    assert store.detector.check(draft, limit=1) == matches[:1]
    assert store.state() == before and len(store.detector) == 2
    stored = article("orig", wire("en"), title="T")
    assert [m.of for m in store.detector.check(stored, 5)] == ["trim"]  # never itself
    assert store.add(draft) == DuplicateMatch("exact", "orig", 1.0)


def test_far_candidates_agreeing_on_few_permutations_are_not_read() -> None:
    """Beyond the copy window only Jaccard >= 0.6 makes a copy, so an LSH candidate whose MinHash
    agrees on too few permutations to be one is dropped before its text is read."""
    quoting = f"{EN_WIRE[1]}\n{EN_OTHER}"  # one sentence of the wire: an LSH candidate at Jaccard 0.15
    for risk, read in ((DedupSettings().far_skip_risk, False), (0.0, True)):
        store = FakeStore(DedupSettings(far_skip_risk=risk))
        store.add(article("orig", wire("en"), title="T"))
        far = article("far", quoting, hours=24 * 30)
        _, sketch, _ = store.detector.sketch(far)
        assert sketch is not None and "orig" in store.detector.near.candidates(sketch)
        assert store.detector.near.agreement(sketch, ["orig"])["orig"] < 9
        store.read.clear()
        assert store.detector.check(far, 5) == []
        assert ("orig" in store.read) is read
        store.read.clear()
        assert store.detector.check(article("near", quoting, hours=24), 5) == []  # within the window
        assert store.read == ["orig"]
        again = store.detector.check(article("again", "\n".join(EN_WIRE[:4]), hours=24 * 30), 5)
        assert [(m.type, m.of) for m in again] == [("near", "orig")]  # a far copy is still verified


def test_short_texts_only_match_exactly() -> None:
    store = FakeStore()
    store.add(article("a", "Markets closed higher on Monday."))
    assert store.detector.signature(article("b", "Markets closed higher on Monday, traders said.")) is None
    assert store.add(article("b", "Markets closed higher on Monday, traders said.", hours=1)) is None
    again = store.add(article("c", "Markets closed higher on Monday.", hours=2))
    assert again == DuplicateMatch("exact", "a", 1.0)


def test_load_from_records_reproduces_the_state() -> None:
    store = FakeStore()
    store.add(article("copy", "\n".join(EN_WIRE[:4]), hours=6))
    store.add(article("orig", wire("en")))
    store.add(article("exact", wire("en"), hours=7))
    store.add(article("ar", wire("ar"), hours=1))
    store.add(article("ar-copy", wire("ar") + "\n" + CREDIT["ar"], hours=2))
    store.remove("ar")
    reloaded = store.fresh()
    reloaded.load(store.records.values())
    assert {i: (tuple(reloaded.group(i)), reloaded.status(i)) for i in store.records} == store.state()
    draft = article("draft", "\n".join(EN_WIRE[1:]), hours=8)
    assert reloaded.check(draft, 5) == store.detector.check(draft, 5)


def test_seeds_have_no_duplicates_and_a_reposted_seed_is_caught() -> None:
    store = FakeStore()
    seeds = list(read_seeds(PROJECT_ROOT / "seeds"))
    for raw in seeds:
        published = datetime.fromisoformat(raw["published_at"].replace("Z", "+00:00"))
        hours = (published - T0).total_seconds() / 3600
        assert store.add(article(raw["id"], raw["body"], raw["title"], hours=hours)) is None
    seed = seeds[0]
    later = datetime.fromisoformat(seed["published_at"].replace("Z", "+00:00")) + timedelta(hours=3)
    body = f"{seed['body']}\n{CREDIT['ar']}"
    hours = (later - T0).total_seconds() / 3600
    match = store.add(article("repost", body, title="عنوان جديد تماما للخبر", hours=hours))
    assert match is not None and match.type in ("near", "exact") and match.of == seed["id"]


def test_late_original_unites_partial_copies_and_its_removal_splits_them() -> None:
    store = FakeStore()
    store.add(article("first-half", "\n".join(EN_WIRE[:3]), hours=5))
    store.add(article("second-half", "\n".join(EN_WIRE[2:]), hours=6))
    assert store.detector.group("first-half") == ["first-half"]
    before = store.state()
    store.add(article("full", wire("en"), hours=1))
    assert store.detector.group("second-half") == ["full", "first-half", "second-half"]
    assert {store.last_changed[i].of for i in ("first-half", "second-half")} == {"full"}
    reloaded = store.fresh()
    reloaded.load(store.records.values())
    assert reloaded.group("first-half") == ["full", "first-half", "second-half"]
    changed = store.remove("full")
    assert changed == {"first-half": None, "second-half": None}
    assert store.state() == before


def test_signatures_without_headline_keys_still_load() -> None:
    store = FakeStore()
    store.add(article("orig", wire("en"), title="Central bank holds rates"))
    store.add(article("copy", "\n".join(EN_WIRE[:4]), title="Rates on hold", hours=2))
    legacy = [
        replace(r, signature=r.signature[: 4 * store.settings.num_perm]) for r in store.records.values()
    ]
    reloaded = store.fresh()
    reloaded.load(legacy)
    assert reloaded.group("copy") == ["orig", "copy"]
    draft = article("draft", "\n".join(EN_WIRE[1:]), title="Krona falls", hours=3)
    assert [m.of for m in reloaded.check(draft, 5)] == ["orig", "copy"]
