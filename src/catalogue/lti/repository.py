"""Queries of the LTI platform, returning msgspec Structs (statements in ``lti/sql/``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.lti.models import Link
from catalogue.lti.records import (
    DeepLinkLaunch,
    Launchable,
    LaunchContext,
    PendingLaunch,
    PublisherTool,
    Tool,
)
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.lti")


# Tools and their registration.


async def insert_registration_token(
    conn: Connection, token_hash: bytes, publisher_id: UUID, lifetime_s: int
) -> None:
    await conn.execute(SQL["insert_registration_token"], token_hash, publisher_id, lifetime_s)


async def use_registration_token(conn: Connection, token_hash: bytes) -> UUID | None:
    """The publisher the token was issued to, once, in time; None otherwise."""
    publisher_id: UUID | None = await conn.fetchval(SQL["use_registration_token"], token_hash)
    return publisher_id


async def publisher_suspended(conn: Connection, publisher_id: UUID) -> bool:
    return bool(await conn.fetchval(SQL["publisher_suspended"], publisher_id))


async def insert_tool(conn: Connection, *values: Any) -> UUID:
    """A tool (the columns of insert_tool.sql, in order); its id."""
    tool_id: UUID = await conn.fetchval(SQL["insert_tool"], *values)
    return tool_id


async def bind_resource(conn: Connection, resource_id: UUID, tool_id: UUID) -> None:
    """The resource is launched by the tool."""
    await conn.execute(SQL["bind_resource"], resource_id, tool_id)


async def tool_by_client(conn: Connection, client_id: str) -> Tool | None:
    return await fetch_one(conn, Tool, SQL["tool_by_client"], client_id)


async def tools_of_publisher(conn: Connection, publisher_id: UUID) -> list[PublisherTool]:
    return await fetch_all(conn, PublisherTool, SQL["tools_of_publisher"], publisher_id)


# Launches.


async def launchable(
    conn: Connection, resource_id: UUID, person_id: UUID | None, uai: str | None
) -> Launchable | None:
    """None when there is no such resource."""
    return await fetch_one(conn, Launchable, SQL["launchable"], resource_id, person_id, uai)


async def owns_link(conn: Connection, link_id: UUID, person_id: UUID, resource_id: UUID) -> bool:
    """Whether this teacher picked this link for this resource."""
    return bool(await conn.fetchval(SQL["link_of"], link_id, person_id, resource_id))


async def insert_launch(
    conn: Connection,
    person_id: UUID,
    tool_id: UUID,
    resource_id: UUID,
    *,
    link_id: UUID | None,
    message_type: str,
) -> UUID:
    """A launch, valid for five minutes; its id."""
    launch_id: UUID = await conn.fetchval(
        SQL["insert_launch"], person_id, tool_id, resource_id, link_id, message_type
    )
    return launch_id


async def use_nonce(conn: Connection, client_id: str, nonce: str) -> bool:
    """False when the tool used this nonce before."""
    return await conn.fetchval(SQL["use_nonce"], client_id, nonce) is not None


async def authorize_launch(
    conn: Connection, launch_id: UUID, person_id: UUID | None
) -> PendingLaunch | None:
    """The launch, marked authorised: once, in time, by the same teacher; None otherwise."""
    return await fetch_one(conn, PendingLaunch, SQL["authorize_launch"], launch_id, person_id)


async def launch_context(
    conn: Connection, resource_id: UUID, tool_id: UUID, link_id: UUID | None, uai: str | None
) -> LaunchContext | None:
    return await fetch_one(
        conn, LaunchContext, SQL["launch_context"], resource_id, tool_id, link_id, uai
    )


async def return_deep_link(
    conn: Connection, launch_id: UUID, tool_id: UUID
) -> DeepLinkLaunch | None:
    """The deep-linking launch, marked answered (once, within the hour); None otherwise."""
    return await fetch_one(conn, DeepLinkLaunch, SQL["return_deep_link"], launch_id, tool_id)


# Links picked through Deep Linking.


async def insert_link(
    conn: Connection,
    *,
    person_id: UUID,
    tool_id: UUID,
    resource_id: UUID,
    kind: str,
    title: str,
    url: str | None,
    custom: dict[str, Any],
) -> Link:
    link = await fetch_one(
        conn, Link, SQL["insert_link"], person_id, tool_id, resource_id, kind, title, url, custom
    )
    assert link is not None  # an insert returns its row
    return link


async def links_of(conn: Connection, person_id: UUID | None) -> list[Link]:
    return await fetch_all(conn, Link, SQL["links_of"], person_id)
