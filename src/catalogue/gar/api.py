"""The GAR delivery log over HTTP, for national administrators: thin handlers over
`catalogue.gar.service`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter

from catalogue.deliveries import DeliveryStatus
from catalogue.dependencies import AppSettings, Pool
from catalogue.gar import service
from catalogue.gar.models import GarDeliveries, GarDeliveryView
from catalogue.identity.guards import requires
from catalogue.identity.models import Role


class GarDeliveriesController(Controller):
    path = "/api/v1/gar/deliveries"
    tags = ["gar"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.NATIONAL_ADMIN)]  # noqa: RUF012  # same

    @get("/", summary="Le journal des envois d'abonnements au GAR, avec chaque tentative")
    async def deliveries(
        self,
        pool: Pool,
        *,
        status: Annotated[DeliveryStatus | None, QueryParameter()] = None,
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> GarDeliveries:
        return await service.deliveries(pool, status=status, page=page, per_page=per_page)

    @post(
        "/{delivery_id:uuid}/replay",
        status_code=200,
        summary="Renvoyer un envoi au GAR (administration nationale)",
    )
    async def replay(
        self, pool: Pool, settings: AppSettings, delivery_id: FromPath[UUID]
    ) -> GarDeliveryView:
        return await service.replay(pool, settings.gar, delivery_id)
