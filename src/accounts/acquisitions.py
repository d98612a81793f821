"""Acquisitions: a teacher spends from their envelope and receives a licence.

Idempotent on (teacher, Idempotency-Key): the first answer is stored in the transaction that
moves the money, so a retry after any failure finds both or neither.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import asyncpg
import msgspec
from msgspec.structs import asdict

from accounts.errors import (
    InsufficientFundsError,
    KeyReusedError,
    OwnDecisionError,
    PeriodError,
    RefusedByRuleError,
    RequestInFlightError,
    WrongStateError,
)
from accounts.ledger import (
    SQL,
    ensure_account,
    ensure_administers,
    refused_overdraft,
    retrying,
    transfer,
)
from accounts.models import MAX_CENTS, Acquisition, AcquisitionStatus, Licence, NewAcquisition
from catalogue.database import Connection
from catalogue.errors import ForbiddenError, InvalidInputError, NotFoundError, UnprocessableError
from catalogue.identity.models import Principal, Role
from catalogue.identity.secrets import pseudonym
from catalogue.money import euros
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.webhooks import events
from catalogue.webhooks.models import EventLicence, EventType, WebhookEvent

Answer = tuple[int, dict[str, Any]]  # HTTP status and body, replayed as they were
PUBLISHER_SHARDS = 16


class Buyer(msgspec.Struct, frozen=True):
    person_id: UUID
    uai: str
    academie: str


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise InvalidInputError("L'en-tête Idempotency-Key est requis.")
    if len(key) > 255 or not key.isprintable():
        raise InvalidInputError("Idempotency-Key : au plus 255 caractères imprimables.")
    return key


def publisher_shard(person_id: UUID) -> int:
    """Which of its publisher's accounts a teacher's purchases credit.

    Every purchase credits its publisher, so one account per publisher would be one row
    locked by every acquisition until it commits; spreading the credits over a few rows
    (fixed per teacher) lets purchases of different teachers commit side by side.
    """
    return person_id.int % PUBLISHER_SHARDS


def publisher_owner(publisher_id: UUID, shard: int) -> str:
    return f"{publisher_id}:{shard}"


async def acquire(
    pool: asyncpg.Pool,
    vocab: VocabularyIndex,
    pseudonym_key: bytes,
    principal: Principal,
    *,
    key: str,
    new: NewAcquisition,
    waker: events.Waker | None = None,
) -> Answer:
    """An acquisition in its own transaction; with a `waker`, the webhook worker is woken
    after the commit, sharing wake-ups with concurrent purchases."""
    written: list[WebhookEvent] = []
    on_event = written.append if waker is not None else None

    async def work(conn: Connection) -> Answer:
        written.clear()
        return await acquire_in(
            conn, vocab, pseudonym_key, principal, key=key, new=new, on_event=on_event
        )

    try:
        answer = await retrying(pool, work)
    except asyncpg.UniqueViolationError:
        # The first request with this key committed between our snapshot and our lock:
        # its answer is there now.
        answer = await retrying(pool, work)
    if written and waker is not None:
        await waker.wake()
    return answer


async def acquire_in(
    conn: Connection,
    vocab: VocabularyIndex,
    pseudonym_key: bytes,
    principal: Principal,
    *,
    key: str,
    new: NewAcquisition,
    on_event: Callable[[WebhookEvent], None] | None = None,
) -> Answer:
    """An acquisition, or the first answer given to this key, in the caller's transaction.

    Its webhook event, if any, is written in that transaction; the worker is woken in it
    too, unless `on_event` is given: the caller then wakes it after the commit."""
    person_id = principal.person_id
    if person_id is None or not principal.has(Role.TEACHER):
        raise ForbiddenError("Réservé aux enseignants.")
    digest = hashlib.sha256(msgspec.json.encode(new)).digest()
    claim = await conn.fetchrow(SQL["claim_key"], person_id, key)
    assert claim is not None  # one row, whatever is found
    if not claim["locked"]:
        raise RequestInFlightError("Une requête avec cette Idempotency-Key est en cours.")
    if claim["request_hash"] is not None:
        if bytes(claim["request_hash"]) != digest:
            raise KeyReusedError("Cette Idempotency-Key a servi pour une autre requête.")
        return claim["response_status"], claim["response"]
    shard = publisher_shard(person_id)
    context = await conn.fetchrow(
        SQL["purchase_context"], principal.establishment_uai, person_id, new.offer_id, shard
    )
    if context is None:
        raise UnprocessableError("Votre compte n'est rattaché à aucun établissement connu.")
    if context["period_id"] is None:
        raise PeriodError("Aucune période budgétaire ouverte ne couvre la date du jour.")
    who = Buyer(person_id, context["uai"], context["academie"])
    total = _check_offer(vocab, context, new.quantity)
    threshold = context["approval_threshold_cents"]
    pending = threshold is not None and total >= threshold
    acquisition_id, now = uuid4(), datetime.now(UTC)
    licence = None
    if not pending:
        licence = _licence(
            pseudonym_key,
            who,
            context,
            quantity=new.quantity,
            period_end=context["ends_on"],
            now=now,
        )
    view = Acquisition(
        id=acquisition_id,
        status=AcquisitionStatus.PENDING if pending else AcquisitionStatus.COMPLETED,
        offer_id=context["offer_id"],
        resource_id=context["resource_id"],
        resource_title=context["title"],
        publisher_id=context["publisher_id"],
        establishment_uai=who.uai,
        quantity=new.quantity,
        unit_price_cents=context["unit_price_cents"],
        total_cents=total,
        created_at=now,
        licence=licence,
    )
    status_code, body = (202 if pending else 201), msgspec.to_builtins(view)
    source, destination = await _accounts(conn, context, who, total, pending=pending)
    event = None
    if licence is not None and context["webhook"]:
        event = _event("acquisition.completed", asdict(view), asdict(licence), now)
        if on_event is None:
            # Before the money statement: the job commits or rolls back with the event all
            # the same, and the accounts it locks are not held through one more round trip.
            await events.wake_deliveries(conn)
        else:
            on_event(event)
    with refused_overdraft(total), _offer_gone():
        await conn.execute(
            SQL["insert_purchase"],
            acquisition_id,
            person_id,
            key,
            digest,
            context["period_id"],
            context["offer_id"],
            context["resource_id"],
            context["publisher_id"],
            who.uai,
            who.academie,
            new.quantity,
            context["unit_price_cents"],
            total,
            view.status,
            status_code,
            body,
            now,
            None if pending else now,
            *_licence_columns(licence),
            source,
            destination,
            "hold" if pending else "purchase",
            None if event is None else event.id,
            event,
        )
    return status_code, body


@contextmanager
def _offer_gone() -> Iterator[None]:
    """The offer was deleted by its publisher's change while we bought it (never sold, so
    nobody else holds it either): the same answer as an offer taken off sale."""
    try:
        yield
    except asyncpg.ForeignKeyViolationError as exc:
        if exc.constraint_name != "acquisitions_offer_id_fkey":
            raise
        raise UnprocessableError("Cette offre n'est plus proposée.") from exc


def _check_offer(vocab: VocabularyIndex, context: Any, quantity: int) -> int:
    """The total price, once the offer is on sale and no rule refuses it."""
    if context["offer_id"] is None:
        raise UnprocessableError("Offre introuvable.")
    if not context["on_sale"]:
        raise UnprocessableError("Cette offre n'est plus proposée.")
    if quantity > 1 and context["licence_type"] != "class_seats":
        # One teacher, or one whole establishment: a second copy would buy nothing more.
        raise UnprocessableError(
            "Une licence enseignant ou établissement s'achète à l'unité (quantité 1) ; "
            "seules les licences par classe se prennent en plusieurs exemplaires.",
            errors=[{"key": "quantity", "message": "must be 1 for this licence type"}],
        )
    total: int = context["unit_price_cents"] * quantity
    if total > MAX_CENTS:
        raise UnprocessableError("Montant total démesuré.")
    types = set(vocab.with_ancestors(context["resource_types"])) | set(context["resource_types"])
    if excluded := types & set(context["excluded_resource_types"]):
        labels = ", ".join(sorted(vocab.label(uri) for uri in excluded))
        raise RefusedByRuleError(f"Ce type de ressource est exclu par une règle : {labels}.")
    limit = context["max_per_acquisition_cents"]
    if limit is not None and total > limit:
        raise RefusedByRuleError(f"Une acquisition est limitée à {euros(limit)}.")
    return total


async def _accounts(
    conn: Connection, context: Any, who: Buyer, total: int, *, pending: bool
) -> tuple[int | None, int | None]:
    """The teacher's account and the one to credit: the publisher's, or the held funds."""
    if total == 0:
        return None, None
    if context["teacher_account"] is None:  # never funded: nothing to spend
        raise InsufficientFundsError(f"Solde insuffisant pour un mouvement de {euros(total)}.")
    period_id = context["period_id"]
    if pending:
        destination = context["held_account"] or await ensure_account(
            conn, period_id, "held", who.uai, academie=who.academie, uai=who.uai
        )
    else:
        owner = publisher_owner(context["publisher_id"], publisher_shard(who.person_id))
        destination = context["publisher_account"] or await ensure_account(
            conn, period_id, "publisher", owner
        )
    return context["teacher_account"], destination


def _licence(
    key: bytes, who: Buyer, offer: Any, *, quantity: int, period_end: date, now: datetime
) -> Licence:
    per_establishment = offer["licence_type"] == "establishment"
    return Licence(
        id=uuid4(),
        resource_id=offer["resource_id"],
        resource_title=offer["title"],
        offer_id=offer["offer_id"],
        holder_kind="establishment" if per_establishment else "teacher",
        holder=who.uai
        if per_establishment
        else pseudonym(key, who.person_id, offer["publisher_id"]),
        seats=quantity * (offer["seats"] or 1),
        valid_from=now,
        valid_until=valid_until(offer["duration"], offer["duration_months"], period_end, now),
        revoked_at=None,
    )


def valid_until(
    duration: str, months: int | None, period_end: date, now: datetime
) -> datetime | None:
    """School year: to the end of the budget period; months: calendar months; else perpetual."""
    if duration == "school_year":
        return datetime.combine(period_end + timedelta(days=1), time(), tzinfo=UTC)
    if duration == "months" and months:
        year, month = divmod(now.month - 1 + months, 12)
        year += now.year
        day = min(now.day, calendar.monthrange(year, month + 1)[1])
        return now.replace(year=year, month=month + 1, day=day)
    return None


def _event(event_type: EventType, acquisition: Any, licence: Any, at: datetime) -> WebhookEvent:
    """The publisher's view of an acquisition and its licence: pseudonyms only."""
    return events.event(
        event_type,
        acquisition_id=acquisition["id"],
        offer_id=acquisition["offer_id"],
        resource_id=acquisition["resource_id"],
        quantity=acquisition["quantity"],
        total_cents=acquisition["total_cents"],
        licence=EventLicence(**{k: licence[k] for k in EventLicence.__struct_fields__}),
        at=at,
    )


def _licence_columns(licence: Licence | None) -> tuple[Any, ...]:
    if licence is None:
        return (None, None, None, None, None)
    return (licence.id, licence.holder_kind, licence.holder, licence.seats, licence.valid_until)


async def _insert_licence(
    conn: Connection, licence: Licence, acquisition_id: UUID, person_id: UUID, publisher_id: UUID
) -> None:
    await conn.execute(
        SQL["insert_licence"],
        licence.id,
        acquisition_id,
        person_id,
        licence.offer_id,
        licence.resource_id,
        publisher_id,
        licence.holder_kind,
        licence.holder,
        licence.seats,
        licence.valid_from,
        licence.valid_until,
    )


# Decisions after the fact: each is new transfers and a new status, never an edit of money.


async def decide(
    pool: asyncpg.Pool,
    pseudonym_key: bytes,
    principal: Principal,
    acquisition_id: UUID,
    action: str,
    *,
    refund_window: timedelta,
) -> Acquisition:
    async def work(conn: Connection) -> None:
        row = await conn.fetchrow(SQL["lock_acquisition"], acquisition_id)
        if row is None:
            raise NotFoundError("Acquisition introuvable.")
        if action == "cancel":
            if row["person_id"] != principal.person_id:
                raise NotFoundError("Acquisition introuvable.")
        else:
            ensure_administers(principal, academie=row["academie"], uai=row["establishment_uai"])
            if row["person_id"] == principal.person_id:
                raise OwnDecisionError(
                    "Vous ne pouvez pas décider de votre propre acquisition : "
                    "un·e autre administrateur·rice de votre périmètre doit le faire."
                )
        if row["period_status"] != "open":
            raise PeriodError("La période budgétaire de cette acquisition est close.")
        await _apply(
            conn, pseudonym_key, principal, row, action=action, refund_window=refund_window
        )

    await retrying(pool, work)
    async with pool.acquire() as conn:
        return (await list_acquisitions(conn, acquisition_id=acquisition_id))[0]


def _expect(row: Any, status: AcquisitionStatus) -> None:
    if row["status"] != status:
        raise WrongStateError(f"Cette acquisition est « {row['status']} », pas « {status} ».")


async def _move(
    conn: Connection, row: Any, kind: str, by: UUID | None, *, to: int | None = None
) -> None:
    """Move an acquisition's money on from where it is now: back to its teacher by default."""
    if row["total_cents"] == 0:
        return
    money = await conn.fetchrow(SQL["money_of_acquisition"], row["id"])
    assert money is not None
    await transfer(
        conn,
        row["period_id"],
        money["current"],
        money["origin"] if to is None else to,
        row["total_cents"],
        kind=kind,
        acquisition_id=row["id"],
        by=by,
    )


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


async def _apply(
    conn: Connection,
    key: bytes,
    principal: Principal,
    row: Any,
    *,
    action: str,
    refund_window: timedelta,
) -> None:
    """Approval sends the held money to the publisher and issues the licence; rejection and
    cancellation give it back; a refund takes it back from the publisher, revoking the licence."""
    decision = _DECISIONS[action]
    _expect(row, decision.before)
    now = datetime.now(UTC)
    if action == "refund" and row["completed_at"] + refund_window < now:
        raise UnprocessableError(
            f"Le délai de remboursement ({refund_window.days} jours) est passé."
        )
    publisher = None
    if action == "approve":
        owner = publisher_owner(row["publisher_id"], publisher_shard(row["person_id"]))
        publisher = await ensure_account(conn, row["period_id"], "publisher", owner)
    await _move(conn, row, decision.transfer, principal.person_id, to=publisher)
    await conn.execute(SQL["decide_acquisition"], row["id"], decision.after, principal.person_id)
    if action == "approve":
        who = Buyer(row["person_id"], row["establishment_uai"], row["academie"])
        licence = _licence(
            key, who, row, quantity=row["quantity"], period_end=row["ends_on"], now=now
        )
        await _insert_licence(conn, licence, row["id"], row["person_id"], row["publisher_id"])
        event = _event("acquisition.completed", row, asdict(licence), now)
        await events.emit(conn, row["publisher_id"], event)
    elif action == "refund":
        revoked = await conn.fetchrow(SQL["revoke_licence"], row["id"])
        if revoked is not None:
            event = _event("acquisition.refunded", row, revoked, now)
            await events.emit(conn, row["publisher_id"], event)


async def list_acquisitions(
    conn: Connection,
    *,
    acquisition_id: UUID | None = None,
    person_id: UUID | None = None,
    uai: str | None = None,
    academie: str | None = None,
    status: str | None = None,
    limit: int = 200,
) -> list[Acquisition]:
    rows = await conn.fetch(
        SQL["acquisitions"], acquisition_id, person_id, uai, academie, status, limit
    )
    return [_acquisition(row) for row in rows]


def _acquisition(row: Any) -> Acquisition:
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
