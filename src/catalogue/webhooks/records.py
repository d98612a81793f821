"""The webhooks' stored state, as the repository returns it (wire types are in models.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec


class StoredWebhook(msgspec.Struct, kw_only=True):
    """A publisher's webhook, without its secret; ``created`` when an upsert created it."""

    publisher_id: UUID
    url: str
    created_at: datetime
    rotated_at: datetime | None
    created: bool = False


class SealedSecret(msgspec.Struct):
    """A webhook's signing secret, sealed under the server secret (signing.encrypt)."""

    publisher_id: UUID
    secret_encrypted: bytes


class StoredAttempt(msgspec.Struct, kw_only=True):
    delivery_id: UUID
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DueDelivery(msgspec.Struct, kw_only=True):
    """A delivery leased to this worker, with what its POST needs. The payload is the JSON
    stored, sent as it is (its signature covers those bytes)."""

    id: UUID
    publisher_id: UUID
    payload: dict[str, Any]
    attempts: int
    url: str
    secret_encrypted: bytes


class ExpiredLicence(msgspec.Struct, kw_only=True):
    """A licence past its end, newly seen by the sweep, with what its event needs."""

    id: UUID
    acquisition_id: UUID
    offer_id: UUID
    resource_id: UUID
    publisher_id: UUID
    holder_kind: Literal["teacher", "establishment"]
    holder: str
    seats: int
    valid_from: datetime
    valid_until: datetime | None
    quantity: int
    total_cents: int
    # Whether its publisher wants the event (a webhook older than the licence's end, the
    # licence not revoked); NULL without a webhook.
    wanted: bool | None
