"""Choosing the search backend from the configuration, and preparing it at start."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import httpx
import structlog

from catalogue.config import Settings
from catalogue.errors import UpstreamUnavailableError
from catalogue.search.meili import EngineStatus, MeiliBackend
from catalogue.search.models import SearchBackend
from catalogue.search.pg import PostgresBackend
from catalogue.search.tantivy_index import TantivyBackend

log = structlog.get_logger(__name__)


def search_backend(
    settings: Settings,
    pool: asyncpg.Pool,
    *,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> SearchBackend:
    """Meilisearch when MEILI_URL is set, otherwise the embedded backend chosen by
    CATALOGUE_SEARCH_BACKEND: Tantivy (the default) or PostgreSQL full text."""
    if settings.meili_url:
        return MeiliBackend.from_url(
            settings.meili_url, settings.meili_master_key, transport=http_transport
        )
    if settings.search_backend == "tantivy":
        return TantivyBackend(settings.search_index_dir, pool)
    return PostgresBackend(pool, search_timeout_ms=settings.search_timeout_ms)


def notice_handlers(backend: SearchBackend) -> dict[str, Callable[[str], None]]:
    """What the backend listens to among the PostgreSQL notices: the Tantivy index's new
    commits (each serving process reloads its reader)."""
    return backend.notice_handlers() if isinstance(backend, TantivyBackend) else {}


def reload_index(backend: SearchBackend) -> None:
    """After the notice listener (re)connected: notices may have been missed meanwhile."""
    if isinstance(backend, TantivyBackend):
        backend.reload()


async def engine_status(backend: SearchBackend) -> EngineStatus | None:
    """What the engine says of the index (Meilisearch; None for PostgreSQL, whose index is
    the database's and whose lag is the outbox's)."""
    return await backend.engine_status() if isinstance(backend, MeiliBackend) else None


async def index_lines(backend: SearchBackend) -> list[str]:
    """``catalogue index status``'s lines about an embedded index (Tantivy's generation and
    documents; none for PostgreSQL, whose lag is the outbox's)."""
    return await backend.index_lines() if isinstance(backend, TantivyBackend) else []


def engine_lines(status: EngineStatus | None) -> list[str]:
    """``catalogue index status``'s lines about the engine."""
    if status is None:
        return []
    return [
        f"engine: Meilisearch {status.version}",
        f"documents: {status.documents}",
        f"engine tasks pending: {status.pending_tasks}, failed: {status.failed_tasks}",
    ]


def rebuild_line(backend: SearchBackend, count: int, seconds: float) -> str:
    """``catalogue index rebuild``'s figures: documents per second, and the engine's tasks."""
    line = f"indexed {count} resources in {seconds:.1f} s ({count / max(seconds, 1e-9):.0f}/s)"
    if isinstance(backend, MeiliBackend) and backend.rebuild_tasks:
        line += "; Meilisearch tasks " + ", ".join(map(str, backend.rebuild_tasks))
    return line


async def engine_measures(backend: SearchBackend) -> dict[str, float]:
    """The engine's own measures for /metrics: Meilisearch's documents, pending and failed
    tasks; the Tantivy index this process reads (documents, generation, reload age, a commit
    unseen); none for PostgreSQL. The indexing lag, the outbox's, is measured alike for all."""
    if isinstance(backend, TantivyBackend):
        return backend.measures()
    if not isinstance(backend, MeiliBackend):
        return {}
    try:
        status = await backend.engine_status()
    except UpstreamUnavailableError:
        return {"search_engine_up": 0.0}
    return {
        "search_engine_up": 1.0,
        "search_engine_documents": float(status.documents),
        "search_engine_tasks_pending": float(status.pending_tasks),
        "search_engine_tasks_failed": float(status.failed_tasks),
    }


async def prepare_if_reachable(backend: SearchBackend) -> None:
    """An engine away at start does not keep the service from starting: searches answer 503
    meanwhile, and the index is prepared before the first write that reaches it."""
    try:
        await backend.prepare()
    except UpstreamUnavailableError as exc:
        log.warning("search engine unavailable at start", backend=backend.name, error=exc.detail)
