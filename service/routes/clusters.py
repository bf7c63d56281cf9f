"""GET /clusters (filtered, keyset-paginated story list) and GET /clusters/{id} (one story)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from service.cluster_store import StoryFilter
from service.errors import ApiError
from service.language import language_code
from service.routes.deps import get_views
from service.routes.responses import json_response, rendered_response
from service.schemas import ClusterDetail, ClusterPage, Phase
from service.stories import StoryViews
from service.story_pages import MEMBERS_PAGE
from service.text import normalize
from service.times import parse_time

router = APIRouter(prefix="/clusters", tags=["stories"])


ViewsDep = Annotated[StoryViews, Depends(get_views)]
Sort = Literal["updated", "size", "created"]


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, f"invalid input: {field}: {message}", details=[{"field": field, "message": message}])


def _utc(field: str, value: str | None) -> str | None:
    """An RFC 3339 query time as UTC ISO text; a 422 naming the value otherwise."""
    if value is None:
        return None
    try:
        return parse_time(value).isoformat()
    except ValueError as exc:
        hint = " (a '+' in a query string reads as a space: write it %2B)" if " " in value.strip() else ""
        raise _invalid(f"query.{field}", f"{exc}{hint}") from None


def _language(value: str | None) -> str | None:
    try:
        return None if value is None else language_code(value)
    except ValueError as exc:
        raise _invalid("query.language", str(exc)) from None


def known_parameters(*names: str) -> Any:
    """A dependency refusing query parameters the endpoint does not know: a misspelt filter
    (``lang=ar``) would otherwise answer every story, which looks like a filter that works."""
    allowed = frozenset(names)

    async def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            message = f"unknown query parameter {unknown[0]!r}; known: {', '.join(sorted(allowed))}"
            raise _invalid(f"query.{unknown[0]}", message)

    return Depends(check)


def _matching(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    folded = normalize(value)
    if not folded:
        raise _invalid(f"query.{field}", "has no letters or digits")
    return folded


_LIST_PARAMETERS = (
    "since",
    "until",
    "published_since",
    "published_until",
    "min_size",
    "source",
    "language",
    "q",
    "phase",
    "sort",
    "limit",
    "cursor",
)


@router.get(
    "", response_model=ClusterPage, summary="List stories", dependencies=[known_parameters(*_LIST_PARAMETERS)]
)
def list_clusters(
    views: ViewsDep,
    since: Annotated[str | None, Query(description="Last changed here at or after (RFC 3339).")] = None,
    until: Annotated[str | None, Query(description="Last changed here at or before (RFC 3339).")] = None,
    published_since: Annotated[
        str | None, Query(description="Has an article published at or after (RFC 3339): news time.")
    ] = None,
    published_until: Annotated[
        str | None, Query(description="Has an article published at or before (RFC 3339): news time.")
    ] = None,
    min_size: Annotated[int | None, Query(ge=1, description="At least this many articles.")] = None,
    source: Annotated[str | None, Query(min_length=1, max_length=256, description="Outlet.")] = None,
    language: Annotated[str | None, Query(description="ISO 639 code (`ar`; `ar-SA` means `ar`).")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description="In title/keywords.")] = None,
    phase: Annotated[Phase | None, Query(description="Has an article in this phase.")] = None,
    sort: Annotated[Sort, Query(description="Descending last activity, size or creation.")] = "updated",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000, description="Previous page's next_cursor.")] = None,
    if_none_match: Annotated[str | None, Header(description="ETag of a page held: 304 if unchanged.")] = None,
) -> Response:
    """Live stories, most recently active (or biggest, or newest) first.

    A walk with ``cursor`` lists every story that existed at its first page exactly once,
    ordered by the key it had then, even while ingest continues; stories created after
    the first page are left to the next walk. Summaries, counts and keywords are current.
    Each page carries an ETag; polling with ``If-None-Match`` answers 304 while it is unchanged.
    """
    since_at, until_at = _utc("since", since), _utc("until", until)
    if since_at and until_at and since_at > until_at:
        raise _invalid("query.since", f"{since} is after until ({until}); swap them or widen the range")
    published = _utc("published_since", published_since), _utc("published_until", published_until)
    if published[0] and published[1] and published[0] > published[1]:
        raise _invalid(
            "query.published_since",
            f"{published_since} is after published_until ({published_until}); swap them or widen the range",
        )
    flt = StoryFilter(
        since=since_at,
        until=until_at,
        min_size=min_size,
        source=_matching("source", source),
        language=_language(language),
        q=_matching("q", q),
        phase=phase,
        published_since=published[0],
        published_until=published[1],
    )
    return rendered_response(views.list_json(flt, sort, limit, cursor), if_none_match)


@router.get(
    "/{cluster_id}",
    response_model=ClusterDetail,
    summary="One story",
    dependencies=[known_parameters("members_limit", "members_cursor")],
)
def get_cluster(
    cluster_id: Annotated[int, Path(ge=0, le=2**63 - 1)],
    views: ViewsDep,
    members_limit: Annotated[int, Query(ge=1, le=1000, description="Members per page.")] = MEMBERS_PAGE,
    members_cursor: Annotated[
        str | None, Query(max_length=500, description="Previous page's next_members_cursor.")
    ] = None,
) -> Response:
    """The story with a page of members in time order (copies under their original) and its
    daily timeline; ``next_members_cursor`` walks the rest.

    An id absorbed by a merge answers with the surviving story, ``redirected: true``.
    """
    detail = views.detail(cluster_id, members_limit, members_cursor)
    if detail is None:
        raise ApiError(
            404,
            f"no story with id {cluster_id}; ids come from GET /clusters or POST /ingest",
            details={"id": cluster_id},
        )
    return json_response(detail)
