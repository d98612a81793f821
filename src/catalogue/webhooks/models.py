"""Webhook events as publishers receive them, and the wire types of their management API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from catalogue.masking import masked_repr

EventType = Literal["acquisition.completed", "acquisition.refunded", "licence.expired"]
DeliveryStatus = Literal["pending", "delivered", "failed"]


class EventLicence(msgspec.Struct, kw_only=True):
    """A licence under pseudonyms: the holder is the teacher's pseudonym for this publisher,
    or the establishment's UAI; never a person id, a name or an e-mail."""

    id: UUID
    holder_kind: Literal["teacher", "establishment"]
    holder: str
    seats: int
    valid_from: datetime
    valid_until: datetime | None


class EventData(msgspec.Struct, kw_only=True):
    acquisition_id: UUID
    offer_id: UUID
    resource_id: UUID
    quantity: int
    total_cents: int
    licence: EventLicence


class WebhookEvent(msgspec.Struct, kw_only=True):
    """The JSON body POSTed to the publisher; `id` is also the `webhook-id` header."""

    id: UUID
    type: EventType
    created_at: datetime
    data: EventData


class NewWebhook(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class WebhookView(msgspec.Struct, kw_only=True):
    publisher_id: UUID
    url: str
    created_at: datetime
    rotated_at: datetime | None


class WebhookSecret(msgspec.Struct, kw_only=True):
    """Shown once, at registration or rotation: keep it, it cannot be read again."""

    publisher_id: UUID
    url: str
    secret: str | None  # None when an existing webhook only changed its URL
    created_at: datetime
    rotated_at: datetime | None

    def __repr__(self) -> str:
        return masked_repr(self, secrets=frozenset({"secret"}))


class AttemptView(msgspec.Struct, kw_only=True):
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryView(msgspec.Struct, kw_only=True):
    id: UUID
    publisher_id: UUID
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    payload: WebhookEvent
    attempt_log: list[AttemptView] = msgspec.field(default_factory=list)


class Deliveries(msgspec.Struct, kw_only=True):
    items: list[DeliveryView]
    total: int
    page: int
    per_page: int
