"""GET /api/v1/resources/{id}."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.params import FromPath

from catalogue.dependencies import Pool
from catalogue.identity.guards import signed_in
from catalogue.identity.models import Principal
from catalogue.resources.models import ResourceView
from catalogue.resources.service import read_resource


@get(
    "/api/v1/resources/{resource_id:uuid}",
    guards=[signed_in],
    tags=["catalogue"],
    summary="Une ressource : libellés, offres et provenance",
)
async def resource(
    request: Request[Principal, Any, Any], pool: Pool, resource_id: FromPath[UUID]
) -> ResourceView:
    async with pool.acquire() as conn:
        return await read_resource(
            conn, request.app.state.vocab, resource_id, publisher_id=request.user.publisher_id
        )
