"""Decisions on an acquisition after the fact: approval, rejection, cancellation, refund.

Each is new transfers and a new status, never an edit of money.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from uuid import UUID

import asyncpg

from accounts import repository
from accounts.acquisitions import publisher_owner, publisher_shard
from accounts.acquisitions_licences import Buyer, acquisition_event, gar_creation, new_licence
from accounts.errors import OwnDecisionError, PeriodError, WrongStateError
from accounts.ledger import ensure_account, ensure_administers, retrying, transfer
from accounts.models import Acquisition, AcquisitionStatus
from accounts.records import LockedAcquisition
from catalogue.config import GarSettings
from catalogue.database import Connection
from catalogue.errors import NotFoundError, UnprocessableError
from catalogue.gar import outbox
from catalogue.identity.models import Principal
from catalogue.webhooks import events


class _Decision(NamedTuple):
    before: AcquisitionStatus
    after: AcquisitionStatus
    transfer: str  # the kind of the transfer that moves the money on


_DECISIONS = {
    "approve": _Decision(AcquisitionStatus.PENDING, AcquisitionStatus.COMPLETED, "capture"),
    "reject": _Decision(AcquisitionStatus.PENDING, AcquisitionStatus.REJECTED, "release"),
    "cancel": _Decision(AcquisitionStatus.PENDING, AcquisitionStatus.CANCELLED, "cancellation"),
    "refund": _Decision(AcquisitionStatus.COMPLETED, AcquisitionStatus.REFUNDED, "refund"),
}


async def decide(
    pool: asyncpg.Pool,
    pseudonym_key: bytes,
    principal: Principal,
    acquisition_id: UUID,
    action: str,
    *,
    refund_window: timedelta,
    gar: GarSettings | None = None,
) -> Acquisition:
    """Administrators of the teacher's scope decide; the teacher may only cancel. The
    decision in its own transaction, then the acquisition as it is now. With `gar`, an
    approval creates the licence's GAR subscription, a refund deletes it."""

    async def work(conn: Connection) -> None:
        locked = await repository.lock_acquisition(conn, acquisition_id)
        if locked is None:
            raise NotFoundError("Acquisition introuvable.")
        if action == "cancel":
            if locked.person_id != principal.person_id:
                raise NotFoundError("Acquisition introuvable.")
        else:
            ensure_administers(principal, academie=locked.academie, uai=locked.establishment_uai)
            if locked.person_id == principal.person_id:
                raise OwnDecisionError(
                    "Vous ne pouvez pas décider de votre propre acquisition : "
                    "un·e autre administrateur·rice de votre périmètre doit le faire."
                )
        if locked.period_status != "open":
            raise PeriodError("La période budgétaire de cette acquisition est close.")
        await _apply(
            conn,
            pseudonym_key,
            principal,
            locked,
            action=action,
            refund_window=refund_window,
            gar=gar,
        )

    await retrying(pool, work)
    async with pool.acquire() as conn:
        return (await repository.acquisitions(conn, acquisition_id=acquisition_id))[0]


def _expect(locked: LockedAcquisition, status: AcquisitionStatus) -> None:
    if locked.status != status:
        raise WrongStateError(f"Cette acquisition est « {locked.status} », pas « {status} ».")


async def _move(
    conn: Connection,
    locked: LockedAcquisition,
    kind: str,
    by: UUID | None,
    *,
    to: int | None,
    reason: str | None = None,
) -> None:
    """Move an acquisition's money on from where it is now: back to its teacher by default."""
    if locked.total_cents == 0:
        return
    money = await repository.money_of(conn, locked.id)
    await transfer(
        conn,
        locked.period_id,
        money.current,
        money.origin if to is None else to,
        locked.total_cents,
        kind=kind,
        acquisition_id=locked.id,
        by=by,
        reason=reason,
    )


async def cancel_for_movement(
    conn: Connection, locked: LockedAcquisition, by: UUID | None, reason: str
) -> None:
    """A request waiting for approval, cancelled because its teacher moves or leaves: its
    held funds go back to the teacher's envelope (which the movement then empties), as a
    cancellation by the teacher would."""
    _expect(locked, AcquisitionStatus.PENDING)
    await _move(conn, locked, "cancellation", by, to=None, reason=reason)
    await repository.decide_acquisition(conn, locked.id, AcquisitionStatus.CANCELLED, by)


async def _apply(
    conn: Connection,
    key: bytes,
    principal: Principal,
    locked: LockedAcquisition,
    *,
    action: str,
    refund_window: timedelta,
    gar: GarSettings | None = None,
) -> None:
    """Approval sends the held money to the publisher and issues the licence; rejection and
    cancellation give it back; a refund takes it back from the publisher, revoking the licence."""
    decision = _DECISIONS[action]
    _expect(locked, decision.before)
    now = datetime.now(UTC)
    if action == "refund":
        assert locked.completed_at is not None  # completed, as checked above
        if locked.completed_at + refund_window < now:
            raise UnprocessableError(
                f"Le délai de remboursement ({refund_window.days} jours) est passé."
            )
    publisher = None
    if action == "approve":
        owner = publisher_owner(locked.publisher_id, publisher_shard(locked.person_id))
        publisher = await ensure_account(conn, locked.period_id, "publisher", owner)
    await _move(conn, locked, decision.transfer, principal.person_id, to=publisher)
    await repository.decide_acquisition(conn, locked.id, decision.after, principal.person_id)
    if action == "approve":
        who = Buyer(locked.person_id, locked.establishment_uai, locked.academie)
        licence = new_licence(
            key, who, locked, quantity=locked.quantity, period_end=locked.ends_on, now=now
        )
        await repository.insert_licence(
            conn, licence, locked.id, locked.person_id, locked.publisher_id
        )
        event = acquisition_event("acquisition.completed", locked, licence, now)
        await events.emit(conn, locked.publisher_id, event)
        if creation := gar_creation(gar is not None, licence, locked):
            await outbox.enqueue(conn, licence.id, creation, now)
    elif action == "refund":
        revoked = await repository.revoke_licence(conn, locked.id)
        if revoked is not None:
            event = acquisition_event("acquisition.refunded", locked, revoked, now)
            await events.emit(conn, locked.publisher_id, event)
            if gar is not None:  # written only when its subscription was created
                await outbox.enqueue(conn, revoked.id, outbox.call("DELETE", revoked.id), now)
