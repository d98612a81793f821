"""Administrator pages: periods, allocations (form and CSV), approvals, rules, reports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts import acquisitions, bulk, ledger, reports
from accounts.errors import PeriodError
from accounts.models import CsvLine, NewAllocation, NewPeriod, Rules
from catalogue.dependencies import AppSettings, Pool, PseudonymKey, Vocabulary
from catalogue.errors import CatalogueError, InvalidInputError
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import ADMIN_ROLES, Principal, Role
from catalogue.pages import page
from catalogue.resources.publishing import (
    approve_resource,
    moderation_queue,
    set_publisher_status,
)
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.web.charts import bar_chart
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest, field, page_user, parse_euros

ScopeKind = Literal["establishment", "academie"]
SPEND_BY: dict[str, str] = {
    "publisher": "éditeur",
    "discipline": "discipline",
    "establishment": "établissement",
    "month": "mois",
}
TO_KINDS = {
    "teacher": "un·e enseignant·e (identifiant)",
    "establishment": "un établissement (UAI)",
    "academie": "une académie (code)",
}
LEFTOVERS = {"expire": "expirent", "carry_over": "sont reportés sur la période suivante"}


def _scope(principal: Principal) -> tuple[ScopeKind, str] | None:
    """The envelope an administrator looks after by default (national: none in particular)."""
    if principal.has(Role.NATIONAL_ADMIN):
        return None
    if principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
        return "academie", principal.academie
    if principal.establishment_uai:
        return "establishment", principal.establishment_uai
    return None


async def _admin(request: AnyRequest, back: str | None = None) -> Principal:
    return await page_user(request, *ADMIN_ROLES, back=back)


class AdminPages(Controller):
    path = "/admin"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def dashboard(self, request: AnyRequest, pool: Pool) -> Template:
        principal = await _admin(request)
        scope = _scope(principal)
        async with pool.acquire() as conn:
            periods = await ledger.list_periods(conn)
            envelope = None
            if scope and any(p.status == "open" for p in periods):
                envelope = await reports.envelope(conn, principal, scope[0], scope[1], None)
        return page("admin/tableau.html", principal, envelope=envelope, periods=periods)

    # Periods

    @get("/periodes")
    async def periods(self, request: AnyRequest, pool: Pool) -> Template:
        principal = await _admin(request)
        return await _periods_page(pool, principal, values={}, errors={})

    @post("/periodes", status_code=303)
    async def open_period(self, request: AnyRequest, pool: Pool) -> Redirect | Template:
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
                await ledger.retrying(pool, lambda conn: ledger.open_period(conn, new))
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["formulaire"] = exc.shown
            else:
                return Redirect("/admin/periodes?ouverte=1", status_code=303)
        return await _periods_page(pool, principal, values=values, errors=errors)

    @post("/periodes/{period_id:uuid}/cloture", status_code=303)
    async def close_period(
        self, request: AnyRequest, pool: Pool, period_id: FromPath[UUID]
    ) -> Redirect | Template:
        """Close a period: remainders expire or carry over, in one transaction."""
        principal = await page_user(request, Role.NATIONAL_ADMIN, back="/admin/periodes")
        try:
            await ledger.retrying(pool, lambda conn: ledger.close_period(conn, period_id))
        except CatalogueError as exc:
            if exc.status >= 500:
                raise
            return await _periods_page(
                pool, principal, values={}, errors={}, closing_error=exc.shown
            )
        return Redirect("/admin/periodes?close=1", status_code=303)

    # Allocations

    @get("/dotations")
    async def allocations(self, request: AnyRequest, pool: Pool) -> Template:
        principal = await _admin(request)
        return await _allocations_page(pool, principal, values={"type": "teacher"}, errors={})

    @post("/dotations", status_code=303)
    async def allocate(self, request: AnyRequest, pool: Pool) -> Redirect | Template:
        principal = await _admin(request, back="/admin/dotations")
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
                done = await ledger.retrying(
                    pool, lambda conn: ledger.allocate(conn, principal, new)
                )
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["destinataire" if exc.status in (403, 404) else "montant"] = exc.shown
                if exc.status == 403:
                    return await _allocations_page(
                        pool, principal, values=values, errors=errors, status_code=403
                    )
            else:
                query = urlencode({"dotation": done.amount_cents, "a": values["destinataire"]})
                return Redirect(f"/admin/dotations?{query}", status_code=303)
        return await _allocations_page(pool, principal, values=values, errors=errors)

    @post("/dotations/csv")
    async def allocate_csv(self, request: AnyRequest, pool: Pool) -> Template:
        principal = await _admin(request, back="/admin/dotations")
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
                report = await ledger.retrying(
                    pool, lambda conn: bulk.allocate_csv(conn, principal, body)
                )
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["fichier"] = exc.shown
                refused = [msgspec.convert(line, CsvLine) for line in exc.extra.get("errors") or []]
        return await _allocations_page(
            pool,
            principal,
            values={"type": "teacher"},
            errors=errors,
            report=report,
            refused=refused,
            status_code=422 if errors else 200,
        )

    # Approvals

    @get("/approbations")
    async def approvals(
        self, request: AnyRequest, pool: Pool, decidee: FromQuery[str | None] = None
    ) -> Template:
        principal = await _admin(request)
        academie, uai = reports.report_scope(principal, None, None)
        async with pool.acquire() as conn:
            pending = await acquisitions.list_acquisitions(
                conn, status="pending_approval", academie=academie, uai=uai
            )
        return page("admin/approbations.html", principal, pending=pending, decided=decidee)

    @post("/approbations/{acquisition_id:uuid}", status_code=303)
    async def decide(
        self,
        request: AnyRequest,
        *,
        pool: Pool,
        pseudonym_key: PseudonymKey,
        settings: AppSettings,
        acquisition_id: FromPath[UUID],
    ) -> Redirect:
        principal = await _admin(request, back="/admin/approbations")
        form = await request.form()
        action = field(form, "decision")
        if action not in ("approve", "reject"):
            raise InvalidInputError("Décision inconnue.")
        done = await acquisitions.decide(
            pool,
            pseudonym_key,
            principal,
            acquisition_id,
            action,
            refund_window=timedelta(days=settings.refund_window_days),
        )
        return Redirect(f"/admin/approbations?decidee={done.status}", status_code=303)

    # Rules

    @get("/regles")
    async def rules(
        self,
        request: AnyRequest,
        *,
        pool: Pool,
        vocab: Vocabulary,
        portee: FromQuery[ScopeKind | None] = None,
        code: FromQuery[str | None] = None,
        enregistrees: FromQuery[bool] = False,
    ) -> Template:
        principal = await _admin(request)
        scope = (portee, code) if portee and code else _scope(principal)
        current = Rules()
        if scope:
            async with pool.acquire() as conn:
                current = await ledger.read_rules(conn, principal, scope[0], scope[1])
        return _rules_page(
            vocab, principal, scope, _rules_values(current), errors={}, saved=enregistrees
        )

    @post("/regles", status_code=303)
    async def save_rules(
        self, request: AnyRequest, pool: Pool, vocab: Vocabulary
    ) -> Redirect | Template:
        principal = await _admin(request, back="/admin/regles")
        form = await request.form()
        kind, code = field(form, "portee"), field(form, "code")
        if kind not in ("establishment", "academie") or not code:
            raise InvalidInputError("Périmètre des règles manquant.")
        scope: tuple[ScopeKind, str] = (kind, code)  # type: ignore[assignment]  # checked above
        values: dict[str, Any] = {k: field(form, k) for k in ("seuil", "plafond", "reliquat")}
        values["exclus"] = [v for v in form.getall("exclus", []) if isinstance(v, str)]
        errors: dict[str, str] = {}
        amounts: dict[str, int | None] = {}
        for name in ("seuil", "plafond"):
            cents = parse_euros(values[name]) if values[name] else None
            if values[name] and (cents is None or cents <= 0):
                errors[name] = "Indiquez un montant en euros (par exemple 200), ou laissez vide."
            amounts[name] = cents
        if values["reliquat"] not in ("", *LEFTOVERS):
            errors["reliquat"] = "Choix inconnu."
        if not errors:
            rules = Rules(
                approval_threshold_cents=amounts["seuil"],
                max_per_acquisition_cents=amounts["plafond"],
                excluded_resource_types=values["exclus"],
                leftover=values["reliquat"] or None,
            )
            try:
                async with pool.acquire() as conn:
                    await ledger.write_rules(
                        conn,
                        vocab,
                        principal=principal,
                        scope_kind=scope[0],
                        scope=scope[1],
                        rules=rules,
                    )
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["formulaire"] = exc.shown
            else:
                query = urlencode({"portee": scope[0], "code": scope[1], "enregistrees": "true"})
                return Redirect(f"/admin/regles?{query}", status_code=303)
        return _rules_page(vocab, principal, scope, values, errors=errors, saved=False)

    # Reports

    @get("/rapports")
    async def report(
        self,
        request: AnyRequest,
        pool: Pool,
        vocab: Vocabulary,
        *,
        par: FromQuery[str] = "publisher",
        periode: FromQuery[str] = "",
        academie: FromQuery[str] = "",
        uai: FromQuery[str] = "",
    ) -> Template:
        """Spend over a period (the current one by default) in the caller's perimeter, or a
        part of it: an académie (national administrators) or an establishment."""
        principal = await _admin(request)
        if par not in SPEND_BY:
            raise InvalidInputError(f"par : une valeur parmi {', '.join(SPEND_BY)}.")
        try:
            period_id = UUID(periode) if periode else None
        except ValueError:
            raise InvalidInputError("periode : une période de la liste.") from None
        chosen = {"periode": periode, "academie": academie.strip(), "uai": uai.strip().upper()}
        async with pool.acquire() as conn:
            periods = await ledger.list_periods(conn)
            spend = await reports.spend(
                conn,
                vocab,
                principal,
                by=par,  # type: ignore[arg-type]  # checked above
                period_id=period_id,
                academie=chosen["academie"] or None,
                uai=chosen["uai"] or None,
            )
        narrowed = {k: v for k, v in chosen.items() if v}
        api = {
            "by": par,
            "period_id": periode,
            "academie": chosen["academie"],
            "uai": chosen["uai"],
        }
        chart = bar_chart(
            [(row.label, row.amount_cents) for row in spend.rows],
            title=f"Dépenses par {SPEND_BY[par]}",
            chart_id="graphique-depenses",
        )
        return page(
            "admin/rapports.html",
            principal,
            spend=spend,
            by=par,
            by_labels=SPEND_BY,
            chart=chart,
            period_choices={
                str(p.id): f"{p.name} ({'ouverte' if p.status == 'open' else 'close'})"
                for p in periods
            },
            period=next((p for p in periods if p.id == spend.period_id), None),
            chosen=chosen,
            narrowed=urlencode(narrowed),
            can_choose_academie=principal.has(Role.NATIONAL_ADMIN),
            can_choose_uai=principal.has(Role.NATIONAL_ADMIN, Role.ACADEMIE_ADMIN),
            csv_url="/api/v1/reports/spend.csv?" + urlencode({k: v for k, v in api.items() if v}),
        )


async def _periods_page(
    pool: Pool,
    principal: Principal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    closing_error: str | None = None,
) -> Template:
    async with pool.acquire() as conn:
        periods = await ledger.list_periods(conn)
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
    pool: Pool,
    principal: Principal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    report: Any = None,
    refused: list[CsvLine] | None = None,
    status_code: int | None = None,
) -> Template:
    scope = _scope(principal)
    envelope = None
    if scope:
        async with pool.acquire() as conn:
            try:
                envelope = await reports.envelope(conn, principal, scope[0], scope[1], None)
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


def _rules_values(rules: Rules) -> dict[str, Any]:
    def amount(cents: int | None) -> str:
        return "" if cents is None else f"{cents // 100},{cents % 100:02d}"

    return {
        "seuil": amount(rules.approval_threshold_cents),
        "plafond": amount(rules.max_per_acquisition_cents),
        "reliquat": rules.leftover or "",
        "exclus": rules.excluded_resource_types,
    }


def _rules_page(
    vocab: VocabularyIndex,
    principal: Principal,
    scope: tuple[ScopeKind, str] | None,
    values: dict[str, Any],
    *,
    errors: dict[str, str],
    saved: bool,
) -> Template:
    types = sorted(
        ((c.uri, c.label) for c in vocab.scheme("scolomfr-voc-005") or [] if not c.deprecated),
        key=lambda item: item[1].lower(),
    )
    return page(
        "admin/regles.html",
        principal,
        status_code=422 if errors else 200,
        scope=scope,
        values=values,
        errors=errors,
        saved=saved,
        resource_types=types,
        leftovers=LEFTOVERS,
    )


class ModerationPages(Controller):
    path = "/admin/moderation"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def queue(
        self, request: AnyRequest, pool: Pool, fait: FromQuery[str | None] = None
    ) -> Template:
        principal = await page_user(request, Role.NATIONAL_ADMIN)
        async with pool.acquire() as conn:
            queue = await moderation_queue(conn)
        return page("admin/moderation.html", principal, queue=queue, done=fait)

    @post("/editeurs/{publisher_id:uuid}", status_code=303)
    async def publisher(
        self, request: AnyRequest, pool: Pool, publisher_id: FromPath[UUID]
    ) -> Redirect:
        await page_user(request, Role.NATIONAL_ADMIN, back="/admin/moderation")
        form = await request.form()
        status = {"approve": "approved", "suspend": "suspended"}.get(field(form, "decision"))
        if status is None:
            raise InvalidInputError("Décision inconnue.")
        done = await set_publisher_status(pool, publisher_id, status)
        return Redirect(f"/admin/moderation?{urlencode({'fait': done.name})}", status_code=303)

    @post("/ressources/{resource_id:uuid}", status_code=303)
    async def resource(
        self, request: AnyRequest, pool: Pool, resource_id: FromPath[UUID]
    ) -> Redirect:
        await page_user(request, Role.NATIONAL_ADMIN, back="/admin/moderation")
        done = await approve_resource(pool, resource_id)
        return Redirect(f"/admin/moderation?{urlencode({'fait': done.title})}", status_code=303)
