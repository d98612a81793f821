"""httpx clients that run HTTP through our ASGI app, in this process."""

from __future__ import annotations

from typing import Any, cast

import httpx

from catalogue.middleware import RequestContext


def asgi_transport(
    app: RequestContext, client: tuple[str, int] | None = None
) -> httpx.ASGITransport:
    """httpx's transport to ``app`` (from ``client``, the peer address the app sees).

    Litestar types the ASGI messages as TypedDicts and httpx as plain mappings: the same
    protocol, which mypy cannot match, hence the one cast here.
    """
    if client is None:
        return httpx.ASGITransport(app=cast("Any", app))
    return httpx.ASGITransport(app=cast("Any", app), client=client)
