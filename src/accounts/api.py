"""The compte ressource over HTTP: thin handlers over the ledger, acquisitions and reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler

from accounts import acquisitions, bulk, ledger, reports
from accounts.mediacentre import my_mediacentre
from accounts.models import (
    Acquisition,
    AcquisitionStatus,
    Allocation,
    CsvReport,
    EnvelopeView,
    MyAccount,
    NewAcquisition,
    NewAllocation,
    NewPeriod,
    Period,
    Rules,
    Sales,
    SpendReport,
)
from catalogue.dependencies import AppSettings, Pool, PseudonymKey
from catalogue.identity.guards import requires
from catalogue.identity.models import ADMIN_ROLES, Principal, Role, Scope
from catalogue.resources.publishing import acting_publisher
from catalogue.strict import strictly
from catalogue.vocabularies.index import Vocabulary
from catalogue.webhooks.events import WebhookWaker

AuthRequest = Request[Principal, Any, Any]
ADMINS = requires(*ADMIN_ROLES)
NATIONAL = requires(Role.NATIONAL_ADMIN)
TEACHERS = requires(Role.TEACHER)
CSV = "text/csv; charset=utf-8"
Decision = Literal["approval", "rejection", "cancellation", "refund"]
DECISIONS = {
    "approval": "approve",
    "rejection": "reject",
    "cancellation": "cancel",
    "refund": "refund",
}
PeriodParam = Annotated[UUID | None, QueryParameter(description="par défaut, la période en cours")]


def csv_response(name: str, header: Sequence[str], rows: Any) -> Response[str]:
    return Response(
        reports.to_csv(header, rows),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


class PeriodsController(Controller):
    path = "/api/v1/periods"
    tags = ["compte ressource"]  # noqa: RUF012  # Litestar reads it as a class attribute

    @get("/", guards=[ADMINS], summary="Les périodes budgétaires")
    async def list_periods(self, pool: Pool) -> list[Period]:
        async with pool.acquire() as conn:
            return await ledger.list_periods(conn)

    @post(
        "/", guards=[NATIONAL], summary="Ouvrir une période (par défaut l'année scolaire en cours)"
    )
    async def open_period(self, pool: Pool, data: JSONBody[NewPeriod]) -> Period:
        return await ledger.retrying(pool, lambda conn: ledger.open_period(conn, data))

    @post(
        "/{period_id:uuid}/closing",
        guards=[NATIONAL],
        status_code=200,
        summary="Clore : reliquats expirés ou reportés selon les règles, en une transaction",
    )
    async def close(self, pool: Pool, period_id: FromPath[UUID]) -> Period:
        return await ledger.retrying(pool, lambda conn: ledger.close_period(conn, period_id))


class AllocationsController(Controller):
    path = "/api/v1/allocations"
    tags = ["compte ressource"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [ADMINS]  # noqa: RUF012  # same

    @post("/", summary="Doter une enveloppe depuis son enveloppe parente")
    async def allocate(
        self, request: AuthRequest, pool: Pool, data: JSONBody[NewAllocation]
    ) -> Allocation:
        new = await strictly(request, data)
        return await ledger.retrying(pool, lambda conn: ledger.allocate(conn, request.user, new))

    @post(
        "/csv",
        status_code=200,
        summary="Doter des enseignants depuis un CSV (UAI, enseignant, euros) : tout ou rien",
    )
    async def allocate_csv(self, request: AuthRequest, pool: Pool) -> CsvReport:
        body = await request.body()
        return await ledger.retrying(pool, lambda conn: bulk.allocate_csv(conn, request.user, body))


class RulesController(Controller):
    path = "/api/v1"
    tags = ["compte ressource"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [ADMINS]  # noqa: RUF012  # same

    @get("/establishments/{uai:str}/rules", summary="Règles d'acquisition d'un établissement")
    async def establishment_rules(
        self, request: AuthRequest, pool: Pool, uai: FromPath[str]
    ) -> Rules:
        async with pool.acquire() as conn:
            return await ledger.read_rules(conn, request.user, "establishment", uai)

    @put("/establishments/{uai:str}/rules", summary="Fixer les règles d'un établissement")
    async def set_establishment_rules(
        self,
        request: AuthRequest,
        *,
        pool: Pool,
        vocab: Vocabulary,
        uai: FromPath[str],
        data: JSONBody[Rules],
    ) -> Rules:
        async with pool.acquire() as conn:
            return await ledger.write_rules(
                conn,
                vocab,
                principal=request.user,
                scope_kind="establishment",
                scope=uai,
                rules=await strictly(request, data),
            )

    @get("/academies/{academie:str}/rules", summary="Règles d'acquisition d'une académie")
    async def academie_rules(
        self, request: AuthRequest, pool: Pool, academie: FromPath[str]
    ) -> Rules:
        async with pool.acquire() as conn:
            return await ledger.read_rules(conn, request.user, "academie", academie)

    @put("/academies/{academie:str}/rules", summary="Fixer les règles d'une académie")
    async def set_academie_rules(
        self,
        request: AuthRequest,
        *,
        pool: Pool,
        vocab: Vocabulary,
        academie: FromPath[str],
        data: JSONBody[Rules],
    ) -> Rules:
        async with pool.acquire() as conn:
            return await ledger.write_rules(
                conn,
                vocab,
                principal=request.user,
                scope_kind="academie",
                scope=academie,
                rules=await strictly(request, data),
            )


class AcquisitionsController(Controller):
    path = "/api/v1/acquisitions"
    tags = ["compte ressource"]  # noqa: RUF012  # Litestar reads it as a class attribute

    @post(
        "/",
        guards=[TEACHERS],
        summary="Acquérir une licence avec son budget (Idempotency-Key requis)",
        description="201 : licence délivrée ; 202 : fonds réservés en attente d'approbation. "
        "Même clé et même corps : la première réponse ; autre corps : 422 ; en cours : 409.",
        responses=None,
    )
    async def acquire(
        self,
        request: AuthRequest,
        *,
        pool: Pool,
        pseudonym_key: PseudonymKey,
        vocab: Vocabulary,
        webhook_waker: WebhookWaker,
        data: JSONBody[NewAcquisition],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> Response[Acquisition]:
        key = acquisitions.check_key(idempotency_key)
        status, body = await acquisitions.acquire(
            pool,
            vocab,
            pseudonym_key,
            request.user,
            key=key,
            new=await strictly(request, data),
            waker=webhook_waker,
        )
        return Response(body, status_code=status)  # type: ignore[arg-type]  # the stored Acquisition

    @get(
        "/",
        guards=[requires(Role.TEACHER, *ADMIN_ROLES)],
        summary="Acquisitions visibles (les siennes, ou celles du périmètre)",
    )
    async def list_acquisitions(
        self,
        request: AuthRequest,
        pool: Pool,
        status: FromQuery[AcquisitionStatus | None] = None,
        uai: FromQuery[str | None] = None,
        academie: FromQuery[str | None] = None,
    ) -> list[Acquisition]:
        principal = request.user
        async with pool.acquire() as conn:
            if not principal.has(*ADMIN_ROLES):
                return await acquisitions.list_acquisitions(
                    conn, person_id=principal.person_id, status=status
                )
            academie, uai = reports.report_scope(principal, academie, uai)
            return await acquisitions.list_acquisitions(
                conn, academie=academie, uai=uai, status=status
            )

    @post(
        "/{acquisition_id:uuid}/{decision:str}",
        guards=[requires(Role.TEACHER, *ADMIN_ROLES)],
        status_code=200,
        summary="Décider : approval (licence délivrée), rejection (fonds rendus), "
        "cancellation (par l'enseignant), refund (dans le délai)",
    )
    async def decide(
        self,
        request: AuthRequest,
        *,
        pool: Pool,
        pseudonym_key: PseudonymKey,
        settings: AppSettings,
        acquisition_id: FromPath[UUID],
        decision: FromPath[Decision],
    ) -> Acquisition:
        """Administrators of the teacher's scope decide; the teacher may only cancel."""
        return await acquisitions.decide(
            pool,
            pseudonym_key,
            request.user,
            acquisition_id,
            DECISIONS[decision],
            refund_window=timedelta(days=settings.refund_window_days),
        )


class StatementsController(Controller):
    path = "/api/v1"
    tags = ["compte ressource"]  # noqa: RUF012  # Litestar reads it as a class attribute

    @get(
        "/me/account",
        guards=[TEACHERS],
        summary="Son solde, ses mouvements, ses acquisitions et licences",
    )
    async def my_account(self, request: AuthRequest, pool: Pool) -> MyAccount:
        async with pool.acquire() as conn:
            return await reports.my_account(conn, _person(request))

    @get("/me/account.csv", guards=[TEACHERS], media_type=CSV, summary="Ses mouvements, en CSV")
    async def my_account_csv(self, request: AuthRequest, pool: Pool) -> Response[str]:
        async with pool.acquire() as conn:
            account = await reports.my_account(conn, _person(request))
        rows = (
            (m.at.isoformat(), m.kind, m.amount_cents, m.acquisition_id) for m in account.history
        )
        return csv_response(
            "compte", ("date", "mouvement", "montant_centimes", "acquisition"), rows
        )

    @get(
        "/establishments/{uai:str}/account",
        guards=[ADMINS],
        summary="Enveloppe d'un établissement et de ses enseignants",
    )
    async def establishment(
        self, request: AuthRequest, pool: Pool, uai: FromPath[str], period_id: PeriodParam = None
    ) -> EnvelopeView:
        async with pool.acquire() as conn:
            return await reports.envelope(conn, request.user, "establishment", uai, period_id)

    @get(
        "/establishments/{uai:str}/account.csv",
        guards=[ADMINS],
        media_type=CSV,
        summary="Enveloppes des enseignants, en CSV",
    )
    async def establishment_csv(
        self, request: AuthRequest, pool: Pool, uai: FromPath[str], period_id: PeriodParam = None
    ) -> Response[str]:
        async with pool.acquire() as conn:
            view = await reports.envelope(conn, request.user, "establishment", uai, period_id)
        return _envelope_csv(f"etablissement-{uai}", view)

    @get(
        "/academies/{academie:str}/account",
        guards=[ADMINS],
        summary="Enveloppe d'une académie et de ses établissements",
    )
    async def academie(
        self,
        request: AuthRequest,
        pool: Pool,
        academie: FromPath[str],
        period_id: PeriodParam = None,
    ) -> EnvelopeView:
        async with pool.acquire() as conn:
            return await reports.envelope(conn, request.user, "academie", academie, period_id)

    @get(
        "/academies/{academie:str}/account.csv",
        guards=[ADMINS],
        media_type=CSV,
        summary="Enveloppes des établissements, en CSV",
    )
    async def academie_csv(
        self,
        request: AuthRequest,
        pool: Pool,
        academie: FromPath[str],
        period_id: PeriodParam = None,
    ) -> Response[str]:
        async with pool.acquire() as conn:
            view = await reports.envelope(conn, request.user, "academie", academie, period_id)
        return _envelope_csv(f"academie-{academie}", view)

    @get(
        "/reports/spend",
        guards=[ADMINS],
        summary="Dépenses par éditeur, discipline, établissement ou mois",
    )
    async def spend(
        self,
        request: AuthRequest,
        pool: Pool,
        vocab: Vocabulary,
        *,
        by: FromQuery[reports.SpendBy] = "publisher",
        period_id: PeriodParam = None,
        academie: FromQuery[str | None] = None,
        uai: FromQuery[str | None] = None,
    ) -> SpendReport:
        async with pool.acquire() as conn:
            return await reports.spend(
                conn,
                vocab,
                request.user,
                by=by,
                period_id=period_id,
                academie=academie,
                uai=uai,
            )

    @get(
        "/reports/spend.csv", guards=[ADMINS], media_type=CSV, summary="Les mêmes dépenses, en CSV"
    )
    async def spend_csv(
        self,
        request: AuthRequest,
        pool: Pool,
        vocab: Vocabulary,
        *,
        by: FromQuery[reports.SpendBy] = "publisher",
        period_id: PeriodParam = None,
        academie: FromQuery[str | None] = None,
        uai: FromQuery[str | None] = None,
    ) -> Response[str]:
        async with pool.acquire() as conn:
            report = await reports.spend(
                conn,
                vocab,
                request.user,
                by=by,
                period_id=period_id,
                academie=academie,
                uai=uai,
            )
        rows = ((r.key, r.label, r.acquisitions, r.amount_cents) for r in report.rows)
        return csv_response(
            f"depenses-{by}", (by, "libelle", "acquisitions", "montant_centimes"), rows
        )

    @get(
        "/publisher/sales",
        guards=[requires(Role.PUBLISHER)],
        summary="Ses ventes (pseudonymes des enseignants)",
    )
    async def sales(
        self,
        request: AuthRequest,
        pool: Pool,
        limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1000,
    ) -> Sales:
        publisher_id = acting_publisher(request.user, Scope.SALES)
        async with pool.acquire() as conn:
            return await reports.sales(conn, publisher_id, limit)

    @get(
        "/publisher/sales.csv",
        guards=[requires(Role.PUBLISHER)],
        media_type=CSV,
        summary="Ses ventes, en CSV",
    )
    async def sales_csv(
        self,
        request: AuthRequest,
        pool: Pool,
        limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1000,
    ) -> Response[str]:
        publisher_id = acting_publisher(request.user, Scope.SALES)
        async with pool.acquire() as conn:
            found = await reports.sales(conn, publisher_id, limit)
        rows = (
            (
                s.created_at.isoformat(),
                s.acquisition_id,
                s.resource_id,
                s.resource_title,
                s.licence_type,
                s.quantity,
                s.total_cents,
                s.status,
                s.holder,
            )
            for s in found.items
        )
        header = (
            "date",
            "acquisition",
            "ressource",
            "titre",
            "licence",
            "quantite",
            "montant_centimes",
            "statut",
            "titulaire",
        )
        return csv_response("ventes", header, rows)


def _person(request: AuthRequest) -> UUID:
    person_id = request.user.person_id
    assert person_id is not None  # TEACHERS lets only people through
    return person_id


def _envelope_csv(name: str, view: EnvelopeView) -> Response[str]:
    rows = (
        (c.owner, c.name, c.allocated_cents, c.spent_cents, c.balance_cents) for c in view.children
    )
    return csv_response(
        name, ("identifiant", "nom", "dote_centimes", "depense_centimes", "solde_centimes"), rows
    )


ROUTES: list[ControllerRouterHandler] = [
    my_mediacentre,
    PeriodsController,
    AllocationsController,
    RulesController,
    AcquisitionsController,
    StatementsController,
]
