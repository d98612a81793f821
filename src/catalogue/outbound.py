"""The one HTTP client for outside calls (identity provider, OAI-PMH sources, search engine)."""

from __future__ import annotations

import httpx

# Bounded waits, and a retry of failed connections (never of requests already sent).
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRIES = 2


def outbound_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Tests hand in an ``httpx.MockTransport`` so that nothing leaves the machine."""
    return httpx.AsyncClient(
        transport=transport or httpx.AsyncHTTPTransport(retries=RETRIES),
        timeout=TIMEOUT,
        headers={"User-Agent": "catalogue-ressources"},
    )
