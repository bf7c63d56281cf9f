"""Duplicate groups: which stored articles are copies of one text, and which is the original.

The original of a group is its earliest published member (ties: earliest arrival). Every
other member has a *link* (the duplicate type and score that tied it into the group), and
its status is ``DuplicateMatch(link type, original, link score)``. A change of original
re-points every member, so each operation returns the new status of every article whose
status changed. Singletons are not stored: an article absent from the maps is alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from service.documents import DuplicateMatch, DuplicateType
from service.stages import DuplicateEdge

OrderKey = Callable[[str], tuple[float, int]]
Changes = dict[str, DuplicateMatch | None]


class DuplicateGroups:
    """Membership, originals and links of every duplicate group with two or more members."""

    def __init__(self, order: OrderKey) -> None:
        self._order = order
        self._group: dict[str, int] = {}
        self._members: dict[int, list[str]] = {}
        self._link: dict[str, tuple[DuplicateType, float]] = {}
        # Article that united two groups -> the members it brought together (undone on removal).
        self._bridged: dict[str, list[list[str]]] = {}
        self._next_id = 0

    def __len__(self) -> int:
        return len(self._members)

    def sizes(self) -> list[int]:
        """Sizes of all groups, largest first."""
        return sorted((len(m) for m in self._members.values()), reverse=True)

    def members(self, article_id: str) -> list[str]:
        """The article's group, original first then by publication; just the article when alone."""
        group = self._group.get(article_id)
        return [article_id] if group is None else list(self._members[group])

    def original(self, article_id: str) -> str:
        """Original of the article's group (the article itself when alone)."""
        group = self._group.get(article_id)
        return article_id if group is None else self._members[group][0]

    def status(self, article_id: str) -> DuplicateMatch | None:
        """``DuplicateMatch`` pointing at the original, or None for originals and singletons."""
        group = self._group.get(article_id)
        if group is None or self._members[group][0] == article_id:
            return None
        kind, score = self._link[article_id]
        return DuplicateMatch(kind, self._members[group][0], score)

    def _place(self, ids: list[str], group: int | None = None) -> int:
        """Make ``ids`` one group (a new one unless ``group`` is given); the original loses its link."""
        if group is None:
            group, self._next_id = self._next_id, self._next_id + 1
        for i in ids:
            self._group[i] = group
        self._members[group] = sorted(ids, key=self._order)
        self._link.pop(self._members[group][0], None)
        return group

    def _tie(self, ids: Iterable[str], kind: DuplicateType, score: float) -> None:
        """Give a link to each former original that is no longer one."""
        for i in ids:
            if i not in self._link and self.original(i) != i:
                self._link[i] = (kind, score)

    @staticmethod
    def _diff(before: Changes, after: Changes) -> Changes:
        return {i: s for i, s in after.items() if before.get(i) != s or i not in before}

    def join(self, article_id: str, member: str, kind: DuplicateType, score: float) -> Changes:
        """Add a new article to ``member``'s group, tied in by (``kind``, ``score``).

        When the newcomer is earlier than the original it becomes the original, and the
        previous original is tied in by the same link.
        """
        group = self._group.get(member)
        old = [member] if group is None else self._members[group]
        before = {i: self.status(i) for i in old}
        self._link[article_id] = (kind, score)
        self._place([*old, article_id], group)
        self._tie(old[:1], kind, score)
        return self._diff(before, {i: self.status(i) for i in [*old, article_id]})

    def merge(self, article_id: str, member: str, kind: DuplicateType, score: float) -> Changes:
        """Merge ``member``'s group into ``article_id``'s: the bridging article copies both."""
        target, source = self._group[article_id], self._group.get(member)
        if target == source:
            return {}
        absorbed = list(self._members[source]) if source is not None else [member]
        before = {i: self.status(i) for i in [*self._members[target], *absorbed]}
        if source is not None:
            del self._members[source]
        originals = [self._members[target][0], absorbed[0]]
        self._place([*self._members[target], *absorbed], target)
        self._tie(originals, kind, score)
        self._bridged.setdefault(article_id, []).append(absorbed)
        return self._diff(before, {i: self.status(i) for i in before})

    def remove(self, article_id: str) -> Changes:
        """Forget an article: the next earliest member takes over a removed original, and groups
        this article had united are split again."""
        group = self._group.get(article_id)
        bridged = self._bridged.pop(article_id, [])
        if group is None:
            return {}
        members = [m for m in self._members[group] if m != article_id]
        before = {i: self.status(i) for i in members}
        del self._members[group], self._group[article_id]
        self._link.pop(article_id, None)
        parts = [members]
        for absorbed in bridged:
            moved = [m for m in absorbed if m in parts[0]]
            if moved and len(moved) < len(parts[0]):
                parts[0] = [m for m in parts[0] if m not in moved]
                parts.append(moved)
        for index, part in enumerate(parts):
            if len(part) > 1:
                self._place(part, group if index == 0 else None)
            else:
                self._group.pop(part[0], None)
                self._link.pop(part[0], None)
        return self._diff(before, {i: self.status(i) for i in members})

    def load(self, ids: Iterable[str], edges: Iterable[DuplicateEdge]) -> None:
        """Rebuild from persisted edges: connected components, an unknown endpoint (a deleted
        article) still gluing the articles that pointed at it.

        A member's link is the edge of the earlier article that displaced it as original if
        there is one, else its own edge: the same links :meth:`join` hands out at runtime.
        """
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            root = parent.setdefault(x, x)
            while parent[root] != root:
                root = parent[root]
            while parent[x] != root:
                parent[x], x = root, parent[x]
            return root

        known = set(ids)
        own: dict[str, tuple[DuplicateType, float]] = {}
        incident: dict[str, tuple[tuple[float, int], DuplicateType, float]] = {}
        for edge in edges:
            a, b = find(edge.article_id), find(edge.other_id)
            if a != b:
                parent[a] = b
            own.setdefault(edge.article_id, (edge.type, edge.score))
            rank = self._order(edge.article_id) if edge.article_id in known else (math.inf, 0)
            if edge.other_id not in incident or rank < incident[edge.other_id][0]:
                incident[edge.other_id] = (rank, edge.type, edge.score)
        components: dict[str, list[str]] = {}
        for x in list(parent):
            if x in known:
                components.setdefault(find(x), []).append(x)
        self._group, self._members, self._link, self._bridged, self._next_id = {}, {}, {}, {}, 0
        for component in components.values():
            if len(component) < 2:
                continue
            for member in component:
                via = incident.get(member)
                displaced = via is not None and via[0] < self._order(member)
                self._link[member] = via[1:] if displaced else own.get(member) or via[1:]  # type: ignore[index]
            self._place(component)
