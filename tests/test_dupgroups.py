"""Duplicate group bookkeeping: originals, links, re-pointing, removal and rebuild from edges,
unit-tested and as properties of whole detector streams."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import near_index
from service.alignment import Copy
from service.documents import DuplicateMatch
from service.dupgroups import DuplicateGroups
from service.stages import DuplicateEdge
from tests.test_dedup import AR_OTHER, EN_OTHER, FakeStore, article, wire

# Publication time and arrival of each test article.
ORDER = {"a": (1.0, 1), "b": (2.0, 2), "c": (3.0, 3), "d": (0.5, 4), "e": (2.0, 0)}


def groups() -> DuplicateGroups:
    return DuplicateGroups(lambda i: ORDER[i])


def test_singletons_have_no_status() -> None:
    g = groups()
    assert g.members("a") == ["a"] and g.original("a") == "a" and g.status("a") is None
    assert len(g) == 0 and g.sizes() == []


def test_join_points_at_the_original_and_an_earlier_newcomer_takes_over() -> None:
    g = groups()
    assert g.join("b", "a", "near", 0.8) == {"b": DuplicateMatch("near", "a", 0.8)}
    assert g.join("c", "b", "exact", 1.0) == {"c": DuplicateMatch("exact", "a", 1.0)}
    changed = g.join("d", "a", "near", 0.7)
    assert changed == {
        "d": None,
        "a": DuplicateMatch("near", "d", 0.7),
        "b": DuplicateMatch("near", "d", 0.8),
        "c": DuplicateMatch("exact", "d", 1.0),
    }
    assert g.members("c") == ["d", "a", "b", "c"] and g.sizes() == [4]


def test_publication_ties_go_to_the_earlier_arrival() -> None:
    g = groups()
    g.join("e", "b", "url", 1.0)
    assert g.original("b") == "e" and g.status("b") == DuplicateMatch("url", "e", 1.0)


def test_remove_hands_over_the_original_and_dissolves_pairs() -> None:
    g = groups()
    g.join("b", "a", "near", 0.8)
    g.join("c", "a", "near", 0.6)
    assert g.remove("a") == {"b": None, "c": DuplicateMatch("near", "b", 0.6)}
    assert g.remove("c") == {}  # b was already the original
    assert g.members("b") == ["b"] and len(g) == 0
    assert g.remove("b") == {} and g.remove("unknown") == {}


def test_removing_a_member_keeps_the_others() -> None:
    g = groups()
    g.join("b", "a", "near", 0.8)
    g.join("c", "a", "near", 0.6)
    assert g.remove("b") == {}
    assert g.members("a") == ["a", "c"]


def test_merge_and_removal_of_the_bridge() -> None:
    g = groups()
    g.join("c", "b", "near", 0.9)
    g.join("d", "a", "near", 0.7)
    changed = g.merge("d", "b", "near", 0.5)
    assert changed == {"b": DuplicateMatch("near", "d", 0.5), "c": DuplicateMatch("near", "d", 0.9)}
    assert g.members("c") == ["d", "a", "b", "c"]
    assert g.merge("d", "c", "near", 0.5) == {}
    changed = g.remove("d")
    assert changed == {"a": None, "b": None, "c": DuplicateMatch("near", "b", 0.9)}
    assert g.members("a") == ["a"] and g.members("c") == ["b", "c"]


def test_load_rebuilds_components_and_keeps_deleted_articles_as_glue() -> None:
    g = groups()
    edges = [
        DuplicateEdge("b", "a", "near", 0.8),
        DuplicateEdge("c", "gone", "exact", 1.0),
        DuplicateEdge("d", "gone", "near", 0.6),
    ]
    g.load(["a", "b", "c", "d"], edges)
    assert g.members("b") == ["a", "b"] and g.status("b") == DuplicateMatch("near", "a", 0.8)
    assert g.members("c") == ["d", "c"] and g.status("c") == DuplicateMatch("exact", "d", 1.0)
    assert g.status("d") is None and g.sizes() == [2, 2]


# -- properties of detector streams -------------------------------------------------------

BASES = [wire("en"), wire("ar"), EN_OTHER, AR_OTHER]
VARIANTS = [
    lambda text: text,
    lambda text: "\n".join(text.split("\n")[:3]) if "\n" in text else text,
    lambda text: text + "\nThis item was first published by the agency and is republished with permission.",
]
Spec = tuple[int, int, int]  # (base text, variant, hours after T0)
docs = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 40)), min_size=1, max_size=7)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _stream(spec: list[Spec]) -> FakeStore:
    store = FakeStore()
    for n, (base, variant, hours) in enumerate(spec):
        store.add(article(f"d{n}", VARIANTS[variant](BASES[base]), hours=hours))
    return store


@FAST
@given(docs)
def test_of_is_always_the_earliest_member(spec: list[Spec]) -> None:
    store = _stream(spec)
    arrival = {f"d{n}": n for n in range(len(spec))}
    for article_id in store.records:
        group = store.detector.group(article_id)
        earliest = min(group, key=lambda i: (store.records[i].timestamp, arrival[i]))
        assert group[0] == earliest
        status = store.detector.status(article_id)
        assert (status is None) == (article_id == earliest)
        assert status is None or status.of == earliest


@FAST
@given(docs, st.integers(0, 3), st.integers(0, 40))
def test_identical_copy_is_an_exact_duplicate(spec: list[Spec], base: int, hours: int) -> None:
    store = _stream(spec)
    store.add(article("first", BASES[base], title="Same", hours=hours))
    match = store.add(article("second", BASES[base], title="Same", hours=hours + 1))
    original = store.detector.group("first")[0]
    assert match is not None and match.of == original
    # exact when the group's original has the very text; else (the text copies an earlier
    # original with another headline or trim) a near copy of that original
    same_text = store.records[original].content_hash == store.records["second"].content_hash
    assert match.type == ("exact" if same_text else "near") and match.score == 1.0


@FAST
@given(docs, st.integers(0, 3), st.integers(0, 2), st.integers(0, 40))
def test_adding_then_removing_restores_the_state(
    spec: list[Spec], base: int, variant: int, hours: int
) -> None:
    store = _stream(spec)
    before = store.state()
    store.add(article("extra", VARIANTS[variant](BASES[base]), hours=hours))
    store.remove("extra")
    assert store.state() == before


@FAST
@given(docs, st.data())
def test_reload_reproduces_the_state(spec: list[Spec], data: st.DataObject) -> None:
    store = _stream(spec)
    for victim in data.draw(st.lists(st.sampled_from(sorted(store.records)), unique=True, max_size=2)):
        store.remove(victim)
    reloaded = store.fresh()
    reloaded.load(store.records.values())
    assert {i: (tuple(reloaded.group(i)), reloaded.status(i)) for i in store.records} == store.state()


# -- grouping rules with scripted verification -----------------------------------------


def _scripted(monkeypatch: pytest.MonkeyPatch, links: dict[tuple[str, str], bool]) -> FakeStore:
    """A store whose verification follows ``links`` ((new, stored) -> near verbatim) and whose
    LSH returns every stored article: tests the grouping rules alone."""

    def verify(new, stored, gap, settings, heads):  # type: ignore[no-untyped-def]
        strong = links.get((new.terms[0], stored.terms[0]))
        return None if strong is None else Copy(False, 0.9 if strong else 0.5, strong)

    monkeypatch.setattr(near_index, "verify", verify)
    store = FakeStore()
    monkeypatch.setattr(store.detector.near, "candidates", lambda sketch: list(store.records))
    return store


def _body(name: str) -> str:
    return f"{name} " + " ".join(f"w{n}" for n in range(20))


def test_near_verbatim_copy_of_any_member_joins_and_unites_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    links = {("a", "o"): False, ("b", "o"): False, ("c", "o"): False, ("l", "a"): True}
    store = _scripted(monkeypatch, links)
    for hours, name in enumerate("oabcl"):
        store.add(article(name, _body(name), hours=hours))
    assert store.detector.group("l") == ["o", "a", "b", "c", "l"]  # 1 of 4 members, but near verbatim
    links = {("a", "o1"): False, ("b", "o2"): False, ("l", "o1"): False, ("l", "a"): True, ("l", "b"): True}
    store = _scripted(monkeypatch, links)
    for hours, name in enumerate(["o1", "o2", "a", "b", "l"]):
        store.add(article(name, _body(name), hours=hours))
    assert store.detector.group("b") == ["o1", "o2", "a", "b", "l"]
    links = {("a", "o1"): False, ("b", "o2"): False, ("l", "a"): False, ("l", "b"): False}
    store = _scripted(monkeypatch, links)
    for hours, name in enumerate(["o1", "o2", "a", "b", "l"]):
        store.add(article(name, _body(name), hours=hours))
    assert len(store.detector.group("l")) == 3 and store.detector.group("o1") != store.detector.group("o2")
