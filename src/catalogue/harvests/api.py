"""A publisher's OAI-PMH sources and their harvest runs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from catalogue.dependencies import AppSettings, Pool
from catalogue.harvests import service
from catalogue.harvests.models import NewSource, RunView, SourceView
from catalogue.identity.guards import requires
from catalogue.identity.models import Principal, Role, Scope
from catalogue.resources.publishing import acting_publisher


class HarvestsController(Controller):
    path = "/api/v1/publisher"
    tags = ["éditeurs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.PUBLISHER)]  # noqa: RUF012  # same

    @post("/harvest-sources", summary="Déclarer un entrepôt OAI-PMH (première moisson aussitôt)")
    async def add(
        self,
        request: Request[Principal, Any, Any],
        pool: Pool,
        settings: AppSettings,
        data: JSONBody[NewSource],
    ) -> SourceView:
        publisher_id = acting_publisher(request.user, Scope.IMPORTS)
        return await service.add_source(pool, publisher_id, data, production=settings.production)

    @get("/harvest-sources", summary="Ses entrepôts et leur dernière moisson")
    async def sources(self, request: Request[Principal, Any, Any], pool: Pool) -> list[SourceView]:
        return await service.list_sources(pool, acting_publisher(request.user, Scope.IMPORTS))

    @post(
        "/harvest-sources/{source_id:uuid}/runs",
        status_code=202,
        summary="Demander une moisson maintenant",
    )
    async def run(
        self, request: Request[Principal, Any, Any], pool: Pool, source_id: FromPath[UUID]
    ) -> None:
        publisher_id = acting_publisher(request.user, Scope.IMPORTS)
        await service.request_harvest(pool, publisher_id, source_id)

    @get("/harvest-runs/{run_id:uuid}", summary="Une moisson : ses comptes et ses erreurs")
    async def run_report(
        self, request: Request[Principal, Any, Any], pool: Pool, run_id: FromPath[UUID]
    ) -> RunView:
        return await service.read_run(pool, acting_publisher(request.user, Scope.IMPORTS), run_id)
