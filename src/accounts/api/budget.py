"""Budget periods, allocations (one, or a CSV of them) and acquisition rules."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody

from accounts.api.common import ADMINS, NATIONAL, TAGS, AuthRequest
from accounts.models import Allocation, CsvReport, NewAllocation, NewPeriod, Period, Rules
from accounts.service import Accounts
from catalogue.strict import strictly


class PeriodsController(Controller):
    path = "/api/v1/periods"
    tags = TAGS

    @get("/", guards=[ADMINS], summary="Les périodes budgétaires")
    async def list_periods(self, accounts: Accounts) -> list[Period]:
        return await accounts.periods()

    @post(
        "/", guards=[NATIONAL], summary="Ouvrir une période (par défaut l'année scolaire en cours)"
    )
    async def open_period(self, accounts: Accounts, data: JSONBody[NewPeriod]) -> Period:
        return await accounts.open_period(data)

    @post(
        "/{period_id:uuid}/closing",
        guards=[NATIONAL],
        status_code=200,
        summary="Clore : reliquats expirés ou reportés selon les règles, en une transaction",
    )
    async def close(self, accounts: Accounts, period_id: FromPath[UUID]) -> Period:
        return await accounts.close_period(period_id)


class AllocationsController(Controller):
    path = "/api/v1/allocations"
    tags = TAGS
    guards = [ADMINS]  # noqa: RUF012  # Litestar reads it as a class attribute

    @post("/", summary="Doter une enveloppe depuis son enveloppe parente")
    async def allocate(
        self, request: AuthRequest, accounts: Accounts, data: JSONBody[NewAllocation]
    ) -> Allocation:
        return await accounts.allocate(request.user, await strictly(request, data))

    @post(
        "/csv",
        status_code=200,
        summary="Doter des enseignants depuis un CSV (UAI, enseignant, euros) : tout ou rien",
    )
    async def allocate_csv(self, request: AuthRequest, accounts: Accounts) -> CsvReport:
        return await accounts.allocate_csv(request.user, await request.body())


class RulesController(Controller):
    path = "/api/v1"
    tags = TAGS
    guards = [ADMINS]  # noqa: RUF012  # Litestar reads it as a class attribute

    @get("/establishments/{uai:str}/rules", summary="Règles d'acquisition d'un établissement")
    async def establishment_rules(
        self, request: AuthRequest, accounts: Accounts, uai: FromPath[str]
    ) -> Rules:
        return await accounts.rules(request.user, "establishment", uai)

    @put("/establishments/{uai:str}/rules", summary="Fixer les règles d'un établissement")
    async def set_establishment_rules(
        self, request: AuthRequest, accounts: Accounts, uai: FromPath[str], data: JSONBody[Rules]
    ) -> Rules:
        rules = await strictly(request, data)
        return await accounts.set_rules(request.user, "establishment", uai, rules)

    @get("/academies/{academie:str}/rules", summary="Règles d'acquisition d'une académie")
    async def academie_rules(
        self, request: AuthRequest, accounts: Accounts, academie: FromPath[str]
    ) -> Rules:
        return await accounts.rules(request.user, "academie", academie)

    @put("/academies/{academie:str}/rules", summary="Fixer les règles d'une académie")
    async def set_academie_rules(
        self,
        request: AuthRequest,
        accounts: Accounts,
        academie: FromPath[str],
        data: JSONBody[Rules],
    ) -> Rules:
        rules = await strictly(request, data)
        return await accounts.set_rules(request.user, "academie", academie, rules)
