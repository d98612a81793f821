"""Moves and departures of people, one at a time or from a CSV file, and an
establishment's arrivals and departures."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from accounts.api.common import ADMINS, TAGS, AuthRequest
from accounts.models import MoveReport, MoveResult, NewDeparture, NewMove, PersonMovement
from accounts.service import Accounts
from catalogue.strict import strictly


class MovementsController(Controller):
    path = "/api/v1"
    tags = TAGS
    guards = [ADMINS]  # noqa: RUF012  # Litestar reads it as a class attribute

    @post(
        "/people/{person_id:uuid}/move",
        status_code=200,
        summary="Changer une personne d'établissement (son enveloppe revient à l'ancien, "
        "ou la suit selon la règle de l'académie)",
    )
    async def move(
        self,
        request: AuthRequest,
        accounts: Accounts,
        person_id: FromPath[UUID],
        data: JSONBody[NewMove],
    ) -> MoveResult:
        new = await strictly(request, data)
        return await accounts.move_person(person_id, new.to_uai, new.reason, by=request.user)

    @post(
        "/people/{person_id:uuid}/deactivation",
        status_code=200,
        summary="Désactiver une personne qui part (son enveloppe revient à l'établissement)",
    )
    async def deactivate(
        self,
        request: AuthRequest,
        accounts: Accounts,
        person_id: FromPath[UUID],
        data: JSONBody[NewDeparture],
    ) -> MoveResult:
        new = await strictly(request, data)
        return await accounts.deactivate_person(person_id, new.reason, by=request.user)

    @post(
        "/moves/csv",
        status_code=200,
        summary="Changements d'établissement depuis un CSV (UAI, personne, nouvelle UAI, "
        "motif) : tout ou rien",
    )
    async def move_csv(self, request: AuthRequest, accounts: Accounts) -> MoveReport:
        return await accounts.move_csv(request.user, await request.body())

    @get(
        "/establishments/{uai:str}/movements",
        summary="Arrivées et départs d'un établissement, les plus récents d'abord",
    )
    async def establishment_movements(
        self, request: AuthRequest, accounts: Accounts, uai: FromPath[str]
    ) -> list[PersonMovement]:
        return await accounts.establishment_movements(request.user, uai)
