"""Acquisitions: a teacher spends from their envelope and receives a licence.

Idempotent on (teacher, Idempotency-Key): the first answer is stored in the transaction that
moves the money, so a retry after any failure finds both or neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from accounts import repository
from accounts.acquisitions_licences import Buyer, acquisition_event, gar_creation, new_licence
from accounts.errors import (
    InactiveError,
    InsufficientFundsError,
    KeyReusedError,
    PeriodError,
    RefusedByRuleError,
    RequestInFlightError,
)
from accounts.ledger import ensure_account, refused_overdraft, retrying
from accounts.models import MAX_CENTS, Acquisition, AcquisitionStatus, NewAcquisition
from accounts.records import OfferForSale, Purchase, PurchaseContext
from catalogue.config import GarSettings
from catalogue.database import Connection
from catalogue.errors import ForbiddenError, InvalidInputError, UnprocessableError
from catalogue.gar.outbox import GarOutbox, wake_delivery
from catalogue.gar.transport import GarRequest
from catalogue.identity.models import Principal, Role
from catalogue.money import euros
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.webhooks import events
from catalogue.webhooks.models import WebhookEvent

Answer = tuple[int, dict[str, Any]]  # HTTP status and body, replayed as they were
PUBLISHER_SHARDS = 16


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
    gar: GarOutbox | None = None,
) -> Answer:
    """An acquisition in its own transaction; with a `waker`, the webhook worker is woken
    after the commit, sharing wake-ups with concurrent purchases; with `gar`, when a
    subscription was written, the GAR's worker is woken too, without waiting for it."""
    written: list[WebhookEvent] = []
    subscriptions: list[GarRequest] = []
    on_event = written.append if waker is not None else None

    async def work(conn: Connection) -> Answer:
        written.clear()
        subscriptions.clear()
        return await acquire_in(
            conn,
            vocab,
            pseudonym_key,
            principal,
            key=key,
            new=new,
            on_event=on_event,
            gar=None if gar is None else gar.settings,
            on_subscription=subscriptions.append,
        )

    try:
        answer = await retrying(pool, work)
    except asyncpg.UniqueViolationError:
        # The first request with this key committed between our snapshot and our lock:
        # its answer is there now.
        answer = await retrying(pool, work)
    if written and waker is not None:
        await waker.wake()
    if subscriptions and gar is not None:
        gar.waker.wake_soon()  # the purchase does not wait on the GAR's worker
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
    gar: GarSettings | None = None,
    on_subscription: Callable[[GarRequest], None] | None = None,
) -> Answer:
    """An acquisition, or the first answer given to this key, in the caller's transaction.

    Its webhook event, if any, is written in that transaction; the worker is woken in it
    too, unless `on_event` is given: the caller then wakes it after the commit. So is its
    GAR subscription (with `gar`, for a GAR-referenced resource; `on_subscription`)."""
    person_id = principal.person_id
    if person_id is None or not principal.has(Role.TEACHER):
        raise ForbiddenError("Réservé aux enseignants.")
    digest = hashlib.sha256(msgspec.json.encode(new)).digest()
    claim = await repository.claim_key(conn, person_id, key)
    if not claim.locked:
        raise RequestInFlightError("Une requête avec cette Idempotency-Key est en cours.")
    if claim.request_hash is not None:
        if claim.request_hash != digest:
            raise KeyReusedError("Cette Idempotency-Key a servi pour une autre requête.")
        # stored with the hash, in the same statement
        assert claim.response_status is not None
        assert claim.response is not None
        return claim.response_status, claim.response
    shard = publisher_shard(person_id)
    context = await repository.purchase_context(
        conn, principal.establishment_uai, person_id, new.offer_id, shard
    )
    if context is None:
        raise UnprocessableError("Votre compte n'est rattaché à aucun établissement connu.")
    if context.deactivated:
        raise InactiveError("Votre compte est désactivé : aucune acquisition possible.")
    if context.period_id is None or context.ends_on is None:
        raise PeriodError("Aucune période budgétaire ouverte ne couvre la date du jour.")
    offer = _on_sale(context.offer, new.quantity)
    who = Buyer(person_id, context.uai, context.academie)
    total = _check_rules(vocab, context, offer, new.quantity)
    threshold = context.approval_threshold_cents
    pending = threshold is not None and total >= threshold
    acquisition_id, now = uuid4(), datetime.now(UTC)
    licence = None
    if not pending:
        licence = new_licence(
            pseudonym_key, who, offer, quantity=new.quantity, period_end=context.ends_on, now=now
        )
    view = Acquisition(
        id=acquisition_id,
        status=AcquisitionStatus.PENDING if pending else AcquisitionStatus.COMPLETED,
        offer_id=offer.offer_id,
        resource_id=offer.resource_id,
        resource_title=offer.title,
        publisher_id=offer.publisher_id,
        establishment_uai=who.uai,
        quantity=new.quantity,
        unit_price_cents=offer.unit_price_cents,
        total_cents=total,
        created_at=now,
        licence=licence,
    )
    status_code, body = (202 if pending else 201), msgspec.to_builtins(view)
    source, destination = await _accounts(conn, context, offer, who, total, pending=pending)
    event = None
    if licence is not None and context.webhook:
        event = acquisition_event("acquisition.completed", view, licence, now)
        if on_event is None:
            # Before the money statement: the job commits or rolls back with the event all
            # the same, and the accounts it locks are not held through one more round trip.
            await events.wake_deliveries(conn)
        else:
            on_event(event)
    subscription = await _subscription(
        conn, gar_creation(gar is not None, licence, offer), on_subscription
    )
    purchase = Purchase(
        id=acquisition_id,
        person_id=person_id,
        key=key,
        request_hash=digest,
        period_id=context.period_id,
        offer_id=offer.offer_id,
        resource_id=offer.resource_id,
        publisher_id=offer.publisher_id,
        uai=who.uai,
        academie=who.academie,
        quantity=new.quantity,
        unit_price_cents=offer.unit_price_cents,
        total_cents=total,
        status=view.status,
        response_status=status_code,
        response=body,
        created_at=now,
        completed_at=None if pending else now,
        licence=licence,
        source=source,
        destination=destination,
        transfer_kind="hold" if pending else "purchase",
        event=event,
        subscription=subscription,
    )
    with refused_overdraft(total), _offer_gone():
        await repository.insert_purchase(conn, purchase)
    return status_code, body


async def _subscription(
    conn: Connection,
    creation: GarRequest | None,
    on_subscription: Callable[[GarRequest], None] | None,
) -> GarRequest | None:
    """The GAR subscription's creation to write with the purchase (None: none); its delivery
    job woken in the transaction, or by the caller after the commit."""
    if creation is not None:
        if on_subscription is None:
            await wake_delivery(conn)
        else:
            on_subscription(creation)
    return creation


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


def _on_sale(offer: OfferForSale | None, quantity: int) -> OfferForSale:
    """The offer, once it is on sale in this quantity."""
    if offer is None:
        raise UnprocessableError("Offre introuvable.")
    if not offer.on_sale:
        raise UnprocessableError("Cette offre n'est plus proposée.")
    if quantity > 1 and offer.licence_type != "class_seats":
        # One teacher, or one whole establishment: a second copy would buy nothing more.
        raise UnprocessableError(
            "Une licence enseignant ou établissement s'achète à l'unité (quantité 1) ; "
            "seules les licences par classe se prennent en plusieurs exemplaires.",
            errors=[{"key": "quantity", "message": "must be 1 for this licence type"}],
        )
    return offer


def _check_rules(
    vocab: VocabularyIndex, context: PurchaseContext, offer: OfferForSale, quantity: int
) -> int:
    """The total price, once no rule refuses it."""
    total = offer.unit_price_cents * quantity
    if total > MAX_CENTS:
        raise UnprocessableError("Montant total démesuré.")
    types = set(vocab.with_ancestors(offer.resource_types)) | set(offer.resource_types)
    if excluded := types & set(context.excluded_resource_types):
        labels = ", ".join(sorted(vocab.label(uri) for uri in excluded))
        raise RefusedByRuleError(f"Ce type de ressource est exclu par une règle : {labels}.")
    limit = context.max_per_acquisition_cents
    if limit is not None and total > limit:
        raise RefusedByRuleError(f"Une acquisition est limitée à {euros(limit)}.")
    return total


async def _accounts(
    conn: Connection,
    context: PurchaseContext,
    offer: OfferForSale,
    who: Buyer,
    total: int,
    *,
    pending: bool,
) -> tuple[int | None, int | None]:
    """The teacher's account and the one to credit: the publisher's, or the held funds."""
    if total == 0:
        return None, None
    if context.teacher_account is None:  # never funded: nothing to spend
        raise InsufficientFundsError(f"Solde insuffisant pour un mouvement de {euros(total)}.")
    assert context.period_id is not None  # checked by the caller
    if pending:
        destination = context.held_account or await ensure_account(
            conn, context.period_id, "held", who.uai, academie=who.academie, uai=who.uai
        )
    else:
        owner = publisher_owner(offer.publisher_id, publisher_shard(who.person_id))
        destination = context.publisher_account or await ensure_account(
            conn, context.period_id, "publisher", owner
        )
    return context.teacher_account, destination
