"""Load the shipped vocabularies into PostgreSQL when their files changed."""

from __future__ import annotations

import hashlib

import msgspec
import structlog

from catalogue.database import Connection
from catalogue.shipped import schemas_dir
from catalogue.sqlfiles import load_queries
from catalogue.vocabularies.extra import extra_concepts
from catalogue.vocabularies.skos import load_folder

log = structlog.get_logger(__name__)
SQL = load_queries("catalogue.vocabularies")
SOURCE = "scolomfr-3.2.0"
_COLUMNS = [
    "uri",
    "scheme",
    "label",
    "alt_labels",
    "broader",
    "ancestors",
    "replaced_by",
    "deprecated",
]


async def load_vocabularies(conn: Connection) -> bool:
    """Load the vocabularies if they changed since the last load; say whether they did."""
    concepts, checksum = load_folder(schemas_dir() / "vocabularies" / SOURCE)
    extras = extra_concepts()
    checksum = hashlib.sha256(checksum.encode() + msgspec.json.encode(extras)).hexdigest()
    concepts.extend(extras)
    if await conn.fetchval(SQL["vocabulary_checksum"], SOURCE) == checksum:
        return False
    async with conn.transaction():
        await conn.execute(SQL["create_staging"])
        await conn.copy_records_to_table(
            "staging_concepts",
            records=[
                (
                    c.uri,
                    c.scheme,
                    c.label,
                    c.alt_labels,
                    c.broader,
                    c.ancestors,
                    c.replaced_by,
                    c.deprecated,
                )
                for c in concepts
            ],
            columns=_COLUMNS,
        )
        await conn.execute(SQL["merge_concepts"])
        await conn.execute(SQL["record_source"], SOURCE, checksum, len(concepts))
    log.info("vocabularies loaded", source=SOURCE, concepts=len(concepts))
    return True
