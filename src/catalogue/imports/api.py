"""POST /api/v1/publisher/imports: one notice, many, or a zip; the report comes back."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter

from catalogue.dependencies import Pool
from catalogue.errors import InvalidInputError
from catalogue.identity.guards import requires
from catalogue.identity.models import Principal, Role, Scope
from catalogue.imports.models import ImportReport
from catalogue.imports.service import read_report, run_import
from catalogue.resources.publishing import acting_publisher
from catalogue.vocabularies.index import Vocabulary
from connectors.contract import UnknownConnectorError
from connectors.contract import get as get_connector


class ImportsController(Controller):
    path = "/api/v1/publisher/imports"
    tags = ["éditeurs"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.PUBLISHER)]  # noqa: RUF012  # same

    @post(
        "/",
        summary="Importer des notices (XML ScoLOMFR, JSON, ou un zip de fichiers) : le rapport",
        description="The body is the document itself (application/xml, application/json, "
        "application/zip); `connector` says how to read it.",
    )
    async def create(
        self,
        request: Request[Principal, Any, Any],
        *,
        pool: Pool,
        vocab: Vocabulary,
        connector: Annotated[str, QueryParameter(description="lomfr, json, gar...")] = "lomfr",
        strict: Annotated[bool, QueryParameter(description="Valider contre le XSD")] = False,
    ) -> ImportReport:
        publisher_id = acting_publisher(request.user, Scope.IMPORTS)
        try:
            reader = get_connector(connector)
        except UnknownConnectorError as exc:
            raise InvalidInputError(str(exc)) from None
        body = await request.body()
        if not body:
            raise InvalidInputError("Corps de requête vide : envoyez le document lui-même.")
        return await run_import(
            pool,
            vocab,
            reader,
            publisher_id,
            [("upload", body)],
            source="api",
            strict=strict,
        )

    @get("/{import_id:uuid}", summary="Le rapport d'un import")
    async def report(
        self, request: Request[Principal, Any, Any], pool: Pool, import_id: FromPath[UUID]
    ) -> ImportReport:
        publisher_id = acting_publisher(request.user, Scope.IMPORTS)
        return await read_report(pool, publisher_id, import_id)
