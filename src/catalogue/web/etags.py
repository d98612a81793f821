"""Pages' entity tags and the compression of every answer above 1 KB (gzip).

A page is rendered as usual, then hashed (before compression, so that the tag names the page,
not one compressed copy of it): a client that sends the tag back (If-None-Match) gets a 304
without the body. Pages stay `no-store` (they show who is signed in): a revalidating client
or proxy is what the tag serves.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from litestar.config.compression import CompressionConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

COMPRESS_FROM_BYTES = 1024
# Pages bigger than this are sent as they come, without a tag (none is near it).
MAX_TAGGED_BYTES = 2 * 1024 * 1024
_NOT_TAGGED = ("/api/", "/static/")


def entity_tag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 section 13.1.2: weak comparison, a list of tags, or "*"."""
    wanted = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in wanted or tag in wanted


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


class _Buffered:
    """One answer on its way: held back while it is a successful HTML page."""

    def __init__(self, send: Send, if_none_match: str) -> None:
        self.send = send
        self.if_none_match = if_none_match
        self.start: dict[str, Any] | None = None
        self.chunks: list[bytes] = []
        self.size = 0

    async def __call__(self, message: Message) -> None:
        event = cast("dict[str, Any]", message)
        if self.start is None:
            if event["type"] == "http.response.start" and _is_page(event):
                self.start = event
                return
            await self.send(message)
            return
        if event["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(event.get("body", b""))
        self.size += len(self.chunks[-1])
        if event.get("more_body", False):
            if self.size > MAX_TAGGED_BYTES:  # too big to tag: let it flow untagged
                await self._flush(b"".join(self.chunks), more_body=True)
            return
        await self._finish(b"".join(self.chunks))

    async def _flush(self, body: bytes, *, more_body: bool) -> None:
        assert self.start is not None
        await self.send(cast("Message", self.start))
        await self.send({"type": "http.response.body", "body": body, "more_body": more_body})
        self.start, self.chunks = None, []

    async def _finish(self, body: bytes) -> None:
        assert self.start is not None
        tag = entity_tag(body)
        headers = MutableScopeHeaders.from_message(cast("Message", self.start))
        headers["etag"] = tag
        if self.if_none_match and matches(self.if_none_match, tag):
            self.start["status"] = 304
            for name in ("content-length", "content-type"):
                if name in headers:
                    del headers[name]
            body = b""
        await self._flush(body, more_body=False)


def _is_page(start: dict[str, Any]) -> bool:
    if start.get("status") != 200:
        return False
    for key, value in start.get("headers", ()):
        if bytes(key).lower() == b"content-type":
            return bytes(value).startswith(b"text/html")
    return False


def tagged_pages(app: ASGIApp) -> ASGIApp:
    """The app, with an ETag on each successful HTML answer to a GET, and 304 when the
    caller's copy is current."""

    async def tagging(scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope.get("method") != "GET" or path.startswith(_NOT_TAGGED):
            await app(scope, receive, send)
            return
        await app(scope, receive, _Buffered(send, _header(scope, b"if-none-match")))

    return tagging


class TaggedAndCompressed(CompressionMiddleware):
    """Litestar's compression, with the pages' tags computed inside it (on the page itself)."""

    def __init__(self, app: ASGIApp, config: CompressionConfig) -> None:
        super().__init__(app=tagged_pages(app), config=config)


COMPRESSION = CompressionConfig(
    backend="gzip",
    minimum_size=COMPRESS_FROM_BYTES,
    gzip_compress_level=6,
    middleware_class=TaggedAndCompressed,
)
