"""Every statement of the compte ressource (`accounts/sql/*.sql`), returning Structs: the
domain types of `accounts.records` or the wire types of `accounts.models`. Each runs on the
caller's connection, in the caller's transaction (`accounts.service` owns the units of work).

This module: the ledger's accounts and transfers, periods, scopes and rules, acquisitions.
`statements.py`: what is read for statements, reports and a person's own data;
`moves.py`: mobility and departures. The only modules of `accounts` that read columns.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import asyncpg

from accounts.models import (
    Acquisition,
    AcquisitionStatus,
    Balance,
    Licence,
    Period,
    Rules,
)
from accounts.records import (
    ClaimedKey,
    Establishment,
    LockedAcquisition,
    MoneyPlace,
    NamedTeacher,
    OfferForSale,
    OwnerBalance,
    Purchase,
    PurchaseContext,
    Remainder,
    Teacher,
)
from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.gar.transport import GarRequest
from catalogue.sqlfiles import load_queries
from catalogue.webhooks.models import EventLicence

SQL = load_queries("accounts")


# Accounts and transfers


async def account_id(conn: Connection, period_id: UUID, kind: str, owner: str) -> int | None:
    found: int | None = await conn.fetchval(SQL["account_id"], period_id, kind, owner)
    return found


async def open_account(
    conn: Connection,
    period_id: UUID,
    kind: str,
    owner: str,
    *,
    academie: str | None,
    uai: str | None,
) -> int | None:
    """The account's id, created if missing; None when a concurrent insert just won (see
    ensure_account.sql): the caller asks again."""
    found: int | None = await conn.fetchval(
        SQL["ensure_account"], period_id, kind, owner, academie, uai
    )
    return found


async def balance(conn: Connection, account: int) -> Balance:
    found = await fetch_one(conn, Balance, SQL["account_by_id"], account)
    assert found is not None  # an account the caller holds
    return found


async def balance_of(conn: Connection, period_id: UUID, kind: str, owner: str) -> int:
    """An account's balance; an account never opened holds nothing."""
    found = await fetch_one(conn, Balance, SQL["account"], period_id, kind, owner)
    return found.balance_cents if found else 0


async def insert_transfer(
    conn: Connection,
    period_id: UUID,
    source: int,
    destination: int,
    amount_cents: int,
    *,
    kind: str,
    acquisition_id: UUID | None,
    by: UUID | None,
    reason: str | None = None,
) -> int:
    """The trigger moves both balances in this statement (or refuses an overdraft)."""
    transfer_id: int = await conn.fetchval(
        SQL["insert_transfer"],
        period_id,
        source,
        destination,
        amount_cents,
        kind,
        acquisition_id,
        by,
        reason,
    )
    return transfer_id


# Periods


async def insert_period(
    conn: Connection, name: str, starts_on: date, ends_on: date, leftover: str
) -> Period:
    found = await fetch_one(conn, Period, SQL["insert_period"], name, starts_on, ends_on, leftover)
    assert found is not None  # INSERT ... RETURNING
    return found


async def current_period(conn: Connection) -> Period | None:
    return await fetch_one(conn, Period, SQL["current_period"])


async def period(conn: Connection, period_id: UUID) -> Period | None:
    return await fetch_one(conn, Period, SQL["period"], period_id)


async def periods(conn: Connection) -> list[Period]:
    return await fetch_all(conn, Period, SQL["periods"])


async def lock_period(conn: Connection, period_id: UUID) -> Period | None:
    return await fetch_one(conn, Period, SQL["lock_period"], period_id)


async def pending_in_period(conn: Connection, period_id: UUID) -> int:
    count: int = await conn.fetchval(SQL["pending_in_period"], period_id)
    return count


async def lock_remainders(conn: Connection, period_id: UUID) -> list[Remainder]:
    return await fetch_all(conn, Remainder, SQL["lock_period_accounts"], period_id)


async def next_period(conn: Connection, after: date) -> UUID | None:
    found: UUID | None = await conn.fetchval(SQL["next_period"], after)
    return found


async def close_period(conn: Connection, period_id: UUID) -> Period:
    found = await fetch_one(conn, Period, SQL["close_period"], period_id)
    assert found is not None  # a period the caller locked
    return found


# Scopes and rules


async def academie_exists(conn: Connection, academie: str) -> bool:
    found: bool = await conn.fetchval(SQL["academie_exists"], academie)
    return found


async def establishment(conn: Connection, uai: str) -> Establishment | None:
    return await fetch_one(conn, Establishment, SQL["establishment"], uai)


async def teacher(conn: Connection, ref: str, uai: str | None = None) -> Teacher | None:
    """A teacher by person id or e-mail, optionally at one establishment."""
    return await fetch_one(conn, Teacher, SQL["teacher"], ref, uai)


async def teachers_named(conn: Connection, refs: list[str], uais: list[str]) -> list[NamedTeacher]:
    return await fetch_all(conn, NamedTeacher, SQL["teachers_named"], refs, uais)


async def establishment_balances(
    conn: Connection, period_id: UUID, uais: list[str]
) -> dict[str, int]:
    found = await fetch_all(conn, OwnerBalance, SQL["establishment_balances"], period_id, uais)
    return {b.owner: b.balance_cents for b in found}


async def rules(conn: Connection, scope_kind: str, scope: str) -> Rules | None:
    return await fetch_one(conn, Rules, SQL["rules"], scope_kind, scope)


async def put_rules(
    conn: Connection, scope_kind: str, scope: str, rules: Rules, by: UUID | None
) -> None:
    await conn.execute(
        SQL["put_rules"],
        scope_kind,
        scope,
        *(rules.approval_threshold_cents, rules.max_per_acquisition_cents),
        *(rules.excluded_resource_types, rules.leftover, rules.envelope_on_move, by),
    )


# Acquisitions


async def claim_key(conn: Connection, person_id: UUID, key: str) -> ClaimedKey:
    row = await conn.fetchrow(SQL["claim_key"], person_id, key)
    assert row is not None  # one row, whatever is found
    request_hash = row["request_hash"]
    return ClaimedKey(
        row["locked"],
        None if request_hash is None else bytes(request_hash),
        row["response_status"],
        row["response"],
    )


async def purchase_context(
    conn: Connection, uai: str | None, person_id: UUID, offer_id: UUID, shard: int
) -> PurchaseContext | None:
    """None: the buyer's establishment is unknown. Built field by field: this is the
    purchase's hot path, and every column is typed by the statement."""
    row = await conn.fetchrow(SQL["purchase_context"], uai, person_id, offer_id, shard)
    if row is None:
        return None
    offer = None
    if row["offer_id"] is not None:
        offer = OfferForSale(
            offer_id=row["offer_id"],
            resource_id=row["resource_id"],
            title=row["title"],
            publisher_id=row["publisher_id"],
            licence_type=row["licence_type"],
            duration=row["duration"],
            duration_months=row["duration_months"],
            seats=row["seats"],
            unit_price_cents=row["unit_price_cents"],
            resource_types=row["resource_types"],
            on_sale=row["on_sale"],
            gar_id=row["gar_id"],
        )
    return PurchaseContext(
        uai=row["uai"],
        academie=row["academie"],
        period_id=row["period_id"],
        ends_on=row["ends_on"],
        offer=offer,
        approval_threshold_cents=row["approval_threshold_cents"],
        max_per_acquisition_cents=row["max_per_acquisition_cents"],
        excluded_resource_types=row["excluded_resource_types"],
        teacher_account=row["teacher_account"],
        publisher_account=row["publisher_account"],
        held_account=row["held_account"],
        webhook=row["webhook"],
        deactivated=row["deactivated"],
    )


async def insert_purchase(conn: Connection, purchase: Purchase) -> None:
    """The acquisition, its licence, its transfer, its webhook event and its GAR
    subscription in one statement (insert_purchase.sql)."""
    licence, event, subscription = purchase.licence, purchase.event, purchase.subscription
    await conn.execute(
        SQL["insert_purchase"],
        purchase.id,
        purchase.person_id,
        purchase.key,
        purchase.request_hash,
        purchase.period_id,
        purchase.offer_id,
        purchase.resource_id,
        purchase.publisher_id,
        purchase.uai,
        purchase.academie,
        purchase.quantity,
        purchase.unit_price_cents,
        purchase.total_cents,
        purchase.status,
        purchase.response_status,
        purchase.response,
        purchase.created_at,
        purchase.completed_at,
        *_licence_columns(licence),
        purchase.source,
        purchase.destination,
        purchase.transfer_kind,
        None if event is None else event.id,
        event,
        *_subscription_columns(subscription),
    )


def _subscription_columns(subscription: GarRequest | None) -> tuple[object, ...]:
    if subscription is None:
        return (None, None)
    return (uuid4(), subscription.subscription_id)


def _licence_columns(licence: Licence | None) -> tuple[object, ...]:
    if licence is None:
        return (None, None, None, None, None)
    return (licence.id, licence.holder_kind, licence.holder, licence.seats, licence.valid_until)


async def insert_licence(
    conn: Connection, licence: Licence, acquisition_id: UUID, person_id: UUID, publisher_id: UUID
) -> None:
    await conn.execute(
        SQL["insert_licence"],
        *(licence.id, acquisition_id, person_id, licence.offer_id, licence.resource_id),
        *(publisher_id, licence.holder_kind, licence.holder, licence.seats),
        *(licence.valid_from, licence.valid_until),
    )


async def lock_acquisition(conn: Connection, acquisition_id: UUID) -> LockedAcquisition | None:
    return await fetch_one(conn, LockedAcquisition, SQL["lock_acquisition"], acquisition_id)


async def money_of(conn: Connection, acquisition_id: UUID) -> MoneyPlace:
    found = await fetch_one(conn, MoneyPlace, SQL["money_of_acquisition"], acquisition_id)
    assert found is not None  # one row, whatever is found
    return found


async def decide_acquisition(
    conn: Connection, acquisition_id: UUID, status: AcquisitionStatus, by: UUID | None
) -> None:
    await conn.execute(SQL["decide_acquisition"], acquisition_id, status, by)


async def revoke_licence(conn: Connection, acquisition_id: UUID) -> EventLicence | None:
    """The acquisition's licence, revoked now; None if it had none or it was revoked."""
    return await fetch_one(conn, EventLicence, SQL["revoke_licence"], acquisition_id)


async def acquisitions(
    conn: Connection,
    *,
    acquisition_id: UUID | None = None,
    person_id: UUID | None = None,
    uai: str | None = None,
    academie: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[Acquisition]:
    """Acquisitions with their licence, newest first; every filter is optional."""
    rows = await conn.fetch(
        SQL["acquisitions"], acquisition_id, person_id, uai, academie, status, limit
    )
    return [_acquisition(row) for row in rows]


def _acquisition(row: asyncpg.Record) -> Acquisition:
    licence = None
    if row["licence_id"] is not None:
        licence = Licence(
            id=row["licence_id"],
            resource_id=row["resource_id"],
            resource_title=row["resource_title"],
            offer_id=row["offer_id"],
            holder_kind=row["holder_kind"],
            holder=row["holder"],
            seats=row["seats"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            revoked_at=row["revoked_at"],
        )
    fields = {k: row[k] for k in Acquisition.__struct_fields__ if k != "licence"}
    return Acquisition(**fields, licence=licence)
