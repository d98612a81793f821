"""Resources over HTTP: reading one, and publishers managing their own."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from catalogue.identity.guards import OPEN, anyone, requires
from catalogue.identity.models import Principal, Role, Scope
from catalogue.identity.publishers import PublisherView
from catalogue.resources.models import ResourceDraft, ResourceView
from catalogue.resources.publishing import OwnResources, Resources, acting_publisher
from catalogue.resources.repository import ApprovedResource
from catalogue.resources.service import SaveOutcome
from catalogue.strict import strictly


@get(
    "/api/v1/resources/{resource_id:uuid}",
    guards=[anyone],
    opt={OPEN: True},
    tags=["catalogue"],
    summary="Une ressource : libellés, offres et provenance",
)
async def resource(
    request: Request[Principal | None, Any, Any],
    resources: Resources,
    resource_id: FromPath[UUID],
) -> ResourceView:
    """Open to anyone when published by an approved publisher; its own publisher reads it
    whatever its status. Anything else is a 404, never a 403 (nothing tells it exists)."""
    user = request.user
    return await resources.read(resource_id, publisher_id=user.publisher_id if user else None)


class PublisherResourcesController(Controller):
    """A publisher's own offerings (staff sign-in, or a client with `publisher:resources`)."""

    path = "/api/v1/publisher/resources"
    tags = ["éditeurs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.PUBLISHER)]  # noqa: RUF012  # same

    @get("/", summary="Ses ressources, avec leur statut")
    async def list_own(
        self,
        request: Request[Principal, Any, Any],
        resources: Resources,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> OwnResources:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        return await resources.list_own(publisher_id, page, per_page)

    @post(
        "/",
        summary="Déclarer une ressource et ses offres (la même, par identifiant, est mise à jour)",
    )
    async def create(
        self,
        request: Request[Principal, Any, Any],
        resources: Resources,
        data: JSONBody[ResourceDraft],
    ) -> SaveOutcome:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        return await resources.put(publisher_id, await strictly(request, data))

    @put("/{resource_id:uuid}", summary="Remplacer une de ses ressources et ses offres")
    async def replace(
        self,
        request: Request[Principal, Any, Any],
        *,
        resources: Resources,
        resource_id: FromPath[UUID],
        data: JSONBody[ResourceDraft],
    ) -> SaveOutcome:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        draft = await strictly(request, data)
        return await resources.put(publisher_id, draft, resource_id=resource_id)

    @delete("/{resource_id:uuid}", summary="Retirer une ressource (elle reste dans l'historique)")
    async def withdraw(
        self,
        request: Request[Principal, Any, Any],
        resources: Resources,
        resource_id: FromPath[UUID],
    ) -> None:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        await resources.withdraw(publisher_id, resource_id)


class ModerationController(Controller):
    path = "/api/v1/publishers/{publisher_id:uuid}"
    tags = ["éditeurs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.NATIONAL_ADMIN)]  # noqa: RUF012  # same

    @post("/approval", summary="Approuver un éditeur : ses offres publiées deviennent visibles")
    async def approve(self, resources: Resources, publisher_id: FromPath[UUID]) -> PublisherView:
        return await resources.set_publisher_status(publisher_id, "approved")

    @post("/suspension", summary="Suspendre un éditeur : ses offres et ses clients s'arrêtent")
    async def suspend(self, resources: Resources, publisher_id: FromPath[UUID]) -> PublisherView:
        return await resources.set_publisher_status(publisher_id, "suspended")


@post(
    "/api/v1/resources/{resource_id:uuid}/approval",
    guards=[requires(Role.NATIONAL_ADMIN)],
    tags=["éditeurs"],
    summary="Approuver une offre d'un éditeur encore en attente de modération",
)
async def approve(resources: Resources, resource_id: FromPath[UUID]) -> ApprovedResource:
    return await resources.approve(resource_id)
