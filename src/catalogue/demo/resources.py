"""Demo catalogue: a few thousand generated offerings, loaded once."""

from __future__ import annotations

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.demo import demo_loader
from catalogue.demo.generator import generate
from catalogue.resources.bulk import bulk_load, loaded
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.loader import SOURCE
from catalogue.vocabularies.skos import load_folder

DEMO_CONNECTOR = "demo"
DEMO_RESOURCES = 3_000


async def seed_catalogue(conn: Connection) -> None:
    if await loaded(conn, DEMO_CONNECTOR):
        return
    concepts, _ = load_folder(schemas_dir() / "vocabularies" / SOURCE)
    vocab = await VocabularyIndex.load(conn)
    await bulk_load(
        conn,
        vocab,
        ((item.publisher, item.draft) for item in generate(DEMO_RESOURCES, concepts)),
        connector=DEMO_CONNECTOR,
    )


@demo_loader(step=2)
async def _catalogue(conn: Connection, _: Settings) -> None:
    await seed_catalogue(conn)
