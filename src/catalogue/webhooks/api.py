"""Publishers' webhooks over HTTP: thin handlers over the webhooks service."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from catalogue.dependencies import AppSettings, Pool, WebhookKey
from catalogue.identity.guards import requires
from catalogue.identity.models import Principal, Role
from catalogue.webhooks import service
from catalogue.webhooks.models import (
    Deliveries,
    DeliveryStatus,
    DeliveryView,
    NewWebhook,
    WebhookSecret,
    WebhookView,
)

AuthRequest = Request[Principal, Any, Any]
WEBHOOK = "/publishers/{publisher_id:uuid}/webhook"


class WebhooksController(Controller):
    path = "/api/v1"
    tags = ["webhooks"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.NATIONAL_ADMIN, Role.PUBLISHER)]  # noqa: RUF012  # same

    @get(WEBHOOK, summary="Le webhook d'un éditeur (sans son secret)")
    async def read(
        self, request: AuthRequest, pool: Pool, publisher_id: FromPath[UUID]
    ) -> WebhookView:
        service.ensure_manages(request.user, publisher_id)
        return await service.read(pool, publisher_id)

    @put(
        WEBHOOK,
        summary="Déclarer son webhook (201 : secret montré une fois) ou en changer l'URL (200)",
        responses=None,
    )
    async def register(
        self,
        request: AuthRequest,
        *,
        pool: Pool,
        settings: AppSettings,
        webhook_key: WebhookKey,
        publisher_id: FromPath[UUID],
        data: JSONBody[NewWebhook],
    ) -> Response[WebhookSecret]:
        service.ensure_manages(request.user, publisher_id)
        created, view = await service.register(
            pool, webhook_key, publisher_id, data.url, production=settings.production
        )
        return Response(view, status_code=201 if created else 200)

    @post(
        f"{WEBHOOK}/rotation",
        status_code=201,
        summary="Un nouveau secret de signature (l'ancien cesse aussitôt)",
    )
    async def rotate(
        self,
        request: AuthRequest,
        pool: Pool,
        webhook_key: WebhookKey,
        publisher_id: FromPath[UUID],
    ) -> WebhookSecret:
        service.ensure_manages(request.user, publisher_id)
        return await service.rotate(pool, webhook_key, publisher_id)

    @delete(WEBHOOK, summary="Supprimer son webhook (les envois en attente échouent)")
    async def remove(self, request: AuthRequest, pool: Pool, publisher_id: FromPath[UUID]) -> None:
        service.ensure_manages(request.user, publisher_id)
        await service.remove(pool, publisher_id)

    @get(f"{WEBHOOK}/deliveries", summary="Le journal des envois, avec chaque tentative")
    async def deliveries(
        self,
        request: AuthRequest,
        pool: Pool,
        publisher_id: FromPath[UUID],
        *,
        status: Annotated[DeliveryStatus | None, QueryParameter()] = None,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Deliveries:
        service.ensure_manages(request.user, publisher_id)
        return await service.deliveries(
            pool, publisher_id, status=status, page=page, per_page=per_page
        )

    @post(
        "/webhook-deliveries/{delivery_id:uuid}/replay",
        status_code=200,
        summary="Renvoyer un envoi (administration nationale, ou l'éditeur concerné)",
    )
    async def replay(
        self, request: AuthRequest, pool: Pool, delivery_id: FromPath[UUID]
    ) -> DeliveryView:
        return await service.replay(pool, request.user, delivery_id)
