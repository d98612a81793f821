"""Licences as GAR subscriptions: what the compte ressource writes to the GAR outbox
(`catalogue.gar.outbox`) in the transaction that moves the money, and what the expiry sweep
writes when a licence ends.

A subscription is the licence's (`idAbonnement` is the licence id), for the resource under
its GAR id (the one its publisher gave, else its ARK), only when its publisher flagged it
GAR-referenced and the GAR is configured. A body that cannot be built (data the GAR would
refuse) leaves the purchase as it is and is logged, never raised.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
import structlog

from catalogue.config import GarSettings
from catalogue.gar.subscriptions import (
    GAR_TIME_ZONE,
    Subscription,
    audiences_for,
    licences_for,
)
from catalogue.gar.transport import GarRequest, creation, update

log = structlog.get_logger(__name__)
# A perpetual licence has no end; the GAR wants one (finValidite).
PERPETUAL_END = datetime(2099, 12, 31, 23, 59, 59, tzinfo=GAR_TIME_ZONE)


class Subscribed(msgspec.Struct, frozen=True, kw_only=True):
    """What a subscription says of a licence and its offer."""

    licence_id: UUID
    seats: int
    valid_from: datetime
    valid_until: datetime | None
    gar_id: str  # idRessource
    title: str
    licence_type: str
    offer_seats: int | None  # None: no count (an establishment's licence is then ILLIMITE)
    uai: str


def subscription(gar: GarSettings, licence: Subscribed) -> Subscription:
    return Subscription(
        id=str(licence.licence_id),
        distributor_id=gar.distributor_id,
        resource_id=licence.gar_id,
        resource_label=licence.title,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until or PERPETUAL_END,
        establishment_uai=licence.uai,
        licences=licences_for(
            licence.licence_type, licence.seats if licence.offer_seats is not None else None
        ),
        audiences=audiences_for(licence.licence_type),
        project_code=gar.project_code,
    )


def creation_of(gar: GarSettings | None, licence: Subscribed | None) -> GarRequest | None:
    """The PUT creating the licence's subscription; None when GAR is off, the resource is not
    GAR-referenced, or the body cannot be built (logged)."""
    if gar is None or licence is None:
        return None
    try:
        return creation(subscription(gar, licence))
    except (msgspec.ValidationError, ValueError) as exc:
        log.warning(
            "gar subscription not built", licence_id=str(licence.licence_id), error=str(exc)
        )
        return None


def update_of(gar: GarSettings, licence: Subscribed) -> GarRequest | None:
    """The POST updating the licence's subscription (its validity as it stands now); None
    when its body cannot be built (logged)."""
    try:
        return update(subscription(gar, licence))
    except (msgspec.ValidationError, ValueError) as exc:
        log.warning(
            "gar subscription not built", licence_id=str(licence.licence_id), error=str(exc)
        )
        return None
