"""Announcing changed resources to the search index: the writing end of the search outbox.

A change writes an outbox row (`sql/enqueue_outbox.sql`) and enqueues the pgqueuer job
`INDEX_JOB` in its own transaction; `catalogue.search.outbox` drains the rows. This end
lives with the resources, which own the rows it writes, so that resources never import
search.
"""

from __future__ import annotations

from uuid import UUID

from pgqueuer import AsyncpgDriver, Queries

from catalogue.database import Connection
from catalogue.resources import repository

INDEX_JOB = "index-search-outbox"


async def announce_changes(
    conn: Connection, resource_ids: list[UUID], *, wake_worker: bool = True
) -> None:
    """Call inside the transaction that changed the resources. A batch of changes (an
    import) wakes the worker once at its end instead (`wake_indexer`)."""
    await repository.enqueue_outbox(conn, resource_ids)
    if wake_worker:
        await wake_indexer(conn)


async def wake_indexer(conn: Connection) -> None:
    await Queries(AsyncpgDriver(conn)).enqueue(INDEX_JOB, None)  # type: ignore[arg-type]
