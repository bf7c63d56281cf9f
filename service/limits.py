"""Request size limit: a body larger than the setting is refused with 413."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ApiError, error_response


def _message(size: str, limit: int) -> str:
    return (
        f"request body of {size} bytes is over the limit of {limit} bytes; "
        "send smaller batches or raise STORYLINE_MAX_REQUEST_BYTES"
    )


class BodyTooLarge(ApiError):
    """Raised while the body streams in, once it passes the limit; answered as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(f"more than {limit}", limit), details={"limit_bytes": limit})


class BodySizeLimit:
    """Refuses bodies over ``max_bytes``: by Content-Length up front, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = error_response(
                413, _message(declared.decode(), self.max_bytes), details={"limit_bytes": self.max_bytes}
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)
