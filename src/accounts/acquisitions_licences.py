"""What an acquisition issues when it completes (at once, or on approval): its licence
(holder, seats, validity), the publisher's webhook event and the GAR subscription's creation.

The money and its rules are `accounts.acquisitions` and `accounts.decisions`; this module only
shapes what they write with it.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from uuid import UUID, uuid4

import msgspec

from accounts.models import Licence
from accounts.records import OfferTerms
from catalogue.gar.outbox import call
from catalogue.gar.transport import GarRequest
from catalogue.identity.secrets import pseudonym
from catalogue.webhooks import events
from catalogue.webhooks.models import EventLicence, EventType, WebhookEvent


class Buyer(msgspec.Struct, frozen=True):
    person_id: UUID
    uai: str
    academie: str


def new_licence(
    key: bytes, who: Buyer, offer: OfferTerms, *, quantity: int, period_end: date, now: datetime
) -> Licence:
    per_establishment = offer.licence_type == "establishment"
    return Licence(
        id=uuid4(),
        resource_id=offer.resource_id,
        resource_title=offer.title,
        offer_id=offer.offer_id,
        holder_kind="establishment" if per_establishment else "teacher",
        holder=who.uai if per_establishment else pseudonym(key, who.person_id, offer.publisher_id),
        seats=quantity * (offer.seats or 1),
        valid_from=now,
        valid_until=valid_until(offer.duration, offer.duration_months, period_end, now),
        revoked_at=None,
    )


def valid_until(
    duration: str, months: int | None, period_end: date, now: datetime
) -> datetime | None:
    """School year: to the end of the budget period; months: calendar months; else perpetual.

    Fixed when the licence is issued and stored with it: nothing changes it afterwards (a
    period's closing moves money, not its dates), and a refund revokes instead."""
    if duration == "school_year":
        return datetime.combine(period_end + timedelta(days=1), time(), tzinfo=UTC)
    if duration == "months" and months:
        year, month = divmod(now.month - 1 + months, 12)
        year += now.year
        day = min(now.day, calendar.monthrange(year, month + 1)[1])
        return now.replace(year=year, month=month + 1, day=day)
    return None


def gar_creation(gar_on: bool, licence: Licence | None, offer: OfferTerms) -> GarRequest | None:
    """The creation (PUT) of a new licence's GAR subscription, when GAR sync is on and its
    resource GAR-referenced; None: nothing to write. Its body is the worker's to build."""
    if not gar_on or licence is None or offer.gar_id is None:
        return None
    return call("PUT", licence.id)


class Bought(Protocol):
    """What a webhook event tells of an acquisition (a new one, or one locked for a decision)."""

    @property
    def id(self) -> UUID: ...
    @property
    def offer_id(self) -> UUID: ...
    @property
    def resource_id(self) -> UUID: ...
    @property
    def quantity(self) -> int: ...
    @property
    def total_cents(self) -> int: ...


def licence_event(licence: Licence) -> EventLicence:
    return EventLicence(
        id=licence.id,
        holder_kind=licence.holder_kind,
        holder=licence.holder,
        seats=licence.seats,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
    )


def acquisition_event(
    event_type: EventType, acquisition: Bought, licence: Licence | EventLicence, at: datetime
) -> WebhookEvent:
    """The publisher's view of an acquisition and its licence: pseudonyms only."""
    return events.event(
        event_type,
        acquisition_id=acquisition.id,
        offer_id=acquisition.offer_id,
        resource_id=acquisition.resource_id,
        quantity=acquisition.quantity,
        total_cents=acquisition.total_cents,
        licence=licence_event(licence) if isinstance(licence, Licence) else licence,
        at=at,
    )
