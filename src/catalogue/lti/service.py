"""LTI use cases as the handlers call them: each owns its unit of work (one pooled
connection, one transaction where several statements must hold together)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import httpx
import structlog

from catalogue.config import Settings
from catalogue.identity.models import Principal
from catalogue.lti import launch, registration, repository
from catalogue.lti.models import Link, RegisteredTool, RegistrationUrl, ToolRegistration
from catalogue.lti.records import PublisherTool
from catalogue.vocabularies.index import VocabularyIndex

log = structlog.get_logger(__name__)


async def register_tool(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    vocab: VocabularyIndex,
    settings: Settings,
    *,
    publisher_id: UUID,
    tool: ToolRegistration,
) -> RegisteredTool:
    """A tool a publisher registers through the API: checked first, then written in one
    transaction."""
    ready = await registration.check_tool(http, settings, tool, via="api")
    async with pool.acquire() as conn, conn.transaction():
        registered, _ = await registration.store_tool(
            conn, vocab, settings, publisher_id=publisher_id, tool=tool, ready=ready
        )
    log.info("lti tool registered", client_id=ready.client_id, via=ready.via)
    return registered


async def register_with_token(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    vocab: VocabularyIndex,
    settings: Settings,
    *,
    token: str,
    tool: ToolRegistration,
) -> dict[str, Any]:
    """Dynamic Registration: the token is used up by the registration it lets in, in one
    transaction (a refused registration leaves the token usable)."""
    async with pool.acquire() as conn, conn.transaction():
        publisher_id = await registration.publisher_of_token(conn, token)
        ready = await registration.check_tool(http, settings, tool, via="dynamic")
        _, answer = await registration.store_tool(
            conn, vocab, settings, publisher_id=publisher_id, tool=tool, ready=ready
        )
    log.info("lti tool registered", client_id=ready.client_id, via=ready.via)
    return answer


async def tools_of_publisher(pool: asyncpg.Pool, publisher_id: UUID) -> list[PublisherTool]:
    async with pool.acquire() as conn:
        return await repository.tools_of_publisher(conn, publisher_id)


async def start_dynamic_registration(
    pool: asyncpg.Pool, settings: Settings, publisher_id: UUID, tool_url: str
) -> RegistrationUrl:
    async with pool.acquire() as conn:
        return await registration.start_dynamic_registration(conn, settings, publisher_id, tool_url)


async def links_of(pool: asyncpg.Pool, person_id: UUID | None) -> list[Link]:
    """Contents a teacher picked inside tools (Deep Linking)."""
    async with pool.acquire() as conn:
        return await repository.links_of(conn, person_id)


async def start_launch(
    pool: asyncpg.Pool,
    settings: Settings,
    principal: Principal,
    resource_id: UUID,
    *,
    deep_linking: bool = False,
    link_id: UUID | None = None,
) -> str:
    async with pool.acquire() as conn:
        return await launch.start(
            conn, settings, principal, resource_id, deep_linking=deep_linking, link_id=link_id
        )


async def authorize(
    pool: asyncpg.Pool,
    settings: Settings,
    pseudonym_key: bytes,
    principal: Principal,
    request: launch.AuthRequest,
) -> launch.FormPost:
    async with pool.acquire() as conn:
        return await launch.authorize(conn, settings, pseudonym_key, principal, request)


async def deep_link_return(
    pool: asyncpg.Pool, settings: Settings, keys: launch.ToolKeys, token: str
) -> list[Link]:
    async with pool.acquire() as conn:
        return await launch.deep_link_return(conn, settings, keys, token)
