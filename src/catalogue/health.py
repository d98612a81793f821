"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import TypeAlias

import asyncpg
import msgspec
import structlog
from litestar import get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from catalogue import migrations
from catalogue.errors import CatalogueError, UpstreamUnavailableError
from catalogue.identity.guards import PUBLIC
from catalogue.problems import PROBLEM_JSON, Problem
from catalogue.search.service import Search

log = structlog.get_logger(__name__)


class NotReadyError(CatalogueError):
    status = 503
    slug = "not-ready"
    title = "Service pas prêt"


# The probe answers within this, whatever the database does (Kubernetes waits 1 s by default).
PROBE_TIMEOUT_S = 0.9
PROBE_SETTINGS = {"statement_timeout": "800", "application_name": "catalogue-probe"}


class Probe:
    """A connection of the readiness probe's own: it never queues behind the pool, which
    requests may hold entirely. Opened at the first probe, replaced when it fails."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def migrations(self) -> migrations.MigrationState:
        async with asyncio.timeout(PROBE_TIMEOUT_S), self._lock:
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(
                        self._url, timeout=PROBE_TIMEOUT_S, server_settings=PROBE_SETTINGS
                    )
                return await migrations.status(self._conn)
            except BaseException:
                self._drop()
                raise

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.terminate()  # a statement may still run on it: never reuse it
            self._conn = None

    async def aclose(self) -> None:
        async with self._lock:
            if self._conn is not None:
                await self._conn.close(timeout=PROBE_TIMEOUT_S)
                self._conn = None


AppProbe: TypeAlias = NamedDependency[Probe]
"""The readiness probe's own connection (``probe``)."""


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    database: str
    migrations: str
    search: str
    search_available: bool


@get(
    "/healthz",
    tags=["santé"],
    summary="Le processus répond",
    sync_to_thread=False,
    opt={PUBLIC: True},
)
def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    tags=["santé"],
    summary="La base répond et ses migrations sont à jour (le moteur de recherche est signalé)",
    description=(
        "Prêt quand la base répond et que ses migrations sont appliquées. Un moteur de "
        "recherche injoignable est signalé (search_available) sans rendre le service non prêt : "
        "les recherches répondent alors 503, le reste du service continue."
    ),
    opt={PUBLIC: True},
    responses={
        503: ResponseSpec(Problem, description="Pas prêt", media_type=PROBLEM_JSON),
    },
)
async def readyz(probe: AppProbe, search: Search) -> Readiness:
    try:
        state = await probe.migrations()
    except (
        OSError,
        TimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        asyncpg.exceptions.InternalClientError,
    ):
        raise NotReadyError("La base de données ne répond pas.") from None
    if not state.current:
        pending = ", ".join(m.label for m in state.pending)
        raise NotReadyError(f"Migrations en attente : {pending}.")
    # Meilisearch away takes search down, not the whole service: every instance would be
    # taken out of rotation together, acquisitions and launches with it.
    backend = search.backend
    available = True
    # The PostgreSQL backend's tables are in the database just checked (its check would
    # wait for a connection of the pool); another engine is asked.
    if backend.name != "postgresql":
        try:
            await backend.check()
        except UpstreamUnavailableError as exc:
            log.warning("search engine unavailable", backend=backend.name, error=exc.detail)
            available = False
    return Readiness(
        status="ready",
        database="ok",
        migrations="current",
        search=backend.name,
        search_available=available,
    )
