"""Statements of mobility and departures (`accounts.movements`): the person to move, their
open teacher accounts and pending requests, the académie's rule, the person re-homed or
deactivated, each move recorded. Transactions are the callers'.
"""

from __future__ import annotations

from uuid import UUID

from accounts.models import EnvelopeOnMove, PersonMovement
from accounts.records import NamedPerson, PersonToMove, TeacherAccount
from accounts.repository import SQL
from catalogue.database import Connection, fetch_all, fetch_one


async def person_to_move(conn: Connection, person_id: UUID) -> PersonToMove | None:
    return await fetch_one(conn, PersonToMove, SQL["person_to_move"], person_id)


async def people_named(conn: Connection, refs: list[str], uais: list[str]) -> list[NamedPerson]:
    return await fetch_all(conn, NamedPerson, SQL["people_named"], refs, uais)


async def open_teacher_accounts(conn: Connection, person_id: UUID) -> list[TeacherAccount]:
    return await fetch_all(conn, TeacherAccount, SQL["open_teacher_accounts"], str(person_id))


async def pending_of_person(conn: Connection, person_id: UUID) -> list[UUID]:
    return [row["id"] for row in await conn.fetch(SQL["pending_of_person"], person_id)]


async def move_rule(conn: Connection, academie: str) -> EnvelopeOnMove | None:
    found: EnvelopeOnMove | None = await conn.fetchval(SQL["move_rule"], academie)
    return found


async def set_person_establishment(
    conn: Connection, person_id: UUID, uai: str, academie: str
) -> None:
    await conn.execute(SQL["set_person_establishment"], person_id, uai, academie)
    await conn.execute(SQL["rehome_teacher_accounts"], str(person_id), uai, academie)


async def deactivate_person(conn: Connection, person_id: UUID) -> None:
    await conn.execute(SQL["deactivate_person"], person_id)


async def insert_person_movement(
    conn: Connection,
    person_id: UUID,
    kind: str,
    *,
    from_uai: str | None,
    to_uai: str | None,
    envelope: str,
    reason: str,
    by: UUID | None,
) -> PersonMovement:
    found = await fetch_one(
        conn,
        PersonMovement,
        SQL["insert_person_movement"],
        *(person_id, kind, from_uai, to_uai, envelope, reason, by),
    )
    assert found is not None  # INSERT ... RETURNING
    return found


async def person_movements(conn: Connection, person_id: UUID) -> list[PersonMovement]:
    return await fetch_all(conn, PersonMovement, SQL["person_movements"], person_id)


async def establishment_movements(conn: Connection, uai: str, limit: int) -> list[PersonMovement]:
    return await fetch_all(conn, PersonMovement, SQL["establishment_movements"], uai, limit)
