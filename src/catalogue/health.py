"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Request, get
from litestar.openapi import ResponseSpec

from catalogue import migrations
from catalogue.dependencies import Pool
from catalogue.errors import CatalogueError, DatabaseUnavailableError, UpstreamUnavailableError
from catalogue.identity.guards import PUBLIC
from catalogue.problems import PROBLEM_JSON, Problem

log = structlog.get_logger(__name__)


class NotReadyError(CatalogueError):
    status = 503
    slug = "not-ready"
    title = "Service pas prêt"


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
async def readyz(request: Request[Any, Any, Any], pool: Pool) -> Readiness:
    try:
        async with pool.acquire() as conn:
            state = await migrations.status(conn)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, DatabaseUnavailableError):
        raise NotReadyError("La base de données ne répond pas.") from None
    if not state.current:
        pending = ", ".join(m.label for m in state.pending)
        raise NotReadyError(f"Migrations en attente : {pending}.")
    # Meilisearch away takes search down, not the whole service: every instance would be
    # taken out of rotation together, acquisitions and launches with it.
    backend = request.app.state.search.backend
    try:
        await backend.check()
        available = True
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
