"""The double-entry ledger: periods, accounts, transfers, allocations and period closing.

The database keeps the invariants (see migration 0009): these functions only choose which
accounts a movement joins, and who may ask for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import msgspec
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from accounts import repository
from accounts.errors import InactiveError, InsufficientFundsError, OwnDecisionError, PeriodError
from accounts.models import Allocation, NewAllocation, NewPeriod, Period, Rules
from accounts.records import Establishment
from catalogue.database import Connection
from catalogue.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnprocessableError,
)
from catalogue.identity.models import Principal, Role
from catalogue.identity.uai import uai_problem
from catalogue.money import euros
from catalogue.vocabularies.index import VocabularyIndex

T = TypeVar("T")
NATIONAL = "national"  # owner of each period's funding account
_RETRIES = 5  # attempts at once (no wait): the transaction that won has committed
_CONFLICTS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
RESOURCE_TYPES = ("scolomfr-voc-005",)
PARIS = ZoneInfo("Europe/Paris")


async def retrying(pool: asyncpg.Pool, work: Callable[[Connection], Awaitable[T]]) -> T:
    """Run `work` in one transaction, again after a deadlock or a serialisation failure.

    A lost connection is not retried here: its commit may have happened. The client is
    told to retry (503), which is safe for requests with an Idempotency-Key.
    """
    # The first attempt outside tenacity: its loop costs ~40 µs a call, which at the ledger
    # bench's 2,000 acquisitions/s would be ~8 % of the event loop.
    try:
        return await _in_transaction(pool, work)
    except _CONFLICTS:
        pass
    async for attempt in AsyncRetrying(
        stop=stop_after_attempt(_RETRIES - 1),
        retry=retry_if_exception_type(_CONFLICTS),
        reraise=True,  # the last conflict itself, not tenacity's wrapper
    ):
        with attempt:
            return await _in_transaction(pool, work)
    raise AssertionError("unreachable")  # pragma: no cover


async def _in_transaction(pool: asyncpg.Pool, work: Callable[[Connection], Awaitable[T]]) -> T:
    async with pool.acquire() as conn, conn.transaction():
        return await work(conn)


async def transfer(
    conn: Connection,
    period_id: UUID,
    source: int,
    destination: int,
    amount_cents: int,
    *,
    kind: str,
    acquisition_id: UUID | None = None,
    by: UUID | None = None,
    reason: str | None = None,
) -> int:
    """One immutable transfer; the database moves both balances or refuses an overdraft."""
    with refused_overdraft(amount_cents):
        return await repository.insert_transfer(
            conn,
            period_id,
            source,
            destination,
            amount_cents,
            kind=kind,
            acquisition_id=acquisition_id,
            by=by,
            reason=reason,
        )


@contextmanager
def refused_overdraft(amount_cents: int) -> Iterator[None]:
    """The database's refusal to let an account go below zero, as the caller's error."""
    try:
        yield
    except asyncpg.CheckViolationError as exc:
        if exc.constraint_name == "accounts_no_overdraft":
            raise InsufficientFundsError(
                f"Solde insuffisant pour un mouvement de {euros(amount_cents)}."
            ) from exc
        raise


async def ensure_account(
    conn: Connection,
    period_id: UUID,
    kind: str,
    owner: str,
    *,
    academie: str | None = None,
    uai: str | None = None,
) -> int:
    found = await repository.account_id(conn, period_id, kind, owner)
    if found is not None:  # the usual case, and it takes no lock
        return found
    while True:  # see ensure_account.sql: empty only when a concurrent insert just won
        opened = await repository.open_account(
            conn, period_id, kind, owner, academie=academie, uai=uai
        )
        if opened is not None:
            return opened


# Periods


def school_year(today: date) -> tuple[date, date]:
    start_year = today.year if today.month >= 9 else today.year - 1
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


async def open_period(conn: Connection, new: NewPeriod) -> Period:
    default_start, default_end = school_year(datetime.now(PARIS).date())
    starts_on = new.starts_on or default_start
    ends_on = new.ends_on or (default_end if new.starts_on is None else None)
    if ends_on is None:
        raise UnprocessableError("ends_on est requis quand starts_on est donné.")
    if ends_on <= starts_on:
        raise UnprocessableError("ends_on doit suivre starts_on.")
    name = new.name or f"{starts_on.year}-{ends_on.year}"
    try:
        async with conn.transaction():
            period = await repository.insert_period(conn, name, starts_on, ends_on, new.leftover)
            await ensure_account(conn, period.id, "funding", NATIONAL)
    except asyncpg.ExclusionViolationError as exc:
        raise ConflictError("Une autre période couvre déjà ces dates.") from exc
    except asyncpg.UniqueViolationError as exc:
        raise ConflictError(f"Une période s'appelle déjà {name!r}.") from exc
    return period


async def period_or_current(conn: Connection, period_id: UUID | None) -> Period:
    if period_id is None:
        found = await repository.current_period(conn)
        if found is None:
            raise PeriodError("Aucune période budgétaire ouverte ne couvre la date du jour.")
    else:
        found = await repository.period(conn, period_id)
        if found is None:
            raise NotFoundError("Période budgétaire introuvable.")
    return found


# Allocations


class Envelopes(msgspec.Struct, frozen=True):
    """The parent and child accounts of one allocation, with the scopes they belong to."""

    source_kind: str
    source_owner: str
    owner: str
    academie: str | None
    uai: str | None


async def resolve_allocation(
    conn: Connection, principal: Principal, to_kind: str, to: str
) -> Envelopes:
    """Which envelope funds `to`, after checking the caller administers that envelope."""
    if to_kind == "academie":
        if not principal.has(Role.NATIONAL_ADMIN):
            raise ForbiddenError("Seule l'administration nationale dote les académies.")
        if not await repository.academie_exists(conn, to):
            raise NotFoundError(f"Académie inconnue : {to}.")
        return Envelopes("funding", NATIONAL, to, to, None)
    if to_kind == "establishment":
        school = await known_establishment(conn, to)
        ensure_administers(principal, academie=school.academie)
        ensure_open(school)
        return Envelopes("academie", school.academie, to, school.academie, to)
    teacher = await repository.teacher(conn, to)
    if teacher is None:
        raise NotFoundError(f"Enseignant inconnu : {to}.")
    ensure_administers(principal, academie=teacher.academie, uai=teacher.establishment_uai)
    ensure_not_self(principal, teacher.id)
    if teacher.deactivated:
        raise InactiveError(f"{inactive_person(to)}.")
    if teacher.establishment_state == "closed":
        raise InactiveError(f"{closed_establishment(teacher.establishment_uai)}.")
    return Envelopes(
        "establishment",
        teacher.establishment_uai,
        str(teacher.id),
        teacher.academie,
        teacher.establishment_uai,
    )


def checked_uai(uai: str) -> str:
    """The UAI, once its shape and check letter are right (422 naming the expected letter)."""
    if problem := uai_problem(uai):
        raise UnprocessableError(f"{problem}.")
    return uai


async def known_establishment(conn: Connection, uai: str) -> Establishment:
    """A valid UAI of an establishment we know, or 422 (bad UAI) / 404 (unknown)."""
    school = await repository.establishment(conn, checked_uai(uai))
    if school is None:
        raise NotFoundError(f"Établissement inconnu : {uai}.")
    return school


def inactive_person(ref: str) -> str:
    return f"La personne {ref} a quitté le service (compte désactivé) : aucune dotation possible"


def closed_establishment(uai: str) -> str:
    return f"L'établissement {uai} est fermé : aucune dotation possible"


def ensure_open(school: Establishment) -> None:
    if school.state == "closed":
        raise InactiveError(f"{closed_establishment(school.uai)}.")


def ensure_administers(principal: Principal, *, academie: str, uai: str | None = None) -> None:
    """National admins everywhere; académie admins in theirs; establishment admins at their UAI."""
    if principal.has(Role.NATIONAL_ADMIN):
        return
    if principal.has(Role.ACADEMIE_ADMIN) and principal.academie == academie:
        return
    if (
        uai is not None
        and principal.has(Role.ESTABLISHMENT_ADMIN)
        and principal.establishment_uai == uai
    ):
        return
    where = f"l'établissement {uai}" if uai else f"l'académie {academie}"
    raise ForbiddenError(f"{where} n'est pas dans votre périmètre.")


SELF_ALLOCATION = (
    "Vous ne pouvez pas vous doter vous-même : "
    "un·e autre administrateur·rice de votre périmètre doit le faire."
)


def ensure_not_self(principal: Principal, teacher_id: UUID) -> None:
    """An administrator who also teaches is funded by someone else."""
    if principal.person_id == teacher_id:
        raise OwnDecisionError(SELF_ALLOCATION)


async def allocate(
    conn: Connection, principal: Principal, new: NewAllocation, *, period: Period | None = None
) -> Allocation:
    """Move funds from the parent envelope to a child one, in the caller's transaction."""
    period = period or await period_or_current(conn, new.period_id)
    if period.status != "open":
        raise PeriodError(f"La période {period.name} est close.")
    env = await resolve_allocation(conn, principal, new.to_kind, new.to)
    parent_academie = env.academie if env.source_kind != "funding" else None
    parent_uai = env.uai if env.source_kind == "establishment" else None
    source = await ensure_account(
        conn, period.id, env.source_kind, env.source_owner, academie=parent_academie, uai=parent_uai
    )
    destination = await ensure_account(
        conn, period.id, new.to_kind, env.owner, academie=env.academie, uai=env.uai
    )
    transfer_id = await transfer(
        conn,
        period.id,
        source,
        destination,
        new.amount_cents,
        kind="allocation",
        by=principal.person_id,
    )
    return Allocation(
        transfer_id=transfer_id,
        period_id=period.id,
        amount_cents=new.amount_cents,
        source=await repository.balance(conn, source),
        destination=await repository.balance(conn, destination),
    )


# Closing


async def close_period(conn: Connection, period_id: UUID) -> Period:
    """Expire or carry over every envelope's remainder, then close: one transaction."""
    period = await repository.lock_period(conn, period_id)
    if period is None:
        raise NotFoundError("Période budgétaire introuvable.")
    if period.status == "closed":
        raise PeriodError(f"La période {period.name} est déjà close.")
    pending = await repository.pending_in_period(conn, period_id)
    if pending:
        raise PeriodError(
            f"{pending} demande(s) attendent une décision : à traiter avant la clôture."
        )
    remainders = await repository.lock_remainders(conn, period_id)
    funding = await ensure_account(conn, period_id, "funding", NATIONAL)
    next_period: UUID | None = None
    if any(r.leftover == "carry_over" for r in remainders):
        next_period = await repository.next_period(conn, period.ends_on)
        if next_period is None:
            raise PeriodError("Des reliquats sont reportés : ouvrez d'abord la période suivante.")
    for r in remainders:
        if r.leftover == "carry_over":
            assert next_period is not None
            destination = await ensure_account(
                conn, next_period, r.kind, r.owner, academie=r.academie, uai=r.establishment_uai
            )
            await transfer(conn, period_id, r.id, destination, r.balance_cents, kind="carry_over")
        else:
            await transfer(conn, period_id, r.id, funding, r.balance_cents, kind="expiry")
    return await repository.close_period(conn, period_id)


# Rules


async def read_rules(conn: Connection, principal: Principal, scope_kind: str, scope: str) -> Rules:
    await ensure_scope(conn, principal, scope_kind, scope)
    return await repository.rules(conn, scope_kind, scope) or Rules()


async def write_rules(
    conn: Connection,
    vocab: VocabularyIndex,
    *,
    principal: Principal,
    scope_kind: str,
    scope: str,
    rules: Rules,
) -> Rules:
    await ensure_scope(conn, principal, scope_kind, scope)
    if scope_kind == "establishment" and rules.envelope_on_move is not None:
        raise UnprocessableError(
            "envelope_on_move est une règle d'académie : fixez-la sur l'académie.",
            errors=[{"key": "envelope_on_move", "message": "academie rules only"}],
        )
    unknown = [
        u for u in rules.excluded_resource_types if vocab.normalise([u], RESOURCE_TYPES).unknown
    ]
    if unknown:
        raise UnprocessableError(
            f"Types de ressource inconnus : {', '.join(unknown)}.",
            errors=[
                {"key": "excluded_resource_types", "message": f"unknown concept {u!r}"}
                for u in unknown
            ],
        )
    await repository.put_rules(conn, scope_kind, scope, rules, principal.person_id)
    return rules


async def ensure_scope(conn: Connection, principal: Principal, scope_kind: str, scope: str) -> None:
    if scope_kind == "establishment":
        school = await known_establishment(conn, scope)
        ensure_administers(principal, academie=school.academie, uai=scope)
    else:
        if not await repository.academie_exists(conn, scope):
            raise NotFoundError(f"Académie inconnue : {scope}.")
        ensure_administers(principal, academie=scope)
