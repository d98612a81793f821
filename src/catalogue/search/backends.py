"""Choosing the search backend from the configuration."""

from __future__ import annotations

import asyncpg
import httpx
import structlog

from catalogue.config import Settings
from catalogue.errors import UpstreamUnavailableError
from catalogue.search.meili import MeiliBackend
from catalogue.search.models import SearchBackend
from catalogue.search.pg import PostgresBackend

log = structlog.get_logger(__name__)


def search_backend(
    settings: Settings,
    pool: asyncpg.Pool,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> SearchBackend:
    """Meilisearch when MEILI_URL is set, PostgreSQL full text otherwise."""
    if settings.meili_url:
        return MeiliBackend.from_url(
            settings.meili_url, settings.meili_master_key, transport=http_transport
        )
    return PostgresBackend(pool, search_timeout_ms=settings.search_timeout_ms)


async def prepare_if_reachable(backend: SearchBackend) -> None:
    """An engine away at start does not keep the service from starting: searches answer 503
    meanwhile, and the index is prepared before the first write that reaches it."""
    try:
        await backend.prepare()
    except UpstreamUnavailableError as exc:
        log.warning("search engine unavailable at start", backend=backend.name, error=exc.detail)
