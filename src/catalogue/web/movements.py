"""Administrator pages of mobility: a person moved to another establishment or deactivated
(one at a time, or a file of moves), and an establishment's arrivals and departures."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from accounts.models import MoveLine, MoveReport, MoveResult, PersonMovement
from accounts.service import Accounts
from catalogue.errors import CatalogueError
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Principal
from catalogue.identity.uai import uai_problem
from catalogue.pages import page
from catalogue.web.admin import admin_user
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest, field

BACK = "/admin/mobilites"


class MovementPages(Controller):
    path = "/admin"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/mobilites")
    async def movements(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request)
        uai = (request.query_params.get("uai") or "").strip().upper()[:20]
        # Back from the establishment search ("Choisir"): the move's form filled with it.
        chosen = (request.query_params.get("nouvelle_uai") or "").strip().upper()[:20]
        return await _page(accounts, principal, uai=uai, values={"nouvelle_uai": chosen}, errors={})

    @post("/mobilites")
    async def move(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request, back=BACK)
        form = await request.form()
        values = {k: field(form, k) for k in ("personne", "nouvelle_uai", "motif")}
        values["nouvelle_uai"] = values["nouvelle_uai"].upper()
        errors = _person_and_reason(values)
        if problem := uai_problem(values["nouvelle_uai"]):
            errors["nouvelle_uai"] = f"{problem}."
        done: MoveResult | None = None
        if not errors:
            try:
                done = await accounts.move_person(
                    UUID(values["personne"]), values["nouvelle_uai"], values["motif"], by=principal
                )
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["formulaire"] = exc.shown
        return await _page(
            accounts, principal, uai=values["nouvelle_uai"], values=values, errors=errors, done=done
        )

    @post("/mobilites/depart")
    async def deactivate(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request, back=BACK)
        form = await request.form()
        values = {k: field(form, k) for k in ("depart_personne", "depart_motif")}
        errors = _person_and_reason(values, prefix="depart_")
        done: MoveResult | None = None
        if not errors:
            try:
                done = await accounts.deactivate_person(
                    UUID(values["depart_personne"]), values["depart_motif"], by=principal
                )
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["formulaire"] = exc.shown
        uai = done.movement.from_uai or "" if done else ""
        return await _page(accounts, principal, uai=uai, values=values, errors=errors, done=done)

    @post("/mobilites/csv")
    async def move_csv(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request, back=BACK)
        form = await request.form()
        upload = form.get("fichier")
        body = await upload.read() if isinstance(upload, UploadFile) else b""
        errors: dict[str, str] = {}
        report = None
        refused: list[MoveLine] = []
        if not body:
            errors["fichier"] = "Choisissez un fichier CSV non vide."
        else:
            try:
                report = await accounts.move_csv(principal, body)
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["fichier"] = exc.shown
                refused = [
                    msgspec.convert(line, MoveLine) for line in exc.extra.get("errors") or []
                ]
        return await _page(
            accounts, principal, uai="", values={}, errors=errors, report=report, refused=refused
        )


def _person_and_reason(values: dict[str, str], prefix: str = "") -> dict[str, str]:
    errors: dict[str, str] = {}
    person, reason = f"{prefix}personne", f"{prefix}motif"
    try:
        UUID(values[person])
    except ValueError:
        errors[person] = "Indiquez l'identifiant de la personne (il figure dans ses enveloppes)."
    if not values[reason]:
        errors[reason] = "Indiquez le motif : il accompagne chaque mouvement du grand livre."
    elif len(values[reason]) > 500:
        errors[reason] = "Le motif tient en 500 caractères au plus."
    return errors


async def _page(
    accounts: Accounts,
    principal: Principal,
    *,
    uai: str,
    values: dict[str, str],
    errors: dict[str, str],
    done: MoveResult | None = None,
    report: MoveReport | None = None,
    refused: list[MoveLine] | None = None,
) -> Template:
    uai = uai or principal.establishment_uai or ""
    listed: list[PersonMovement] = []
    listing_error = None
    if uai:
        try:
            listed = await accounts.establishment_movements(principal, uai)
        except CatalogueError as exc:
            if exc.status >= 500:
                raise
            listing_error = exc.shown
    return page(
        "admin/mobilites.html",
        principal,
        status_code=422 if errors else 200,
        values=values,
        errors=errors,
        done=done,
        report=report,
        refused=refused or [],
        uai=uai,
        listed=listed,
        listing_error=listing_error,
    )
