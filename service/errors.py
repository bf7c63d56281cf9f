"""One JSON error shape for every 4xx/5xx: ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    500: "internal_error",
    503: "unavailable",
}


class ErrorInfo(BaseModel):
    code: str = Field(description="Machine-readable, e.g. invalid_input, not_found, invalid_cursor.")
    message: str = Field(description="What was wrong, naming the bad value, and how to fix it.")
    details: Any = Field(
        None,
        description='422: [{"field", "message"}] with dotted field paths; 413: {"limit_bytes"} or '
        '{"limit_articles"}; 404 of an article or story: {"id"}; 400 of a cursor: {"parameter"}; else null.',
    )


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: ErrorInfo


class ApiError(Exception):
    """An error the API answers with: HTTP status, machine code, human message, details."""

    def __init__(self, status: int, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details = details


def error_body(status: int, message: str, code: str | None = None, details: Any = None) -> dict[str, Any]:
    """The one error shape."""
    return {"error": {"code": code or _CODES.get(status, "error"), "message": message, "details": details}}


def error_response(status: int, message: str, code: str | None = None, details: Any = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, code, details), status_code=status)


def _field_path(loc: tuple[Any, ...] | list[Any], request: bool) -> str:
    """Dotted path of a validation error's location: ``articles.3.published_at``. ``request``:
    FastAPI's locations, which start with the part of the request (``body`` is left out,
    ``query.limit`` stays as it is)."""
    parts = [str(p) for p in loc]
    if request and parts[:1] == ["body"]:
        parts = parts[1:]
    return ".".join(parts)


def validation_details(errors: list[Any], prefix: str = "", request: bool = False) -> list[dict[str, Any]]:
    """Validation errors as ``[{"field", "message"}]``, fields named from the request root
    (``prefix``: where the validated object sits in it, e.g. ``articles.3``)."""
    details = []
    for err in errors:
        field = ".".join(p for p in (prefix, _field_path(err.get("loc", ()), request)) if p) or "body"
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        details.append({"field": field, "message": message})
    return details


def validation_error(errors: list[Any], prefix: str = "", request: bool = False) -> ApiError:
    """A 422 naming every bad field."""
    details = validation_details(errors, prefix, request)
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    return ApiError(422, f"invalid input: {summary}", details=details)


def _methods(request: Request) -> list[str]:
    """The methods some route serves at the request's path (the router's 405 names only those of
    the first route of the path, and several share some paths)."""
    served = [
        method
        for method in ("DELETE", "GET", "PATCH", "POST", "PUT")
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in request.app.routes)
    ]
    return sorted([*served, "HEAD"]) if "GET" in served else served  # HEAD: service.head


def install_error_handlers(app: FastAPI) -> None:
    """Route every error FastAPI or the service raises into the one shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.code, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = validation_error(list(exc.errors()), request=True)
        return error_response(err.status, err.message, err.code, err.details)

    @app.exception_handler(ValidationError)
    async def _validation(_: Request, exc: ValidationError) -> JSONResponse:
        err = validation_error(list(exc.errors()))
        return error_response(err.status, err.message, err.code, err.details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "error")
        route = f"{request.method} {request.url.path}"
        if exc.status_code == 404 and message == "Not Found":  # the router's own: no such endpoint
            message = f"no endpoint {route}; the API is listed at /docs"
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = ", ".join(_methods(request)) or headers.get("Allow", "")
            headers["Allow"] = allowed
            message = f"{route} is not allowed" + (f"; this path takes {allowed}" if allowed else "")
        response = error_response(exc.status_code, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, f"internal error ({type(exc).__name__}); nothing partial was stored")


def document_errors(app: FastAPI) -> None:
    """Make the OpenAPI document give the one error shape for every 4xx/5xx answer instead of
    FastAPI's own validation body (``{"detail": [...]}``), which this service never sends."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        error = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error.pop("$defs", {}))
        components["ErrorResponse"] = error
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses["4XX"] = {
                    "description": "Bad request, unknown id, or too large",
                    "content": content,
                }
                responses["5XX"] = {
                    "description": "Internal error (nothing partial stored)",
                    "content": content,
                }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
