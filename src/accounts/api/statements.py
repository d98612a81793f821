"""Statements and reports over HTTP, each also as CSV."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from accounts import reports
from accounts.api.common import ADMINS, CSV, TAGS, TEACHERS, AuthRequest, PeriodParam, csv_response
from accounts.mediacentre import Listing
from accounts.models import EnvelopeView, MyAccount, Sales, SpendReport
from accounts.reports import SpendQuery
from accounts.service import Accounts
from catalogue.dependencies import AppSettings
from catalogue.identity.guards import platform_scope, requires
from catalogue.identity.models import PlatformScope, Role, Scope
from catalogue.resources.publishing import acting_publisher


class StatementsController(Controller):
    path = "/api/v1"
    tags = TAGS

    @get(
        "/me/account",
        guards=[TEACHERS],
        summary="Son solde, ses mouvements, ses acquisitions et licences",
    )
    async def my_account(self, request: AuthRequest, accounts: Accounts) -> MyAccount:
        return await accounts.my_account(_person(request))

    @get(
        "/me/mediacentre",
        guards=[TEACHERS],
        summary="Ses ressources utilisables, au format du médiacentre de l'ENT (GAR)",
    )
    async def my_mediacentre(
        self, request: AuthRequest, accounts: Accounts, settings: AppSettings
    ) -> Listing:
        uai = request.user.establishment_uai
        return await accounts.mediacentre(_person(request), uai, settings.issuer)

    @get(
        "/platform/mediacentre/{pseudonym:str}",
        guards=[platform_scope(PlatformScope.MEDIACENTRE_READ)],
        summary="Les ressources utilisables d'un enseignant, pour le médiacentre d'un ENT "
        "(client machine de l'ENT, par le pseudonyme de l'enseignant pour cet ENT)",
    )
    async def platform_mediacentre(
        self,
        request: AuthRequest,
        accounts: Accounts,
        settings: AppSettings,
        pseudonym: FromPath[str],
    ) -> Listing:
        platform_id = request.user.platform_id
        assert platform_id is not None  # the guard lets only a platform's client through
        return await accounts.platform_mediacentre(platform_id, pseudonym, settings.issuer)

    @get("/me/account.csv", guards=[TEACHERS], media_type=CSV, summary="Ses mouvements, en CSV")
    async def my_account_csv(self, request: AuthRequest, accounts: Accounts) -> Response[str]:
        account = await accounts.my_account(_person(request))
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
        self,
        request: AuthRequest,
        accounts: Accounts,
        uai: FromPath[str],
        period_id: PeriodParam = None,
    ) -> EnvelopeView:
        return await accounts.envelope(request.user, "establishment", uai, period_id)

    @get(
        "/establishments/{uai:str}/account.csv",
        guards=[ADMINS],
        media_type=CSV,
        summary="Enveloppes des enseignants, en CSV",
    )
    async def establishment_csv(
        self,
        request: AuthRequest,
        accounts: Accounts,
        uai: FromPath[str],
        period_id: PeriodParam = None,
    ) -> Response[str]:
        view = await accounts.envelope(request.user, "establishment", uai, period_id)
        return _envelope_csv(f"etablissement-{uai}", view)

    @get(
        "/academies/{academie:str}/account",
        guards=[ADMINS],
        summary="Enveloppe d'une académie et de ses établissements",
    )
    async def academie(
        self,
        request: AuthRequest,
        accounts: Accounts,
        academie: FromPath[str],
        period_id: PeriodParam = None,
    ) -> EnvelopeView:
        return await accounts.envelope(request.user, "academie", academie, period_id)

    @get(
        "/academies/{academie:str}/account.csv",
        guards=[ADMINS],
        media_type=CSV,
        summary="Enveloppes des établissements, en CSV",
    )
    async def academie_csv(
        self,
        request: AuthRequest,
        accounts: Accounts,
        academie: FromPath[str],
        period_id: PeriodParam = None,
    ) -> Response[str]:
        view = await accounts.envelope(request.user, "academie", academie, period_id)
        return _envelope_csv(f"academie-{academie}", view)

    @get(
        "/reports/spend",
        guards=[ADMINS],
        summary="Dépenses par éditeur, discipline, établissement ou mois",
    )
    async def spend(
        self,
        request: AuthRequest,
        accounts: Accounts,
        *,
        by: FromQuery[reports.SpendBy] = "publisher",
        period_id: PeriodParam = None,
        academie: FromQuery[str | None] = None,
        uai: FromQuery[str | None] = None,
    ) -> SpendReport:
        return await accounts.spend(
            request.user, SpendQuery(by=by, period_id=period_id, academie=academie, uai=uai)
        )

    @get(
        "/reports/spend.csv", guards=[ADMINS], media_type=CSV, summary="Les mêmes dépenses, en CSV"
    )
    async def spend_csv(
        self,
        request: AuthRequest,
        accounts: Accounts,
        *,
        by: FromQuery[reports.SpendBy] = "publisher",
        period_id: PeriodParam = None,
        academie: FromQuery[str | None] = None,
        uai: FromQuery[str | None] = None,
    ) -> Response[str]:
        report = await accounts.spend(
            request.user, SpendQuery(by=by, period_id=period_id, academie=academie, uai=uai)
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
        accounts: Accounts,
        limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1000,
    ) -> Sales:
        publisher_id = acting_publisher(request.user, Scope.SALES)
        return await accounts.sales(publisher_id, limit)

    @get(
        "/publisher/sales.csv",
        guards=[requires(Role.PUBLISHER)],
        media_type=CSV,
        summary="Ses ventes, en CSV",
    )
    async def sales_csv(
        self,
        request: AuthRequest,
        accounts: Accounts,
        limit: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1000,
    ) -> Response[str]:
        publisher_id = acting_publisher(request.user, Scope.SALES)
        found = await accounts.sales(publisher_id, limit)
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
