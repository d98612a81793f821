"""Wire types of the GAR delivery log (the national administrators' API and page)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from catalogue.deliveries import DeliveryStatus
from catalogue.gar.transport import Method


class GarAttemptView(msgspec.Struct, kw_only=True):
    at: datetime
    status_code: int | None
    body: str | None  # the start of the GAR's answer
    error: str | None
    duration_ms: int


class GarDeliveryView(msgspec.Struct, kw_only=True):
    """One call to the GAR subscription service, with where it stands and its attempts."""

    id: UUID
    licence_id: UUID
    subscription_id: str  # idAbonnement
    method: Method
    body: str | None  # the XML sent (none for a DELETE, nor before its first attempt)
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    attempt_log: list[GarAttemptView] = msgspec.field(default_factory=list)


class GarDeliveries(msgspec.Struct, kw_only=True):
    items: list[GarDeliveryView]
    total: int
    page: int
    per_page: int
