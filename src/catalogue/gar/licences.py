"""Licences as GAR subscriptions: the body of a call to the subscription service, built by
the worker when it first sends the call (`body_of`), from the licence and its resource as
they stand then. The compte ressource writes only the call (`catalogue.gar.outbox.call`) in
the transaction that moves the money, so a purchase never pays for the XML.

A subscription is the licence's (`idAbonnement` is the licence id), for the resource under
its GAR id (the one its publisher gave, else its ARK), only when its publisher flagged it
GAR-referenced and the GAR is configured. A body that cannot be built (data the GAR would
refuse) fails its delivery, with why, in the delivery log; the purchase stands.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from catalogue.config import GarSettings
from catalogue.gar.subscriptions import (
    GAR_TIME_ZONE,
    Subscription,
    audiences_for,
    body,
    licences_for,
)
from catalogue.gar.transport import Method

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


def body_of(gar: GarSettings, method: Method, licence: Subscribed) -> bytes:
    """The XML body of a creation (PUT, with ``uaiEtab``) or an update (POST, without).
    Data the GAR would refuse raises msgspec.ValidationError or ValueError."""
    return body(subscription(gar, licence), update=method == "POST")
