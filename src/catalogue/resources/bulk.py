"""Loading many resources at once (demo data, benchmarks) with COPY instead of one by one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from catalogue.database import Connection
from catalogue.resources import repository
from catalogue.resources.models import Provenance, ResourceDraft, Status
from catalogue.resources.outbox import wake_indexer
from catalogue.resources.service import RESOURCE_COLUMNS, normalise_draft, resource_values
from catalogue.vocabularies.index import VocabularyIndex

# COPY is binary and our jsonb codec is text: contributors (none in generated data) keep
# their column default.
_JSON_COLUMN = RESOURCE_COLUMNS.index("contributors")
_RESOURCE_COLUMNS = ["id", *(c for c in RESOURCE_COLUMNS if c != "contributors"), "published_at"]


async def bulk_load(
    conn: Connection,
    vocab: VocabularyIndex,
    items: Iterable[tuple[str, ResourceDraft]],
    *,
    connector: str,
    batch: int = 5_000,
) -> int:
    """Insert (publisher name, draft) pairs; announce them to the index in the same transaction.

    For new data only: no de-duplication against what is stored (use save_resource for that).
    """
    publishers: dict[str, uuid.UUID] = {}
    total = 0
    iterator = iter(items)
    async with conn.transaction():
        while chunk := list(islice(iterator, batch)):
            names = sorted({name for name, _ in chunk} - publishers.keys())
            if names:
                publishers.update(await repository.ensure_publishers(conn, names))
            await _copy(conn, vocab, [(publishers[n], d) for n, d in chunk], connector)
            total += len(chunk)
        await repository.enqueue_connector_outbox(conn, connector)
        await wake_indexer(conn)
    return total


async def _copy(
    conn: Connection,
    vocab: VocabularyIndex,
    chunk: list[tuple[uuid.UUID, ResourceDraft]],
    connector: str,
) -> None:
    now = datetime.now(UTC)
    resources: list[tuple[Any, ...]] = []
    offers: list[tuple[Any, ...]] = []
    identifiers: list[tuple[Any, ...]] = []
    for publisher_id, raw in chunk:
        draft, unknown = normalise_draft(raw, vocab)
        resource_id = uuid.uuid4()
        provenance = Provenance(connector=connector, source_id=str(resource_id))
        published = now if draft.status is Status.PUBLISHED else None
        resources.append(
            (
                resource_id,
                *_without_json(resource_values(publisher_id, draft, unknown, provenance)),
                published,
            )
        )
        offers.extend(
            (
                resource_id,
                str(o.licence_type),
                o.unit_price_cents,
                str(o.duration),
                o.duration_months,
                o.seats,
            )
            for o in draft.offers
        )
        identifiers.extend(
            (resource_id, publisher_id, str(i.kind), i.value) for i in draft.identifiers
        )
    await repository.copy_resources(conn, _RESOURCE_COLUMNS, resources, offers, identifiers)


async def loaded(conn: Connection, connector: str) -> int:
    return await repository.count_by_connector(conn, connector)


def _without_json(values: list[Any]) -> list[Any]:
    return values[:_JSON_COLUMN] + values[_JSON_COLUMN + 1 :]
