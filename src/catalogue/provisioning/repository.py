"""Statements of the provisioning: people and establishments in the SCIM view.

The only module of ``catalogue.provisioning`` that runs SQL; rows leave it as the Structs of
``records.py``. Transactions are the callers'.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.provisioning.records import (
    Member,
    PersonFields,
    ProvisionedEstablishment,
    ProvisionedPerson,
)
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.provisioning")


class TakenError(Exception):
    """A userName or an externalId another person of the view has (a unique index)."""


async def person(conn: Connection, person_id: UUID) -> ProvisionedPerson | None:
    return await fetch_one(conn, ProvisionedPerson, SQL["person"], person_id)


async def lock_person(conn: Connection, person_id: UUID) -> ProvisionedPerson | None:
    return await fetch_one(conn, ProvisionedPerson, SQL["lock_person"], person_id)


async def people(
    conn: Connection, *, user_name: str | None, external_id: str | None, email: str | None
) -> list[ProvisionedPerson]:
    return await fetch_all(conn, ProvisionedPerson, SQL["people"], user_name, external_id, email)


async def insert_person(conn: Connection, fields: PersonFields) -> ProvisionedPerson | None:
    """The person created; None when their establishment is unknown or closed."""
    try:
        person = await fetch_one(
            conn,
            ProvisionedPerson,
            SQL["insert_person"],
            fields.user_name,
            fields.external_id,
            fields.display_name,
            fields.given_name,
            fields.family_name,
            fields.name_formatted,
            fields.email,
            fields.roles,
            fields.establishment_uai,
            fields.active,
            fields.stated_active,
        )
    except asyncpg.UniqueViolationError:
        raise TakenError from None
    return person


async def update_person(conn: Connection, person_id: UUID, fields: PersonFields) -> None:
    try:
        await conn.execute(
            SQL["update_person"],
            person_id,
            fields.user_name,
            fields.external_id,
            fields.display_name,
            fields.given_name,
            fields.family_name,
            fields.name_formatted,
            fields.email,
            fields.roles,
            fields.stated_active,
        )
    except asyncpg.UniqueViolationError:
        raise TakenError from None


async def move_person(
    conn: Connection, person_id: UUID, establishment_uai: str | None, *, active: bool
) -> None:
    await conn.execute(SQL["move_person"], person_id, establishment_uai, active)


async def remove_person(conn: Connection, person_id: UUID) -> None:
    await conn.execute(SQL["remove_person"], person_id)


async def establishment_state(conn: Connection, uai: str) -> str | None:
    state: str | None = await conn.fetchval(SQL["establishment_state"], uai)
    return state


async def establishment(conn: Connection, group_id: UUID) -> ProvisionedEstablishment | None:
    return await fetch_one(conn, ProvisionedEstablishment, SQL["establishment"], group_id)


async def lock_establishment(conn: Connection, group_id: UUID) -> str | None:
    """The UAI of the Group's establishment, locked (None: no such Group)."""
    uai: str | None = await conn.fetchval(SQL["lock_establishment"], group_id)
    return uai


async def establishments(
    conn: Connection, *, display_name: str | None, external_id: str | None
) -> list[ProvisionedEstablishment]:
    return await fetch_all(
        conn, ProvisionedEstablishment, SQL["establishments"], display_name, external_id
    )


async def provision_establishment(
    conn: Connection,
    uai: str,
    display_name: str,
    external_id: str | None,
    *,
    group_id: UUID,
    created_at: datetime,
    version: int,
) -> bool:
    """False when a Group stands for it already."""
    try:
        done = await conn.fetchval(
            SQL["provision_establishment"],
            uai,
            display_name,
            external_id,
            group_id,
            created_at,
            version,
        )
    except asyncpg.UniqueViolationError:
        raise TakenError from None
    return done is not None


async def update_establishment(
    conn: Connection, uai: str, display_name: str, external_id: str | None
) -> None:
    try:
        await conn.execute(SQL["update_establishment"], uai, display_name, external_id)
    except asyncpg.UniqueViolationError:
        raise TakenError from None


async def unprovision_establishment(conn: Connection, uai: str) -> bool:
    return await conn.fetchval(SQL["unprovision_establishment"], uai) is not None


async def member_names(conn: Connection, ids: list[UUID]) -> list[Member]:
    return await fetch_all(conn, Member, SQL["member_names"], ids)
