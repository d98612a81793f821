"""The GAR outbox's stored state, as the repository returns it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from catalogue.gar.transport import Method


class DueGarDelivery(msgspec.Struct, kw_only=True):
    """A delivery leased to this worker, with what its call needs."""

    id: UUID
    licence_id: UUID
    subscription_id: str
    method: Method
    body: str | None
    attempts: int


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
    seats: int
    valid_from: datetime
    valid_until: datetime
    title: str
    licence_type: str
    offer_seats: int | None
    uai: str
    gar_id: str | None
    subscribed: bool
