"""Resources over HTTP: reading one, and publishers managing their own."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from catalogue.dependencies import Pool
from catalogue.identity.guards import requires, signed_in
from catalogue.identity.models import Principal, Role, Scope
from catalogue.identity.publishers import PublisherView
from catalogue.resources.models import ResourceDraft, ResourceView
from catalogue.resources.publishing import (
    ApprovedResource,
    OwnResources,
    acting_publisher,
    approve_resource,
    list_own,
    put_resource,
    set_publisher_status,
    withdraw,
)
from catalogue.resources.service import SaveOutcome, read_resource
from catalogue.strict import strictly
from catalogue.vocabularies.index import Vocabulary


@get(
    "/api/v1/resources/{resource_id:uuid}",
    guards=[signed_in],
    tags=["catalogue"],
    summary="Une ressource : libellés, offres et provenance",
)
async def resource(
    request: Request[Principal, Any, Any],
    pool: Pool,
    vocab: Vocabulary,
    resource_id: FromPath[UUID],
) -> ResourceView:
    async with pool.acquire() as conn:
        return await read_resource(conn, vocab, resource_id, publisher_id=request.user.publisher_id)


class PublisherResourcesController(Controller):
    """A publisher's own offerings (staff sign-in, or a client with `publisher:resources`)."""

    path = "/api/v1/publisher/resources"
    tags = ["éditeurs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.PUBLISHER)]  # noqa: RUF012  # same

    @get("/", summary="Ses ressources, avec leur statut")
    async def list_own(
        self,
        request: Request[Principal, Any, Any],
        pool: Pool,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> OwnResources:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        async with pool.acquire() as conn:
            return await list_own(conn, publisher_id, page, per_page)

    @post(
        "/",
        summary="Déclarer une ressource et ses offres (la même, par identifiant, est mise à jour)",
    )
    async def create(
        self,
        request: Request[Principal, Any, Any],
        pool: Pool,
        vocab: Vocabulary,
        data: JSONBody[ResourceDraft],
    ) -> SaveOutcome:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        draft = await strictly(request, data)
        async with pool.acquire() as conn:
            return await put_resource(conn, vocab, publisher_id, draft)

    @put("/{resource_id:uuid}", summary="Remplacer une de ses ressources et ses offres")
    async def replace(
        self,
        request: Request[Principal, Any, Any],
        *,
        pool: Pool,
        vocab: Vocabulary,
        resource_id: FromPath[UUID],
        data: JSONBody[ResourceDraft],
    ) -> SaveOutcome:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        draft = await strictly(request, data)
        async with pool.acquire() as conn:
            return await put_resource(conn, vocab, publisher_id, draft, resource_id=resource_id)

    @delete("/{resource_id:uuid}", summary="Retirer une ressource (elle reste dans l'historique)")
    async def withdraw(
        self, request: Request[Principal, Any, Any], pool: Pool, resource_id: FromPath[UUID]
    ) -> None:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        async with pool.acquire() as conn:
            await withdraw(conn, publisher_id, resource_id)


class ModerationController(Controller):
    path = "/api/v1/publishers/{publisher_id:uuid}"
    tags = ["éditeurs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.NATIONAL_ADMIN)]  # noqa: RUF012  # same

    @post("/approval", summary="Approuver un éditeur : ses offres publiées deviennent visibles")
    async def approve(self, pool: Pool, publisher_id: FromPath[UUID]) -> PublisherView:
        return await set_publisher_status(pool, publisher_id, "approved")

    @post("/suspension", summary="Suspendre un éditeur : ses offres et ses clients s'arrêtent")
    async def suspend(self, pool: Pool, publisher_id: FromPath[UUID]) -> PublisherView:
        return await set_publisher_status(pool, publisher_id, "suspended")


@post(
    "/api/v1/resources/{resource_id:uuid}/approval",
    guards=[requires(Role.NATIONAL_ADMIN)],
    tags=["éditeurs"],
    summary="Approuver une offre d'un éditeur encore en attente de modération",
)
async def approve(pool: Pool, resource_id: FromPath[UUID]) -> ApprovedResource:
    return await approve_resource(pool, resource_id)
