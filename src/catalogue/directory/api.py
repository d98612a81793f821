"""Finding an establishment in the directory, for the administrators who choose one."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from catalogue.directory.models import EstablishmentView
from catalogue.directory.service import Directory
from catalogue.identity.guards import requires
from catalogue.identity.models import ADMIN_ROLES


@get(
    "/api/v1/establishments",
    guards=[requires(*ADMIN_ROLES)],
    tags=["annuaire"],
    summary="Trouver un établissement par son nom, sa commune, son code postal ou son UAI",
)
async def find_establishments(
    directory: Directory,
    q: Annotated[str, QueryParameter(min_length=1, max_length=200)],
    limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
) -> list[EstablishmentView]:
    return await directory.find(q, limit)
