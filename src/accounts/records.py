"""Domain types of the compte ressource: what the repository reads, as the services use it.

Wire (API) types are in `accounts.models`; these never leave the package as they are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from accounts.models import AcquisitionStatus, Leftover, Licence
from catalogue.gar.transport import GarRequest
from catalogue.webhooks.models import WebhookEvent


class ClaimedKey(msgspec.Struct, frozen=True):
    """An Idempotency-Key taken for this transaction, with the first answer given to it."""

    locked: bool  # False: another request holds the key right now
    request_hash: bytes | None
    response_status: int | None
    response: dict[str, Any] | None


class OfferTerms(msgspec.Struct, frozen=True, kw_only=True):
    """What a licence of an offer is made of."""

    offer_id: UUID
    resource_id: UUID
    title: str
    publisher_id: UUID
    licence_type: str
    duration: str
    duration_months: int | None
    seats: int | None
    gar_id: str | None = None  # the GAR's idRessource, when the resource is GAR-referenced


class OfferForSale(OfferTerms, frozen=True, kw_only=True):
    unit_price_cents: int
    resource_types: list[str]
    on_sale: bool  # published, and its resource visible


class PurchaseContext(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an acquisition decides on (`purchase_context.sql`); None: not found, or
    an account not opened yet."""

    uai: str
    academie: str
    period_id: UUID | None  # the open period covering today
    ends_on: date | None
    offer: OfferForSale | None
    approval_threshold_cents: int | None  # the stricter of the establishment's and académie's
    max_per_acquisition_cents: int | None
    excluded_resource_types: list[str]
    teacher_account: int | None
    publisher_account: int | None  # the publisher's account of the teacher's shard
    held_account: int | None
    webhook: bool  # the publisher wants to hear of it
    deactivated: bool = False  # the buyer left the service


class Purchase(msgspec.Struct, frozen=True, kw_only=True):
    """A new acquisition as written, with the first answer to replay for its key, its
    licence (None while pending), its transfer (no accounts when free) and its webhook
    event (None: the publisher has no webhook, or nothing to announce yet)."""

    id: UUID
    person_id: UUID
    key: str
    request_hash: bytes
    period_id: UUID
    offer_id: UUID
    resource_id: UUID
    publisher_id: UUID
    uai: str
    academie: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    status: AcquisitionStatus
    response_status: int
    response: Any
    created_at: datetime
    completed_at: datetime | None
    licence: Licence | None
    source: int | None
    destination: int | None
    transfer_kind: str
    event: WebhookEvent | None
    subscription: GarRequest | None = None  # the GAR subscription's creation (PUT)


class LockedAcquisition(OfferTerms, frozen=True, kw_only=True):
    """An acquisition locked for a decision, with its offer's terms and its period."""

    id: UUID
    person_id: UUID
    period_id: UUID
    establishment_uai: str
    academie: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    status: AcquisitionStatus
    created_at: datetime
    completed_at: datetime | None
    ends_on: date
    period_status: str


class MoneyPlace(msgspec.Struct, frozen=True):
    """Where an acquisition's money came from (the teacher's account) and where it is now."""

    origin: int
    current: int


class Establishment(msgspec.Struct, frozen=True):
    uai: str
    name: str
    academie: str
    state: str = "open"  # open, opening, closing or closed (the directory's dataset)


class Teacher(msgspec.Struct, frozen=True):
    id: UUID
    establishment_uai: str
    academie: str
    deactivated: bool = False
    establishment_state: str = "open"


class ActiveTeacher(msgspec.Struct, frozen=True):
    """A teacher who is not deactivated, and their establishment."""

    id: UUID
    uai: str | None


class NamedTeacher(msgspec.Struct, frozen=True):
    """A teacher a line of a CSV names (`ref`: person id or e-mail) at `uai`."""

    ref: str
    uai: str
    id: UUID
    academie: str
    deactivated: bool = False
    establishment_state: str = "open"


class NamedPerson(msgspec.Struct, frozen=True):
    """A person a line of a moves file names (`ref`: person id or e-mail) at `uai`."""

    ref: str
    uai: str
    id: UUID


class PersonToMove(msgspec.Struct, frozen=True):
    """A person locked for a move or a departure, with their establishment's académie."""

    id: UUID
    establishment_uai: str | None
    academie: str | None
    deactivated: bool


class TeacherAccount(msgspec.Struct, frozen=True):
    """One of a person's teacher accounts in an open period, locked."""

    id: int
    period_id: UUID
    balance_cents: int


class Remainder(msgspec.Struct, frozen=True):
    """What is left in an envelope at closing, and what its rules make of it."""

    id: int
    kind: str
    owner: str
    academie: str | None
    establishment_uai: str | None
    balance_cents: int
    leftover: Leftover


class OwnerBalance(msgspec.Struct, frozen=True):
    owner: str
    balance_cents: int


class EnvelopeTotals(msgspec.Struct, frozen=True):
    balance_cents: int
    allocated_cents: int


class SpendTotal(msgspec.Struct, frozen=True):
    key: str
    label: str | None
    acquisitions: int
    amount_cents: int
