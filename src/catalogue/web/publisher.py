"""Publisher pages: own resources and their status, imports with their report, harvests,
LTI tools, sales."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from accounts.service import Accounts
from catalogue.errors import CatalogueError
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Principal, Role, Scope
from catalogue.imports.models import ImportReport
from catalogue.pages import page
from catalogue.resources.publishing import Resources, acting_publisher
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest, field, page_user
from catalogue.web.services import PAGE_SERVICES, PublisherSpace, PublisherSpaceService
from connectors.contract import UnknownConnectorError

PER_PAGE = 50
CONNECTORS = {
    "lomfr": "notice(s) ScoLOMFR (XML ou zip)",
    "json": "JSON du catalogue",
    "gar": "liste de ressources du GAR (JSON ou XML)",
}
OUTCOMES = {
    "created": "créée",
    "updated": "mise à jour",
    "unchanged": "inchangée",
    "rejected": "rejetée",
}


async def _publisher(request: AnyRequest, back: str | None = None) -> tuple[Principal, Any]:
    principal = await page_user(request, Role.PUBLISHER, back=back)
    return principal, acting_publisher(principal, Scope.RESOURCES)


class PublisherPages(Controller):
    path = "/editeur"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]
    dependencies = PAGE_SERVICES  # Litestar reads it as a class attribute

    @get("/")
    async def own_resources(
        self,
        request: AnyRequest,
        resources: Resources,
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        principal, publisher_id = await _publisher(request)
        own = await resources.list_own(publisher_id, page_number, PER_PAGE)
        pages = max(1, -(-own.total // PER_PAGE))
        return page("editeur/ressources.html", principal, own=own, pages=pages)

    @get("/imports")
    async def imports(self, request: AnyRequest, space: PublisherSpace) -> Template:
        principal, publisher_id = await _publisher(request)
        return await _imports_page(space, principal, publisher_id, values={}, errors={})

    @post("/imports")
    async def run(self, request: AnyRequest, space: PublisherSpace) -> Template:
        principal, publisher_id = await _publisher(request, back="/editeur/imports")
        form = await request.form()
        values = {"format": field(form, "format") or "lomfr", "strict": field(form, "strict")}
        upload = form.get("fichier")
        body = await upload.read() if isinstance(upload, UploadFile) else b""
        name = upload.filename if isinstance(upload, UploadFile) and upload.filename else "upload"
        errors: dict[str, str] = {}
        report: ImportReport | None = None
        if values["format"] not in CONNECTORS:
            errors["format"] = "Choisissez un format."
        if not body:
            errors["fichier"] = "Choisissez un fichier non vide."
        if not errors:
            try:
                report = await space.run_import(
                    publisher_id, values["format"], name, body, strict=values["strict"] == "oui"
                )
            except UnknownConnectorError:
                errors["format"] = "Ce format n'est pas installé sur ce serveur."
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["fichier"] = exc.shown
        return await _imports_page(
            space, principal, publisher_id, values=values, errors=errors, report=report
        )

    @get("/moissonnages/{run_id:uuid}")
    async def harvest_run(
        self, request: AnyRequest, space: PublisherSpace, run_id: FromPath[UUID]
    ) -> Template:
        principal, publisher_id = await _publisher(request)
        run = await space.harvest_run(publisher_id, run_id)
        return page("editeur/moisson.html", principal, run=run)

    @get("/outils")
    async def tools(self, request: AnyRequest, space: PublisherSpace) -> Template:
        principal, publisher_id = await _publisher(request)
        tools = await space.tools(publisher_id)
        return page("editeur/outils.html", principal, tools=tools)

    @get("/ventes")
    async def sales(
        self, request: AnyRequest, accounts: Accounts, limite: FromQuery[int] = 1000
    ) -> Template:
        principal = await page_user(request, Role.PUBLISHER)
        publisher_id = acting_publisher(principal, Scope.SALES)
        found = await accounts.sales(publisher_id, max(1, min(limite, 10_000)))
        total = sum(s.total_cents for s in found.items if s.status == "completed")
        return page("editeur/ventes.html", principal, sales=found.items, total=total)


async def _imports_page(
    space: PublisherSpaceService,
    principal: Principal,
    publisher_id: Any,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    report: ImportReport | None = None,
) -> Template:
    sources = await space.import_sources(publisher_id)
    return page(
        "editeur/imports.html",
        principal,
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        report=report,
        sources=sources,
        connectors=CONNECTORS,
        outcomes=OUTCOMES,
    )
