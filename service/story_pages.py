"""The /clusters reads: a page of story summaries, and one story with a page of its members.

Reads never take the pipeline's lock. They serve the summaries :class:`service.stories.StoryViews`
keeps (computing a missing one, or a small story's stale one, on the spot); ``GET
/clusters/{id}`` pages its members (``MEMBERS_PAGE`` by default).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import Any

from service import cluster_store as sql
from service.cursors import (
    bad_cursor,
    decode_cursor,
    decode_member_cursor,
    encode_cursor,
    encode_member_cursor,
)
from service.page_cache import PageCache, Rendered
from service.schemas import ClusterDetail, ClusterPage, ClusterSummary
from service.store import Store
from service.story_rows import members_tree, timeline

Row = dict[str, Any]
MEMBERS_PAGE = 100  # members per GET /clusters/{id} page unless asked otherwise
SMALL_STORY = 50  # below this size, the detail view re-summarizes a stale story on the spot


def now_iso() -> str:
    """The current time as stored (ISO 8601, UTC)."""
    return datetime.now(UTC).isoformat()


class StoryPages(ABC):
    """Answers the story reads from the store's facts and the summaries of :meth:`_summary_of`."""

    store: Store
    pages: PageCache  # first pages of the listing, rendered

    @abstractmethod
    def _summary_of(self, row: Row, fresh: bool) -> Row:
        """The story's summary: the cached one, or (``fresh`` and stale, or missing) one computed now."""

    def _item(self, row: Row, fresh: bool = False) -> dict[str, Any]:
        facets = json.loads(row["facets"])
        summary = self._summary_of(row, fresh)
        return {
            "id": row["cluster_id"],
            "title": summary["title"],
            "summary": summary["summary"],
            "representative": summary["representative"],
            "keywords": summary["keywords"],
            "sources": facets["sources"],
            "languages": facets["languages"],
            "phases": facets["phases"],
            "article_count": row["article_count"],
            "duplicate_count": row["duplicate_count"],
            "first_published": row["first_published"],
            "last_published": row["last_published"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def list(self, flt: sql.StoryFilter, sort: str, limit: int, cursor: str | None) -> ClusterPage:
        """One page of stories (see :func:`service.cluster_store.page` for the walk semantics)."""
        snapshot, after, taken = None, None, now_iso()
        if cursor is not None:
            snapshot, after, taken = decode_cursor(cursor, sort, flt)
        rows, snapshot = sql.page(self.store.reader(), flt, sort, limit + 1, snapshot, after)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]
            next_cursor = encode_cursor(sort, flt, snapshot, taken, (last["sort_key"], last["cluster_id"]))
        data = [ClusterSummary.model_validate(self._item(r)) for r in rows]
        return ClusterPage(data=data, next_cursor=next_cursor, count=len(data))

    def list_json(self, flt: sql.StoryFilter, sort: str, limit: int, cursor: str | None) -> Rendered:
        """:meth:`list` rendered as JSON; first pages come from the page cache while current."""

        def render() -> bytes:
            return self.list(flt, sort, limit, cursor).model_dump_json().encode()

        if cursor is not None:  # a cursor carries its own walk: rendered afresh
            return Rendered.of(render())
        return self.pages.get_or_render((flt, sort, limit), render)

    def detail(
        self, cluster_id: int, members_limit: int = MEMBERS_PAGE, members_cursor: str | None = None
    ) -> ClusterDetail | None:
        """A story with one page of members and its whole timeline; a merged-away id answers with
        its survivor. Copies are grouped under their original when both are on the page."""
        survivor = self.store.survivor(cluster_id)
        if survivor is None:
            return None
        after = None
        if members_cursor is not None:
            issued_for, after = decode_member_cursor(members_cursor)
            if self.store.survivor(issued_for) != survivor:
                raise bad_cursor(
                    f"it belongs to story {issued_for}, not {cluster_id}; start again without it",
                    "members_cursor",
                )
        found = sql.story(self.store.reader(), survivor, members_limit + 1, after)
        if found is None:
            return None
        head, members, days = found
        more = len(members) > members_limit
        members = members[:members_limit]
        next_cursor = None
        if more and members:
            next_cursor = encode_member_cursor(survivor, (members[-1]["published_ts"], members[-1]["seq"]))
        # small stories are summarized on the spot when stale (cheap); a big one serves its cached
        # summary, which the worker refreshes by the same policy as the listing (see refresh_due)
        item = self._item(head, fresh=head["article_count"] < SMALL_STORY)
        redirected = survivor != cluster_id
        return ClusterDetail.model_validate(
            {
                **item,
                "members": members_tree(members),
                "next_members_cursor": next_cursor,
                "timeline": timeline(days),
                "redirected": redirected,
                "merged_from": cluster_id if redirected else None,
            }
        )
