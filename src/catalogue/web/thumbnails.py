"""Thumbnails served from our origin, at the size the pages show them.

Publishers give a thumbnail URL; pages never point the browser at it (no request leaves our
origin). They show ``/vignettes/{resource_id}/{width}/{digest}.webp`` instead, the digest
naming the publisher's URL: a new URL is a new address, so every answer is cached for a
year as immutable. On the first request the image is fetched within bounds (public
addresses only, checked at each redirect; a timeout; a byte limit; formats recognised by
their bytes), cropped to the page's box with Pillow (``web/images.py``) and kept in the data
directory. An image we cannot fetch or read is answered with a plain placeholder of the
same size, cached for a few minutes, so that a page never shows a broken image.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeAlias
from uuid import UUID

import httpx
import structlog
from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath

from catalogue.assets import IMMUTABLE
from catalogue.config import Settings
from catalogue.errors import NotFoundError
from catalogue.identity.guards import PUBLIC
from catalogue.outbound import PublicOnlyTransport, resolve
from catalogue.resources.publishing import Resources
from catalogue.web.common import AnyRequest
from catalogue.web.etags import matches
from catalogue.web.images import ImageRefusedError, placeholder, thumbnail

log = structlog.get_logger(__name__)

# The boxes pages show thumbnails in (width: height, 4:3): a search result, a resource page.
RESULT_WIDTH = 120
RESOURCE_WIDTH = 320
SIZES = {RESULT_WIDTH: (120, 90), RESOURCE_WIDTH: (320, 240)}
# The fetch's bounds.
MAX_SOURCE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 3
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
RESOLVE_TIMEOUT_S = 3.0
DEADLINE_S = 10.0  # the whole fetch, whatever the timeouts of each step
CONCURRENT_FETCHES = 4
# An image that failed is not asked for again before this long (the placeholder is shown).
RETRY_AFTER_S = 600
MAX_FAILURES_KEPT = 10_000
PLACEHOLDER_CACHE = CacheControlHeader(public=True, max_age=RETRY_AFTER_S).to_header()
KEPT_CACHE = IMMUTABLE.to_header()
_DIGEST = re.compile(r"^[0-9a-f]{16}$")


def url_digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def thumbnail_image(resource_id: UUID, url: str | None, width: int) -> dict[str, object] | None:
    """What a template needs for an ``<img>`` of a resource's thumbnail (``src``, ``width``,
    ``height``), or None when it has none (then no ``<img>`` at all)."""
    if not url:
        return None
    box_width, box_height = SIZES[width]
    return {
        "src": f"/vignettes/{resource_id}/{width}/{url_digest(url)}.webp",
        "width": box_width,
        "height": box_height,
    }


async def _bounded_resolve(host: str, port: int) -> list[str]:
    async with asyncio.timeout(RESOLVE_TIMEOUT_S):
        return await resolve(host, port)


class ThumbnailService:
    """Fetches, resizes and keeps thumbnails; remembers for a while the ones that failed."""

    def __init__(self, folder: Path, client: httpx.AsyncClient) -> None:
        self._folder = folder
        self._client = client
        self._fetches = asyncio.Semaphore(CONCURRENT_FETCHES)
        self._making: dict[str, asyncio.Task[bytes | None]] = {}
        self._failed: dict[str, float] = {}  # name: monotonic time it may be tried again
        self._placeholders = {width: placeholder(size) for width, size in SIZES.items()}

    def placeholder(self, width: int) -> bytes:
        return self._placeholders[width]

    async def image(self, resource_id: UUID, url: str, width: int) -> bytes | None:
        """The thumbnail of ``url`` at ``width``, from the folder or made now; None when it
        cannot be had (the reason is logged)."""
        name = f"{resource_id}-{width}-{url_digest(url)}.webp"
        path = self._folder / name
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            pass
        if self._failed.get(name, 0.0) > time.monotonic():
            return None
        making = self._making.get(name)
        if making is None:  # one fetch for simultaneous requests of the same image
            making = asyncio.create_task(self._make(resource_id, url, SIZES[width], path))
            self._making[name] = making
            making.add_done_callback(lambda _: self._making.pop(name, None))
        made = await asyncio.shield(making)
        if made is None:
            self._forget_old_failures()
            self._failed[name] = time.monotonic() + RETRY_AFTER_S
        return made

    def _forget_old_failures(self) -> None:
        if len(self._failed) >= MAX_FAILURES_KEPT:
            now = time.monotonic()
            self._failed = {name: until for name, until in self._failed.items() if until > now}
        if len(self._failed) >= MAX_FAILURES_KEPT:  # all recent: tried again sooner
            self._failed.clear()

    async def _make(
        self, resource_id: UUID, url: str, size: tuple[int, int], path: Path
    ) -> bytes | None:
        try:
            async with self._fetches, asyncio.timeout(DEADLINE_S):
                source = await self._fetch(url)
            made = await asyncio.to_thread(thumbnail, source, size)
        except (
            httpx.HTTPError,
            httpx.InvalidURL,
            TimeoutError,
            ImageRefusedError,
            _TooLargeError,
        ) as exc:
            # The URL is the publisher's, not a person's: the resource id names it in the log.
            log.warning("thumbnail refused", resource_id=str(resource_id), reason=str(exc))
            return None
        try:
            await asyncio.to_thread(_write, path, made)
        except OSError as exc:  # served all the same; made again next time
            log.warning("thumbnail not kept", resource_id=str(resource_id), error=str(exc))
        return made

    async def _fetch(self, url: str) -> bytes:
        async with self._client.stream("GET", url) as answer:
            if answer.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"status {answer.status_code}", request=answer.request, response=answer
                )
            declared = answer.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_SOURCE_BYTES:
                raise _TooLargeError(f"{declared} bytes announced, over {MAX_SOURCE_BYTES}")
            body = bytearray()
            async for chunk in answer.aiter_bytes():
                body += chunk
                if len(body) > MAX_SOURCE_BYTES:
                    raise _TooLargeError(f"over {MAX_SOURCE_BYTES} bytes")
        return bytes(body)


class _TooLargeError(Exception):
    pass


def _write(path: Path, data: bytes) -> None:
    """Written whole or not at all (another process may read the folder meanwhile)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)


@asynccontextmanager
async def thumbnail_service(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[ThumbnailService]:
    """The service and its HTTP client, which reaches public addresses only (loopback too
    when CATALOGUE_THUMBNAILS_ALLOW_LOOPBACK is set, for tests), whatever the environment."""
    guarded = PublicOnlyTransport(
        transport, _bounded_resolve, allow_loopback=settings.thumbnails_allow_loopback
    )
    async with httpx.AsyncClient(
        transport=guarded,
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": "catalogue-ressources", "Accept": "image/webp,image/*"},
    ) as client:
        yield ThumbnailService(settings.data_dir / "vignettes", client)


Thumbnails: TypeAlias = NamedDependency[ThumbnailService]
"""The thumbnails' service (``thumbnails``)."""


@get(
    "/vignettes/{resource_id:uuid}/{width:int}/{name:str}",
    opt={PUBLIC: True},
    include_in_schema=False,
)
async def thumbnail_file(
    request: AnyRequest,
    *,
    resources: Resources,
    thumbnails: Thumbnails,
    resource_id: FromPath[UUID],
    width: FromPath[int],
    name: FromPath[str],
) -> Response[bytes]:
    """Public, as the resource it shows: a published resource's thumbnail (404 for anything
    else, as its page)."""
    digest = name.removesuffix(".webp")
    if width not in SIZES or not name.endswith(".webp") or not _DIGEST.fullmatch(digest):
        raise NotFoundError("Cette vignette n'existe pas.")
    url = await resources.public_thumbnail_url(resource_id)
    if url is None or url_digest(url) != digest:
        raise NotFoundError("Cette vignette n'existe pas ou a changé d'adresse.")
    made = await thumbnails.image(resource_id, url, width)
    if made is None:
        return Response(
            thumbnails.placeholder(width),
            media_type="image/webp",
            headers={"Cache-Control": PLACEHOLDER_CACHE},
        )
    headers = {"ETag": f'"{hashlib.sha256(made).hexdigest()[:16]}"', "Cache-Control": KEPT_CACHE}
    if matches(request.headers.get("if-none-match", ""), headers["ETag"]):
        return Response(b"", status_code=304, headers=headers)
    return Response(made, media_type="image/webp", headers=headers)
