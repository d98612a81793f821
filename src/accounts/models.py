"""Wire types of the compte ressource. Money is integer euro cents everywhere."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

MAX_CENTS = 10_000_000_000  # 100 million euros: anything above is a typing error
Cents = Annotated[int, msgspec.Meta(gt=0, le=MAX_CENTS, description="euro cents, > 0")]
Leftover = Literal["expire", "carry_over"]
EnvelopeOnMove = Literal["return", "follow"]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class AcquisitionStatus(enum.StrEnum):
    PENDING = "pending_approval"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class NewPeriod(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Without dates, the school year (1 September to 31 August) that contains today."""

    name: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    leftover: Leftover = "expire"


class Period(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    starts_on: date
    ends_on: date
    leftover: Leftover
    status: Literal["open", "closed"]
    closed_at: datetime | None


class NewAllocation(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Funds from the parent envelope: funding -> académie -> establishment -> teacher.

    `to` is the académie code, the establishment's UAI or the teacher's person id.
    """

    to_kind: Literal["academie", "establishment", "teacher"]
    to: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    amount_cents: Cents
    period_id: UUID | None = None


class Balance(msgspec.Struct, kw_only=True):
    kind: str
    owner: str
    balance_cents: int


class Allocation(msgspec.Struct, kw_only=True):
    transfer_id: int
    period_id: UUID
    amount_cents: int
    source: Balance
    destination: Balance


class NewMove(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A person moves to the establishment `to_uai`; `reason` goes with every transfer."""

    to_uai: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    reason: Reason


class NewDeparture(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Reason = "départ"


class PersonMovement(msgspec.Struct, kw_only=True):
    """A move or a departure, as it happened: where the unspent envelope went."""

    id: int
    person_id: UUID
    kind: Literal["move", "departure"]
    from_uai: str | None
    to_uai: str | None
    envelope: Literal["returned", "followed", "empty"]
    reason: str
    moved_at: datetime


class MoveResult(msgspec.Struct, kw_only=True):
    movement: PersonMovement
    transfers: list[int]  # the transfers it took, in order
    cancelled: list[UUID]  # the requests that were waiting for approval, now cancelled


class MoveLine(msgspec.Struct, kw_only=True):
    line: int
    uai: str
    person: str
    to_uai: str
    reason: str
    error: str | None = None


class MoveReport(msgspec.Struct, kw_only=True):
    applied: bool
    lines: list[MoveLine]


class CsvLine(msgspec.Struct, kw_only=True):
    line: int
    uai: str
    teacher: str
    amount_cents: int | None
    error: str | None = None


class CsvReport(msgspec.Struct, kw_only=True):
    applied: bool
    total_cents: int
    lines: list[CsvLine]


class Rules(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    approval_threshold_cents: Cents | None = None
    max_per_acquisition_cents: Cents | None = None
    excluded_resource_types: list[str] = msgspec.field(default_factory=list)
    leftover: Leftover | None = None
    # An académie's rule for a teacher moving within it: their unspent envelope returns to
    # the old establishment (None or "return") or follows them ("follow").
    envelope_on_move: EnvelopeOnMove | None = None


class NewAcquisition(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    offer_id: UUID
    quantity: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 1


class Licence(msgspec.Struct, kw_only=True):
    id: UUID
    resource_id: UUID
    resource_title: str
    offer_id: UUID
    holder_kind: Literal["teacher", "establishment"]
    holder: str
    seats: int
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    launchable: bool = False  # the resource is an LTI tool: /lti/launch/{resource_id}
    # In the ENT médiacentre through the GAR: its subscription sent ("available"), being
    # sent ("pending") or given up ("failed"); None: not a GAR subscription.
    mediacentre: Literal["available", "pending", "failed"] | None = None


class Acquisition(msgspec.Struct, kw_only=True):
    id: UUID
    status: AcquisitionStatus
    offer_id: UUID
    resource_id: UUID
    resource_title: str
    publisher_id: UUID
    establishment_uai: str
    quantity: int
    unit_price_cents: int
    total_cents: int
    created_at: datetime
    licence: Licence | None


class Movement(msgspec.Struct, kw_only=True):
    transfer_id: int
    at: datetime
    kind: str
    amount_cents: int  # positive in, negative out
    acquisition_id: UUID | None
    reason: str | None = None  # a move's or a departure's, as the administrator gave it


class MyAccount(msgspec.Struct, kw_only=True):
    period: Period | None
    balance_cents: int
    history: list[Movement]
    acquisitions: list[Acquisition]
    licences: list[Licence]


class Profile(msgspec.Struct, kw_only=True):
    """What the service keeps of a person (RGPD: what they download of themselves)."""

    id: UUID
    display_name: str
    email: str | None
    roles: list[str]
    establishment_uai: str | None
    academie: str | None
    created_at: datetime
    last_seen_at: datetime | None
    deactivated_at: datetime | None


class MyData(msgspec.Struct, kw_only=True):
    """Everything the service holds on a person (access and portability, RGPD art. 15, 20):
    their profile, their moves between establishments, every movement of their envelope,
    their acquisitions and licences; and, in ``sections``, what other parts of the service
    keep on them, by name (``collections``: the lists they made, follow and feature)."""

    exported_at: datetime
    profile: Profile
    moves: list[PersonMovement]
    movements: list[Movement]
    acquisitions: list[Acquisition]
    licences: list[Licence]
    sections: dict[str, Any] = {}


class Envelope(msgspec.Struct, kw_only=True):
    """One child envelope in an administrator's view (a teacher or an establishment)."""

    owner: str
    name: str
    balance_cents: int
    allocated_cents: int
    spent_cents: int


class EnvelopeView(msgspec.Struct, kw_only=True):
    scope: str
    period: Period
    balance_cents: int
    allocated_cents: int
    children: list[Envelope]
    pending: list[Acquisition]


class SpendRow(msgspec.Struct, kw_only=True):
    key: str
    label: str
    acquisitions: int
    amount_cents: int


class SpendReport(msgspec.Struct, kw_only=True):
    by: str
    period_id: UUID
    rows: list[SpendRow]


class Sale(msgspec.Struct, kw_only=True):
    acquisition_id: UUID
    created_at: datetime
    resource_id: UUID
    resource_title: str
    offer_id: UUID
    licence_type: str
    quantity: int
    total_cents: int
    status: AcquisitionStatus
    holder: str | None  # the teacher's pseudonym, or the establishment's UAI


class Sales(msgspec.Struct, kw_only=True):
    items: list[Sale]
