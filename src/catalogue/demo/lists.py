"""Demo lists: two public lists by the demo teacher, one featured on the demo collège's page,
so that a newcomer finds something at /listes/recherche and /etablissements/0751234J."""

from __future__ import annotations

from uuid import UUID

from catalogue.collections import repository
from catalogue.collections.models import Visibility
from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.demo import demo_loader
from catalogue.identity.demo import DEMO_IDENTITIES, demo_person_id
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.demo")
PER_LIST = 5
# (title, description, titles matched (ILIKE), featured by the demo collège)
DEMO_LISTS = (
    (
        "Les fractions en 6e",
        "Des ressources pour introduire puis consolider les fractions au collège.",
        "%fractions%",
        True,
    ),
    (
        "Géométrie au cycle 3",
        "Figures, constructions et géométrie dynamique, du CM1 à la 6e.",
        "%géométrie%",
        False,
    ),
)


@demo_loader(step=4)
async def seed_lists(conn: Connection, _: Settings) -> None:
    teacher = await demo_person_id(conn, "teacher")
    head = await demo_person_id(conn, "establishment_admin")
    uai = DEMO_IDENTITIES["establishment_admin"].establishment_uai
    for title, description, matching, featured in DEMO_LISTS:
        if await conn.fetchval(SQL["demo_list_seeded"], teacher, title):
            continue  # seeded at an earlier start
        made = await repository.insert_collection(
            conn,
            teacher,
            title=title,
            description=description,
            visibility=Visibility.PUBLIC,
            share_token=None,
        )
        found: list[UUID] = await conn.fetchval(SQL["demo_list_resources"], matching, PER_LIST)
        for resource_id in found:
            await repository.insert_item(conn, made.id, resource_id)
        if featured:
            await repository.feature(conn, made.id, uai, None, head)
