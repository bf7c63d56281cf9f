"""JSON request bodies, read the same way by every router that takes one.

The body is parsed whatever its content type (clients and plugins often send JSON as
``text/plain`` or with no type), and every way it can fail is the one 422 shape, with the
position of a syntax error rather than a framework's field name."""

from __future__ import annotations

import json
from typing import Any

from service.errors import ApiError


def json_body(raw: bytes, expected: str) -> Any:
    """The parsed body; a 422 naming the problem and what to send (``expected``) otherwise."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except RecursionError:
        problem = "JSON nested too deeply"
    raise ApiError(
        422, f"request body is {problem}; send {expected}", details=[{"field": "body", "message": problem}]
    )


def length_problem(title: str | None, body: str, field: str, max_chars: int) -> dict[str, Any] | None:
    """A detail entry when title+body is longer than the setting allows (ingest and check alike)."""
    size = len(body) + len(title or "")
    if size <= max_chars:
        return None
    return {
        "field": field,
        "message": f"title+body is {size} characters, over the limit of {max_chars}; "
        "split the text or raise STORYLINE_MAX_ARTICLE_CHARS",
    }
