"""Administrator pages: dashboard, approvals, rules, reports, moderation (periods and
allocations: ``web/budget.py``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from accounts.models import Rules
from accounts.reports import SpendQuery
from accounts.service import Accounts, Action
from catalogue.deliveries import DeliveryStatus
from catalogue.dependencies import AppSettings, Pool
from catalogue.errors import CatalogueError, InvalidInputError
from catalogue.gar import service as gar_service
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import ADMIN_ROLES, Principal, Role
from catalogue.pages import page
from catalogue.resources.publishing import (
    Resources,
)
from catalogue.vocabularies.index import Vocabulary, VocabularyIndex
from catalogue.web.charts import bar_chart
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest, field, page_user, parse_euros

ScopeKind = Literal["establishment", "academie"]
SPEND_BY: dict[str, str] = {
    "publisher": "éditeur",
    "discipline": "discipline",
    "establishment": "établissement",
    "month": "mois",
}
ADMIN_DECISIONS: dict[str, Action] = {"approve": "approve", "reject": "reject"}
LEFTOVERS = {"expire": "expirent", "carry_over": "sont reportés sur la période suivante"}
ON_MOVE = {
    "return": "revient à l'ancien établissement",
    "follow": "suit l'enseignant·e (dans l'académie)",
}


def admin_scope(principal: Principal) -> tuple[ScopeKind, str] | None:
    """The envelope an administrator looks after by default (national: none in particular)."""
    if principal.has(Role.NATIONAL_ADMIN):
        return None
    if principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
        return "academie", principal.academie
    if principal.establishment_uai:
        return "establishment", principal.establishment_uai
    return None


async def admin_user(request: AnyRequest, back: str | None = None) -> Principal:
    return await page_user(request, *ADMIN_ROLES, back=back)


class AdminPages(Controller):
    path = "/admin"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def dashboard(self, request: AnyRequest, accounts: Accounts) -> Template:
        principal = await admin_user(request)
        periods, envelope = await accounts.overview(principal, admin_scope(principal))
        return page("admin/tableau.html", principal, envelope=envelope, periods=periods)

    # Approvals

    @get("/approbations")
    async def approvals(
        self, request: AnyRequest, accounts: Accounts, decidee: FromQuery[str | None] = None
    ) -> Template:
        principal = await admin_user(request)
        pending = await accounts.acquisitions(principal, status="pending_approval")
        return page("admin/approbations.html", principal, pending=pending, decided=decidee)

    @post("/approbations/{acquisition_id:uuid}", status_code=303)
    async def decide(
        self,
        request: AnyRequest,
        accounts: Accounts,
        acquisition_id: FromPath[UUID],
    ) -> Redirect:
        principal = await admin_user(request, back="/admin/approbations")
        form = await request.form()
        action = ADMIN_DECISIONS.get(field(form, "decision"))
        if action is None:
            raise InvalidInputError("Décision inconnue.")
        done = await accounts.decide(principal, acquisition_id, action)
        return Redirect(f"/admin/approbations?decidee={done.status}", status_code=303)

    # Rules

    @get("/regles")
    async def rules(
        self,
        request: AnyRequest,
        *,
        accounts: Accounts,
        vocab: Vocabulary,
        portee: FromQuery[ScopeKind | None] = None,
        code: FromQuery[str | None] = None,
        enregistrees: FromQuery[bool] = False,
    ) -> Template:
        principal = await admin_user(request)
        scope = (portee, code) if portee and code else admin_scope(principal)
        current = Rules()
        if scope:
            current = await accounts.rules(principal, scope[0], scope[1])
        return _rules_page(
            vocab, principal, scope, _rules_values(current), errors={}, saved=enregistrees
        )

    @post("/regles", status_code=303)
    async def save_rules(
        self, request: AnyRequest, accounts: Accounts, vocab: Vocabulary
    ) -> Redirect | Template:
        principal = await admin_user(request, back="/admin/regles")
        form = await request.form()
        kind, code = field(form, "portee"), field(form, "code")
        if kind not in ("establishment", "academie") or not code:
            raise InvalidInputError("Périmètre des règles manquant.")
        scope: tuple[ScopeKind, str] = (kind, code)  # type: ignore[assignment]  # checked above
        values: dict[str, Any] = {
            k: field(form, k) for k in ("seuil", "plafond", "reliquat", "mobilite")
        }
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
        if values["mobilite"] not in ("", *ON_MOVE) or (values["mobilite"] and kind != "academie"):
            errors["mobilite"] = "Choix inconnu."
        if not errors:
            rules = Rules(
                approval_threshold_cents=amounts["seuil"],
                max_per_acquisition_cents=amounts["plafond"],
                excluded_resource_types=values["exclus"],
                leftover=values["reliquat"] or None,
                envelope_on_move=values["mobilite"] or None,
            )
            try:
                await accounts.set_rules(principal, scope[0], scope[1], rules)
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
        accounts: Accounts,
        *,
        par: FromQuery[str] = "publisher",
        periode: FromQuery[str] = "",
        academie: FromQuery[str] = "",
        uai: FromQuery[str] = "",
    ) -> Template:
        """Spend over a period (the current one by default) in the caller's perimeter, or a
        part of it: an académie (national administrators) or an establishment."""
        principal = await admin_user(request)
        if par not in SPEND_BY:
            raise InvalidInputError(f"par : une valeur parmi {', '.join(SPEND_BY)}.")
        try:
            period_id = UUID(periode) if periode else None
        except ValueError:
            raise InvalidInputError("periode : une période de la liste.") from None
        chosen = {"periode": periode, "academie": academie.strip(), "uai": uai.strip().upper()}
        query = SpendQuery(
            by=par,  # type: ignore[arg-type]  # checked above
            period_id=period_id,
            academie=chosen["academie"] or None,
            uai=chosen["uai"] or None,
        )
        periods, spend = await accounts.spend_over_periods(principal, query)
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


def _rules_values(rules: Rules) -> dict[str, Any]:
    def amount(cents: int | None) -> str:
        return "" if cents is None else f"{cents // 100},{cents % 100:02d}"

    return {
        "seuil": amount(rules.approval_threshold_cents),
        "plafond": amount(rules.max_per_acquisition_cents),
        "reliquat": rules.leftover or "",
        "mobilite": rules.envelope_on_move or "",
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
        on_move=ON_MOVE,
    )


class ModerationPages(Controller):
    path = "/admin/moderation"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def queue(
        self, request: AnyRequest, resources: Resources, fait: FromQuery[str | None] = None
    ) -> Template:
        principal = await page_user(request, Role.NATIONAL_ADMIN)
        queue = await resources.moderation_queue()
        return page("admin/moderation.html", principal, queue=queue, done=fait)

    @post("/editeurs/{publisher_id:uuid}", status_code=303)
    async def publisher(
        self, request: AnyRequest, resources: Resources, publisher_id: FromPath[UUID]
    ) -> Redirect:
        await page_user(request, Role.NATIONAL_ADMIN, back="/admin/moderation")
        form = await request.form()
        status = {"approve": "approved", "suspend": "suspended"}.get(field(form, "decision"))
        if status is None:
            raise InvalidInputError("Décision inconnue.")
        done = await resources.set_publisher_status(publisher_id, status)
        return Redirect(f"/admin/moderation?{urlencode({'fait': done.name})}", status_code=303)

    @post("/ressources/{resource_id:uuid}", status_code=303)
    async def resource(
        self, request: AnyRequest, resources: Resources, resource_id: FromPath[UUID]
    ) -> Redirect:
        await page_user(request, Role.NATIONAL_ADMIN, back="/admin/moderation")
        done = await resources.approve(resource_id)
        return Redirect(f"/admin/moderation?{urlencode({'fait': done.title})}", status_code=303)


GAR_STATUSES = {"pending": "en attente", "delivered": "envoyé", "failed": "en échec"}


class GarPages(Controller):
    """The national administrators' GAR delivery log: each call with its attempts, the
    failures first on request (``?etat=failed``), and a replay button."""

    path = "/admin/gar"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def log(
        self,
        request: AnyRequest,
        *,
        pool: Pool,
        settings: AppSettings,
        etat: FromQuery[DeliveryStatus | None] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
        renvoye: FromQuery[UUID | None] = None,
    ) -> Template:
        principal = await page_user(request, Role.NATIONAL_ADMIN)
        found = await gar_service.deliveries(pool, status=etat, page=page_number, per_page=50)
        return page(
            "admin/gar.html",
            principal,
            log=found,
            status=etat,
            statuses=GAR_STATUSES,
            replayed=renvoye,
            configured=settings.gar is not None,
            pages=max(1, -(-found.total // found.per_page)),
        )

    @post("/{delivery_id:uuid}/renvoi", status_code=303)
    async def replay(
        self,
        request: AnyRequest,
        *,
        pool: Pool,
        settings: AppSettings,
        delivery_id: FromPath[UUID],
    ) -> Redirect:
        await page_user(request, Role.NATIONAL_ADMIN, back="/admin/gar")
        done = await gar_service.replay(pool, settings.gar, delivery_id)
        return Redirect(f"/admin/gar?{urlencode({'renvoye': str(done.id)})}", status_code=303)
