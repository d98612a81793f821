"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
from litestar import Request, get
from litestar.openapi import ResponseSpec

from catalogue import migrations
from catalogue.dependencies import Pool
from catalogue.errors import CatalogueError, DatabaseUnavailableError
from catalogue.identity.guards import PUBLIC
from catalogue.problems import PROBLEM_JSON, Problem
from catalogue.search.service import SearchService


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
    summary="La base répond et ses migrations sont à jour",
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
    search: SearchService = request.app.state.search
    await search.backend.check()
    return Readiness(
        status="ready", database="ok", migrations="current", search=search.backend.name
    )
