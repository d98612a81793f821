"""Demo identities, one per role (three teachers, for the communs' journeys: one publishes,
another adapts, a third reports), and signing in as them (the embedded default).

``catalogue.demo.identities`` writes them into the database.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.errors import ConfigurationError, NotFoundError
from catalogue.identity import repository
from catalogue.identity.tokens import issue_access_token
from catalogue.outbound import is_loopback

DEMO_ISSUER = "urn:catalogue:demo"


class DemoIdentity(msgspec.Struct, frozen=True):
    subject: str
    display_name: str
    email: str
    roles: tuple[str, ...]
    establishment_uai: str | None = None
    academie: str | None = None


DEMO_IDENTITIES: dict[str, DemoIdentity] = {
    "teacher": DemoIdentity(
        "demo-enseignant",
        "Camille Martin",
        "camille.martin@demo.invalid",
        ("teacher",),
        establishment_uai="0751234J",
        academie="paris",
    ),
    # Two more teachers of the same collège (added after the others: their ids are new rows,
    # the existing demo people keep theirs).
    "teacher_2": DemoIdentity(
        "demo-enseignante-2",
        "Louise Moreau",
        "louise.moreau@demo.invalid",
        ("teacher",),
        establishment_uai="0751234J",
        academie="paris",
    ),
    "teacher_3": DemoIdentity(
        "demo-enseignant-3",
        "Nathan Roux",
        "nathan.roux@demo.invalid",
        ("teacher",),
        establishment_uai="0751234J",
        academie="paris",
    ),
    "establishment_admin": DemoIdentity(
        "demo-chef-etablissement",
        "Dominique Bernard",
        "dominique.bernard@demo.invalid",
        ("establishment_admin",),
        establishment_uai="0751234J",
        academie="paris",
    ),
    "academie_admin": DemoIdentity(
        "demo-academie",
        "Claude Petit",
        "claude.petit@demo.invalid",
        ("academie_admin",),
        academie="paris",
    ),
    "national_admin": DemoIdentity(
        "demo-national",
        "Alex Durand",
        "alex.durand@demo.invalid",
        ("national_admin",),
    ),
    "publisher": DemoIdentity(
        "demo-editeur",
        "Sam Leroy",
        "sam.leroy@demo.invalid",
        ("publisher",),
    ),
}


def ensure_demo_allowed(settings: Settings, host: str) -> None:
    """Demo identities sign anyone in: never in production, never beyond this machine."""
    if settings.production:
        raise ConfigurationError("demo mode is refused when CATALOGUE_PRODUCTION is set")
    if not is_loopback(host):
        raise ConfigurationError(
            f"demo mode only binds to a loopback address (127.0.0.1, ::1), not {host!r}"
        )


def demo_sign_in_allowed(settings: Settings) -> bool:
    try:
        ensure_demo_allowed(settings, settings.host)
    except ConfigurationError:
        return False
    return settings.demo


async def demo_person_id(conn: Connection, role: str) -> UUID:
    identity = DEMO_IDENTITIES.get(role)
    person_id = None
    if identity is not None:
        person_id = await repository.find_person_id(conn, DEMO_ISSUER, identity.subject)
    if person_id is None:
        raise NotFoundError(
            "the demo identities are not loaded in this database: "
            "run `catalogue serve --demo` first",
            public="Les identités de démonstration ne sont pas chargées dans cette base.",
        )
    return person_id


async def demo_token(conn: Connection, settings: Settings, role: str) -> str:
    person_id = await demo_person_id(conn, role)
    return await issue_access_token(conn, settings, subject=str(person_id))
