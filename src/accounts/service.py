"""The compte ressource's use cases, each one unit of work on the pool.

`AccountsService` is what handlers (the API in `accounts.api`, the pages in `catalogue.web`)
declare as `accounts: Accounts`; the app's lifespan builds it once. Each method opens its
connection (and its transaction, through `ledger.retrying`, where statements must hold
together), runs the domain functions of `ledger`, `acquisitions`, `decisions`, `bulk` and
`reports` on it, and returns wire types (`accounts.models`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Literal, TypeAlias
from uuid import UUID

import asyncpg
from litestar.di import NamedDependency

from accounts import acquisitions, bulk, decisions, ledger, movements, reports, repository
from accounts.acquisitions import Answer
from accounts.mediacentre import Listing, listing
from accounts.models import (
    Acquisition,
    Allocation,
    CsvReport,
    EnvelopeView,
    MoveReport,
    MoveResult,
    MyAccount,
    MyData,
    NewAcquisition,
    NewAllocation,
    NewPeriod,
    Period,
    PersonMovement,
    Rules,
    Sales,
    SpendReport,
)
from accounts.personal_data import PersonalData
from accounts.repository import moves, statements
from catalogue.errors import NotFoundError, UnprocessableError
from catalogue.gar.outbox import GarOutbox
from catalogue.identity.models import ADMIN_ROLES, Principal
from catalogue.identity.secrets import person_of_platform_pseudonym
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.webhooks.events import Waker

ScopeKind = Literal["establishment", "academie"]
Action = Literal["approve", "reject", "cancel", "refund"]


class AccountsService:
    def __init__(
        self,
        pool: asyncpg.Pool,
        vocab: VocabularyIndex,
        pseudonym_key: bytes,
        waker: Waker,
        *,
        refund_window: timedelta,
        personal_data: Sequence[PersonalData],
        gar: GarOutbox | None = None,
    ) -> None:
        self._pool = pool
        # What other contexts keep on a person, in their download (their lists...).
        self._personal_data = tuple(personal_data)
        self._gar = gar  # None: GAR not configured, no subscription written
        self._vocab = vocab
        self._pseudonym_key = pseudonym_key
        self._waker = waker
        self._refund_window = refund_window

    # Periods

    async def periods(self) -> list[Period]:
        async with self._pool.acquire() as conn:
            return await repository.periods(conn)

    async def open_period(self, new: NewPeriod) -> Period:
        return await ledger.retrying(self._pool, lambda conn: ledger.open_period(conn, new))

    async def close_period(self, period_id: UUID) -> Period:
        return await ledger.retrying(self._pool, lambda conn: ledger.close_period(conn, period_id))

    # Allocations and rules

    async def allocate(self, principal: Principal, new: NewAllocation) -> Allocation:
        return await ledger.retrying(self._pool, lambda conn: ledger.allocate(conn, principal, new))

    async def allocate_csv(self, principal: Principal, body: bytes) -> CsvReport:
        """Every line of the file applied in one transaction, or none."""
        return await ledger.retrying(
            self._pool, lambda conn: bulk.allocate_csv(conn, principal, body)
        )

    async def rules(self, principal: Principal, scope_kind: ScopeKind, scope: str) -> Rules:
        async with self._pool.acquire() as conn:
            return await ledger.read_rules(conn, principal, scope_kind, scope)

    async def set_rules(
        self, principal: Principal, scope_kind: ScopeKind, scope: str, rules: Rules
    ) -> Rules:
        async with self._pool.acquire() as conn:
            return await ledger.write_rules(
                conn,
                self._vocab,
                principal=principal,
                scope_kind=scope_kind,
                scope=scope,
                rules=rules,
            )

    # Moves and departures

    async def move_person(
        self, person_id: UUID, new_uai: str, reason: str, *, by: Principal | None = None
    ) -> MoveResult:
        """Move a person to the establishment `new_uai`, in one transaction: their pending
        requests cancelled, their unspent envelope returned (or following them, by the
        académie's rule), every transfer with `reason`. `by` None: the platform itself (the
        directory, SCIM); otherwise an administrator of both establishments."""
        reason = _checked_reason(reason)
        return await ledger.retrying(
            self._pool,
            lambda conn: movements.move_person(conn, person_id, new_uai, reason, by=by),
        )

    async def deactivate_person(
        self, person_id: UUID, reason: str = "départ", *, by: Principal | None = None
    ) -> MoveResult:
        """A person leaves: pending requests cancelled, envelope back to the establishment,
        sessions ended, no allocation any more. One transaction."""
        reason = _checked_reason(reason)
        return await ledger.retrying(
            self._pool, lambda conn: movements.deactivate_person(conn, person_id, reason, by=by)
        )

    async def move_csv(self, principal: Principal, body: bytes) -> MoveReport:
        """Every line of the file applied in one transaction, or none."""
        return await ledger.retrying(
            self._pool, lambda conn: movements.move_csv(conn, principal, body)
        )

    async def establishment_movements(
        self, principal: Principal, uai: str, limit: int = 200
    ) -> list[PersonMovement]:
        """Who arrived at or left an establishment of the caller's perimeter, newest first."""
        async with self._pool.acquire() as conn:
            await ledger.ensure_scope(conn, principal, "establishment", uai)
            return await moves.establishment_movements(conn, uai, limit)

    # Acquisitions

    async def acquire(self, principal: Principal, *, key: str, new: NewAcquisition) -> Answer:
        """A purchase (201) or a request for approval (202), idempotent on `key`; the webhook
        worker is woken after the commit when the publisher is to hear of it."""
        return await acquisitions.acquire(
            self._pool,
            self._vocab,
            self._pseudonym_key,
            principal,
            key=key,
            new=new,
            waker=self._waker,
            gar=self._gar,
        )

    async def decide(
        self, principal: Principal, acquisition_id: UUID, action: Action
    ) -> Acquisition:
        return await decisions.decide(
            self._pool,
            self._pseudonym_key,
            principal,
            acquisition_id,
            action,
            refund_window=self._refund_window,
            gar=None if self._gar is None else self._gar.settings,
        )

    async def acquisitions(
        self,
        principal: Principal,
        *,
        status: str | None = None,
        academie: str | None = None,
        uai: str | None = None,
    ) -> list[Acquisition]:
        """A teacher's own; an administrator's, within their perimeter (narrowed on request)."""
        async with self._pool.acquire() as conn:
            if not principal.has(*ADMIN_ROLES):
                return await repository.acquisitions(
                    conn, person_id=principal.person_id, status=status
                )
            academie, uai = reports.report_scope(principal, academie, uai)
            return await repository.acquisitions(conn, academie=academie, uai=uai, status=status)

    # Statements and reports

    async def my_account(self, person_id: UUID) -> MyAccount:
        async with self._pool.acquire() as conn:
            return await reports.my_account(conn, person_id)

    async def my_data(self, person_id: UUID) -> MyData:
        """Everything kept on a person, for their own download (RGPD access, portability),
        read in one snapshot."""
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            return await reports.my_data(conn, person_id, self._personal_data)

    async def envelope(
        self, principal: Principal, kind: ScopeKind, owner: str, period_id: UUID | None = None
    ) -> EnvelopeView:
        async with self._pool.acquire() as conn:
            return await reports.envelope(conn, principal, kind, owner, period_id)

    async def overview(
        self, principal: Principal, scope: tuple[ScopeKind, str] | None
    ) -> tuple[list[Period], EnvelopeView | None]:
        """The periods, and the envelope of `scope` in the current one when one is open."""
        async with self._pool.acquire() as conn:
            periods = await repository.periods(conn)
            envelope = None
            if scope and any(p.status == "open" for p in periods):
                envelope = await reports.envelope(conn, principal, scope[0], scope[1], None)
        return periods, envelope

    async def spend(self, principal: Principal, query: reports.SpendQuery) -> SpendReport:
        async with self._pool.acquire() as conn:
            return await reports.spend(conn, self._vocab, principal, query)

    async def spend_over_periods(
        self, principal: Principal, query: reports.SpendQuery
    ) -> tuple[list[Period], SpendReport]:
        """The periods to choose from, and the spend report of one of them."""
        async with self._pool.acquire() as conn:
            periods = await repository.periods(conn)
            return periods, await reports.spend(conn, self._vocab, principal, query)

    async def mediacentre(self, person_id: UUID, uai: str | None, issuer: str) -> Listing:
        """What the teacher may use, as an ENT médiacentre lists it (the GAR's shape)."""
        async with self._pool.acquire() as conn:
            usable = await statements.usable_resources(conn, person_id, uai)
        return listing(usable, self._vocab, issuer)

    async def platform_mediacentre(self, platform_id: UUID, pseudonym: str, issuer: str) -> Listing:
        """A teacher's médiacentre listing for an ENT, asked for by the teacher's pseudonym
        for that ENT (``identity.secrets.platform_pseudonym``)."""
        person_id = person_of_platform_pseudonym(self._pseudonym_key, pseudonym, platform_id)
        async with self._pool.acquire() as conn:
            teacher = (
                None if person_id is None else await statements.active_teacher(conn, person_id)
            )
            if teacher is None or person_id is None:
                raise NotFoundError("Aucun enseignant ne porte ce pseudonyme pour cet ENT.")
            usable = await statements.usable_resources(conn, person_id, teacher.uai)
        return listing(usable, self._vocab, issuer)

    async def sales(self, publisher_id: UUID, limit: int) -> Sales:
        async with self._pool.acquire() as conn:
            return await reports.sales(conn, publisher_id, limit)


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > movements.MAX_REASON:
        raise UnprocessableError(
            f"Le motif est requis (au plus {movements.MAX_REASON} caractères).",
            errors=[{"key": "reason", "message": "1 to 500 characters"}],
        )
    return reason


Accounts: TypeAlias = NamedDependency[AccountsService]
"""The compte ressource's service, as handlers declare it (``accounts``)."""
