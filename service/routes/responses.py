"""JSON responses rendered once by pydantic, skipping FastAPI's second validation pass.

A route that returns a model lets FastAPI dump it, validate the dump against the response
model and encode it again: about 2 ms for a story page of 100 members, against 0.4 ms for
pydantic's own JSON (measured on the 30 biggest stories of a 100k store). The routes still
declare ``response_model`` for the OpenAPI document; the tests check the bodies against it.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel

from service.page_cache import Rendered

JSON = "application/json"


def json_response(model: BaseModel) -> Response:
    """``model`` as a JSON body."""
    return Response(model.model_dump_json().encode(), media_type=JSON)


def rendered_response(rendered: Rendered, if_none_match: str | None) -> Response:
    """A rendered page with its ETag; 304 without a body when the client holds that version."""
    headers = {"ETag": rendered.etag, "Cache-Control": "no-cache"}
    if rendered.matches(if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=JSON, headers=headers)
