"""Browser sessions kept on the server: the cookie carries a random id, the database its hash.

Signing out ends the session at once on the process that did it and, through a notice on
``SESSIONS_CHANNEL``, on every other one (within the cache's few seconds at worst).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any
from uuid import UUID

from catalogue.database import Connection
from catalogue.identity import repository

SESSIONS_CHANNEL = "catalogue_sessions"
# A notice's payload: a session's hash (hex), or this prefix and a person's id.
PERSON_PREFIX = "person:"


def id_hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()


async def open_session(conn: Connection, person_id: UUID, lifetime_s: int) -> dict[str, Any]:
    """A new session: what the session cookie holds (its id, its person, when it expires)."""
    session_id = secrets.token_urlsafe(32)
    expires_at = int(time.time()) + lifetime_s
    async with conn.transaction():
        await repository.forget_expired_sessions(conn, person_id)
        await repository.insert_session(conn, id_hash(session_id), person_id, expires_at)
    return {"sid": session_id, "person_id": str(person_id), "expires_at": expires_at}


async def session_person(conn: Connection, hashed: bytes) -> UUID | None:
    """The person of a session that is neither ended nor expired."""
    return await repository.session_person(conn, hashed)


async def end_session(conn: Connection, hashed: bytes) -> None:
    async with conn.transaction():
        await repository.end_session(conn, hashed)
        await repository.notify(conn, SESSIONS_CHANNEL, hashed.hex())


async def end_all_sessions(conn: Connection, person_id: UUID) -> int:
    async with conn.transaction():
        ended = await repository.end_sessions_of_person(conn, person_id)
        await repository.notify(conn, SESSIONS_CHANNEL, f"{PERSON_PREFIX}{person_id}")
    return ended
