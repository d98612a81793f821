"""The demo identities in the database: one person per role, their establishment and publisher.

Who they are (``DEMO_IDENTITIES``) and how one signs in as them stay with the product, in
``catalogue.identity.demo``; this module only writes them.
"""

from __future__ import annotations

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.demo import demo_loader
from catalogue.identity.demo import DEMO_IDENTITIES, DEMO_ISSUER
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.demo")
DEMO_ESTABLISHMENT = ("0751234J", "Collège Jean Moulin (démonstration)", "paris")
DEMO_PUBLISHER = "Éditions de démonstration"


async def seed_identities(conn: Connection) -> None:
    await conn.execute(SQL["upsert_demo_establishment"], *DEMO_ESTABLISHMENT)
    publisher_id = await conn.fetchval(SQL["upsert_demo_publisher"], DEMO_PUBLISHER)
    for identity in DEMO_IDENTITIES.values():
        await conn.execute(
            SQL["upsert_demo_person"],
            DEMO_ISSUER,
            identity.subject,
            identity.display_name,
            identity.email,
            list(identity.roles),
            identity.establishment_uai,
            identity.academie,
            publisher_id if "publisher" in identity.roles else None,
        )


@demo_loader(step=1)
async def _identities(conn: Connection, _: Settings) -> None:
    await seed_identities(conn)
