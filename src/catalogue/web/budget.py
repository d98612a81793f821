"""Administrator pages of the money: budget periods (open, close) and allocations (form
and CSV)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from accounts.errors import PeriodError
from accounts.models import CsvLine, CsvReport, NewAllocation, NewPeriod
from accounts.service import Accounts
from catalogue.errors import CatalogueError
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Principal, Role
from catalogue.pages import page
from catalogue.web.admin import LEFTOVERS, admin_scope, admin_user
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest, field, page_user, parse_euros

TO_KINDS = {
    "teacher": "un·e enseignant·e (identifiant)",
    "establishment": "un établissement (UAI)",
    "academie": "une académie (code)",
}


class BudgetPages(Controller):
    path = "/admin"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    # Periods

    @get("/periodes")
    async def periods(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request)
        return await _periods_page(accounts, principal, values={}, errors={})

    @post("/periodes", status_code=303)
    async def open_period(self, request: AnyRequest, accounts: Accounts) -> Redirect | Template:
        principal = await page_user(request, Role.NATIONAL_ADMIN, back="/admin/periodes")
        form = await request.form()
        values = {k: field(form, k) for k in ("nom", "debut", "fin", "reliquat")}
        errors: dict[str, str] = {}
        dates: dict[str, date | None] = {}
        for name in ("debut", "fin"):
            try:
                dates[name] = date.fromisoformat(values[name]) if values[name] else None
            except ValueError:
                errors[name] = "Date attendue au format AAAA-MM-JJ, par exemple 2026-09-01."
        if values["reliquat"] not in LEFTOVERS:
            errors["reliquat"] = "Choisissez ce que deviennent les reliquats."
        if not errors:
            new = msgspec.convert(
                {
                    "name": values["nom"] or None,
                    "starts_on": dates["debut"],
                    "ends_on": dates["fin"],
                    "leftover": values["reliquat"],
                },
                NewPeriod,
            )
            try:
                await accounts.open_period(new)
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["formulaire"] = exc.shown
            else:
                return Redirect("/admin/periodes?ouverte=1", status_code=303)
        return await _periods_page(accounts, principal, values=values, errors=errors)

    @post("/periodes/{period_id:uuid}/cloture", status_code=303)
    async def close_period(
        self, request: AnyRequest, accounts: Accounts, period_id: FromPath[UUID]
    ) -> Redirect | Template:
        """Close a period: remainders expire or carry over, in one transaction."""
        principal = await page_user(request, Role.NATIONAL_ADMIN, back="/admin/periodes")
        try:
            await accounts.close_period(period_id)
        except CatalogueError as exc:
            if exc.status >= 500:
                raise
            return await _periods_page(
                accounts, principal, values={}, errors={}, closing_error=exc.shown
            )
        return Redirect("/admin/periodes?close=1", status_code=303)

    # Allocations

    @get("/dotations")
    async def allocations(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request)
        # Back from the establishment search ("Choisir"): the form filled with its choice.
        chosen = request.query_params.get("type")
        values = {"type": chosen if chosen in TO_KINDS else "teacher"}
        values["destinataire"] = (request.query_params.get("destinataire") or "")[:100]
        return await _allocations_page(accounts, principal, values=values, errors={})

    @post("/dotations", status_code=303)
    async def allocate(self, request: AnyRequest, accounts: Accounts) -> Redirect | Template:
        principal = await admin_user(request, back="/admin/dotations")
        form = await request.form()
        values = {k: field(form, k) for k in ("type", "destinataire", "montant")}
        errors: dict[str, str] = {}
        if values["type"] not in TO_KINDS:
            errors["type"] = "Choisissez le type de destinataire."
        if not values["destinataire"]:
            errors["destinataire"] = "Indiquez le destinataire."
        cents = parse_euros(values["montant"])
        if cents is None or cents <= 0:
            errors["montant"] = "Indiquez un montant en euros, par exemple 150 ou 150,50."
        if not errors:
            assert cents is not None
            new = NewAllocation(
                to_kind=values["type"],  # type: ignore[arg-type]  # checked above
                to=values["destinataire"],
                amount_cents=cents,
            )
            try:
                done = await accounts.allocate(principal, new)
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["destinataire" if exc.status in (403, 404) else "montant"] = exc.shown
                if exc.status == 403:
                    return await _allocations_page(
                        accounts, principal, values=values, errors=errors, status_code=403
                    )
            else:
                query = urlencode({"dotation": done.amount_cents, "a": values["destinataire"]})
                return Redirect(f"/admin/dotations?{query}", status_code=303)
        return await _allocations_page(accounts, principal, values=values, errors=errors)

    @post("/dotations/csv")
    async def allocate_csv(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request, back="/admin/dotations")
        form = await request.form()
        upload = form.get("fichier")
        body = await upload.read() if isinstance(upload, UploadFile) else b""
        errors: dict[str, str] = {}
        report = None
        refused: list[CsvLine] = []
        if not body:
            errors["fichier"] = "Choisissez un fichier CSV non vide."
        else:
            try:
                report = await accounts.allocate_csv(principal, body)
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["fichier"] = exc.shown
                refused = [msgspec.convert(line, CsvLine) for line in exc.extra.get("errors") or []]
        return await _allocations_page(
            accounts,
            principal,
            values={"type": "teacher"},
            errors=errors,
            report=report,
            refused=refused,
            status_code=422 if errors else 200,
        )


async def _periods_page(
    accounts: Accounts,
    principal: Principal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    closing_error: str | None = None,
) -> Template:
    periods = await accounts.periods()
    return page(
        "admin/periodes.html",
        principal,
        status_code=422 if errors or closing_error else 200,
        periods=periods,
        closing_error=closing_error,
        values=values,
        errors=errors,
        leftovers=LEFTOVERS,
        can_open=principal.has(Role.NATIONAL_ADMIN),
    )


async def _allocations_page(
    accounts: Accounts,
    principal: Principal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    report: CsvReport | None = None,
    refused: list[CsvLine] | None = None,
    status_code: int | None = None,
) -> Template:
    scope = admin_scope(principal)
    envelope = None
    if scope:
        try:
            envelope = await accounts.envelope(principal, scope[0], scope[1])
        except PeriodError:
            envelope = None  # no open period yet: the form says why when used
    return page(
        "admin/dotations.html",
        principal,
        status_code=status_code or (422 if errors else 200),
        values=values,
        errors=errors,
        to_kinds=TO_KINDS,
        envelope=envelope,
        report=report,
        refused=refused or [],
    )
