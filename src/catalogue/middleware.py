"""The outermost ASGI layer: a request id on every log line and response, and an access log.

It wraps the whole Litestar app (not a route) so that 404 and 405 answers get it too.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.types import Message, Receive, Send

# Plain ASGI: this layer also sees lifespan scopes, which Litestar's Scope type leaves out.
Scope = MutableMapping[str, Any]

log = structlog.get_logger("catalogue.access")

REQUEST_ID_HEADER = b"x-request-id"
# A caller's id is reused only when it is short and plain, so it cannot forge log content.
_SAFE_ID = re.compile(rb"^[A-Za-z0-9._-]{8,64}$")


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _SAFE_ID.match(value):
            return str(value.decode())
    return uuid.uuid4().hex


class RequestContext:
    def __init__(self, app: Litestar) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Litestar types its own scopes more narrowly than the plain ASGI mapping we receive.
        app: Any = self.app
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            metrics = getattr(app.state, "metrics", None)
            if metrics is not None:
                metrics.observe(scope, status, elapsed)
            # The path only: query strings may carry search terms or tokens.
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
