"""The GAR outbox's stored state, as the repository returns it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from catalogue.deliveries import DeliveryStatus
from catalogue.gar.transport import Method


class DueGarDelivery(msgspec.Struct, kw_only=True):
    """A delivery leased to this worker, with what its call needs: its body, or, when it has
    none yet (a PUT or a POST never attempted), what the worker builds it from, as it stands
    now (its licence, offer, resource and the buyer's establishment)."""

    id: UUID
    licence_id: UUID
    subscription_id: str
    method: Method
    body: str | None
    attempts: int
    seats: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    title: str | None = None
    licence_type: str | None = None
    offer_seats: int | None = None
    uai: str | None = None
    gar_id: str | None = None  # idRessource: the resource's own GAR id, else its ARK


class GarAttemptRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt to record, and where its delivery stands after it."""

    delivery_id: UUID
    at: datetime
    status_code: int | None
    body: str | None  # the start of the GAR's answer
    error: str | None
    duration_ms: int
    status: DeliveryStatus
    next_attempt: datetime
    sent: str | None  # the XML sent, kept by a delivery that had none


class StoredGarAttempt(msgspec.Struct, kw_only=True):
    delivery_id: UUID
    at: datetime
    status_code: int | None
    body: str | None
    error: str | None
    duration_ms: int


class EndedLicence(msgspec.Struct, kw_only=True):
    """A licence newly seen past its end by the GAR's sweep; `subscribed`: it has a GAR
    subscription still standing, to update."""

    licence_id: UUID
    subscribed: bool
