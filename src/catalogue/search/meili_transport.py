"""The Meilisearch SDK's requests carried over an httpx transport of ours.

The SDK (pinned to a minor release: see pyproject) builds its own httpx2 client and takes
no client or transport of ours; `use_transport` replaces the two attributes it reads on
each call. A test fails plainly if they move (tests/unit/test_meili_contract.py).
"""

from __future__ import annotations

import httpx
import httpx2
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk._http_requests import AsyncHttpRequests

_BODY_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


class _HttpxTransport(httpx2.AsyncBaseTransport):
    """Carries the SDK's httpx2 requests over an httpx transport (the app's, or a test's)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        sent = httpx.Request(
            request.method,
            str(request.url),
            headers=request.headers.raw,
            content=await request.aread(),
            extensions=request.extensions,  # carries the client's timeouts
        )
        answer = await self._transport.handle_async_request(sent)
        try:
            body = await answer.aread()
        finally:
            await answer.aclose()
        # The body is decoded now: headers about its encoding and length no longer hold.
        headers = [(k, v) for k, v in answer.headers.multi_items() if k not in _BODY_HEADERS]
        return httpx2.Response(answer.status_code, headers=headers, content=body)


def use_transport(client: AsyncClient, transport: httpx.AsyncBaseTransport) -> None:
    """Send every request of ``client`` through ``transport``; the caller keeps closing it.

    The SDK builds its own httpx2 client and takes no client or transport of ours, so this
    replaces the two attributes it reads on each call, before any request has been made.
    """
    own = client.http_client
    http = httpx2.AsyncClient(
        base_url=own.base_url,
        headers=own.headers,
        timeout=own.timeout,
        transport=_HttpxTransport(transport),
    )
    client.http_client = http
    client._http_requests = AsyncHttpRequests(http, json_handler=client.json_handler)
