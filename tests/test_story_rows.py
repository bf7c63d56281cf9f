"""A story's member rows as the detail view nests them, and its daily timeline."""

from __future__ import annotations

from typing import Any

from service.story_rows import members_tree, timeline


def _row(aid: str, dup_of: str | None = None, kind: str | None = None) -> dict[str, Any]:
    return {
        "id": aid,
        "title": f"title {aid}",
        "source": "s",
        "url": None,
        "published_at": "2024-01-01T00:00:00+00:00",
        "phase": "core",
        "dup_type": kind,
        "dup_of": dup_of,
        "dup_score": 0.91234567 if kind else None,
        "similarity": 0.5,
    }


def test_copies_nest_under_the_root_of_their_chain_within_the_story() -> None:
    rows = [
        _row("orig"),
        _row("copy", "orig", "near"),
        _row("copy-of-copy", "copy", "near"),  # a status left pointing at a copy (e.g. after a delete)
        _row("stray", "elsewhere", "exact"),  # its original is in another story
        _row("alone"),
    ]
    tree = members_tree(rows)
    assert [m["id"] for m in tree] == ["orig", "stray", "alone"]
    assert [c["id"] for c in tree[0]["copies"]] == ["copy", "copy-of-copy"]
    assert tree[0]["copies"][1]["duplicate"] == {"type": "near", "of": "copy", "score": 0.9123}
    assert tree[1]["duplicate"]["of"] == "elsewhere" and tree[1]["copies"] == []


def test_a_cycle_of_statuses_leaves_every_member_listed_once() -> None:
    rows = [_row("a", "b", "near"), _row("b", "a", "near")]
    tree = members_tree(rows)
    listed = [m["id"] for m in tree] + [c["id"] for m in tree for c in m["copies"]]
    assert sorted(listed) == ["a", "b"]


def test_timeline_counts_per_day_and_phase() -> None:
    days = [
        {"day": "2024-01-01", "phase": "pre", "n": 2},
        {"day": "2024-01-01", "phase": "core", "n": 1},
        {"day": "2024-01-03", "phase": "aftermath", "n": 4},
    ]
    assert timeline(days) == [
        {"day": "2024-01-01", "total": 3, "phases": {"pre": 2, "core": 1}},
        {"day": "2024-01-03", "total": 4, "phases": {"aftermath": 4}},
    ]
