"""Publishers as accounts (the catalogue issue adds their offerings and moderation)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
import msgspec

from catalogue.identity import repository


class NewPublisher(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class PublisherView(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    status: str


async def create(pool: asyncpg.Pool, request: NewPublisher) -> PublisherView:
    async with pool.acquire() as conn:
        stored = await repository.insert_publisher(conn, request.name.strip())
    return PublisherView(id=stored.id, name=stored.name, status=stored.status)
