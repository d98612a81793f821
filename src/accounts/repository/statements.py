"""Statements of the compte ressource's readings: a person's movements, licences and
profile (their statement, their own data), envelopes and spend reports, a publisher's sales,
what a teacher may use today. Transactions are the callers'.
"""

from __future__ import annotations

from uuid import UUID

from accounts.mediacentre import Usable
from accounts.models import Envelope, Licence, Movement, Profile, Sale
from accounts.records import ActiveTeacher, EnvelopeTotals, SpendTotal
from accounts.repository import SQL
from catalogue.database import Connection, fetch_all, fetch_one

# The spend report's grouping: fixed fragments of spend.sql, never a caller's text.
_SPEND: dict[str, dict[str, str]] = {
    "publisher": {"key": "a.publisher_id::text", "label": "p.name", "join": ""},
    "discipline": {
        "key": "d.uri",
        "label": "d.uri",
        "join": "CROSS JOIN LATERAL unnest(CASE WHEN r.disciplines = '{}' THEN '{\"\"}'::text[] "
        "ELSE r.disciplines END) AS d(uri)",
    },
    "establishment": {
        "key": "a.establishment_uai",
        "label": "e.name",
        "join": "JOIN establishments e ON e.uai = a.establishment_uai",
    },
    "month": {"key": "to_char(a.completed_at, 'YYYY-MM')", "label": "''", "join": ""},
}
_SPEND_SQL = {by: SQL["spend"].format(**parts) for by, parts in _SPEND.items()}


async def movements(conn: Connection, person_id: UUID, limit: int) -> list[Movement]:
    return await fetch_all(conn, Movement, SQL["movements"], str(person_id), limit)


async def licences_of(conn: Connection, person_id: UUID) -> list[Licence]:
    return await fetch_all(conn, Licence, SQL["licences_of"], person_id)


async def envelope_totals(
    conn: Connection, period_id: UUID, kind: str, owner: str
) -> EnvelopeTotals | None:
    return await fetch_one(conn, EnvelopeTotals, SQL["envelope_self"], period_id, kind, owner)


async def envelope_children(
    conn: Connection, period_id: UUID, child_kind: str, owner: str
) -> list[Envelope]:
    return await fetch_all(conn, Envelope, SQL["envelope_children"], period_id, child_kind, owner)


async def spend(
    conn: Connection, by: str, period_id: UUID, academie: str | None, uai: str | None
) -> list[SpendTotal]:
    return await fetch_all(conn, SpendTotal, _SPEND_SQL[by], period_id, academie, uai)


async def sales(conn: Connection, publisher_id: UUID, limit: int) -> list[Sale]:
    return await fetch_all(conn, Sale, SQL["sales"], publisher_id, limit)


async def usable_resources(conn: Connection, person_id: UUID, uai: str | None) -> list[Usable]:
    """What a teacher may use today: their licences and their establishment's, valid now."""
    return await fetch_all(conn, Usable, SQL["mediacentre"], person_id, uai)


async def profile(conn: Connection, person_id: UUID) -> Profile | None:
    return await fetch_one(conn, Profile, SQL["profile"], person_id)


async def active_teacher(conn: Connection, person_id: UUID) -> ActiveTeacher | None:
    return await fetch_one(conn, ActiveTeacher, SQL["active_teacher"], person_id)
