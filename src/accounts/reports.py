"""Statements and reports, each scoped to what the caller may see, and their CSV form."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Literal
from uuid import UUID

import msgspec

from accounts.acquisitions import list_acquisitions
from accounts.bulk import FORMULA_STARTS
from accounts.ledger import SQL, ensure_administers, ensure_scope, period_or_current
from accounts.models import (
    Envelope,
    EnvelopeView,
    Licence,
    Movement,
    MyAccount,
    Period,
    Sale,
    Sales,
    SpendReport,
    SpendRow,
)
from catalogue.database import Connection
from catalogue.identity.models import Principal, Role
from catalogue.vocabularies.index import VocabularyIndex

SpendBy = Literal["publisher", "discipline", "establishment", "month"]
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
HISTORY = 100


async def my_account(conn: Connection, person_id: UUID) -> MyAccount:
    """A teacher's statement: the current period's balance, movements, acquisitions, licences."""
    row = await conn.fetchrow(SQL["current_period"])
    period = msgspec.convert(dict(row), Period) if row else None
    balance = 0
    if period is not None:
        account = await conn.fetchrow(SQL["account"], period.id, "teacher", str(person_id))
        balance = account["balance_cents"] if account else 0
    movements = await conn.fetch(SQL["movements"], str(person_id), HISTORY)
    licences = await conn.fetch(SQL["licences_of"], person_id)
    return MyAccount(
        period=period,
        balance_cents=balance,
        history=[msgspec.convert(dict(m), Movement) for m in movements],
        acquisitions=await list_acquisitions(conn, person_id=person_id, limit=HISTORY),
        licences=[msgspec.convert(dict(lic), Licence) for lic in licences],
    )


async def envelope(
    conn: Connection,
    principal: Principal,
    kind: Literal["establishment", "academie"],
    owner: str,
    period_id: UUID | None,
) -> EnvelopeView:
    """An establishment with its teachers, or an académie with its establishments."""
    await ensure_scope(conn, principal, kind, owner)
    period = await period_or_current(conn, period_id)
    own = await conn.fetchrow(SQL["envelope_self"], period.id, kind, owner)
    children = await conn.fetch(
        SQL["envelope_children"],
        period.id,
        "teacher" if kind == "establishment" else "establishment",
        owner,
    )
    uai, academie = (owner, None) if kind == "establishment" else (None, owner)
    return EnvelopeView(
        scope=owner,
        period=period,
        balance_cents=own["balance_cents"] if own else 0,
        allocated_cents=own["allocated_cents"] if own else 0,
        children=[msgspec.convert(dict(c), Envelope) for c in children],
        pending=await list_acquisitions(
            conn, status="pending_approval", uai=uai, academie=academie
        ),
    )


def report_scope(
    principal: Principal, academie: str | None, uai: str | None
) -> tuple[str | None, str | None]:
    """Narrow a report to the caller's perimeter: an establishment admin sees only their UAI."""
    if principal.has(Role.NATIONAL_ADMIN):
        return academie, uai
    if principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
        if academie not in (None, principal.academie):
            ensure_administers(principal, academie=academie or "")
        return principal.academie, uai
    if uai not in (None, principal.establishment_uai):
        ensure_administers(principal, academie="", uai=uai)
    return None, principal.establishment_uai


async def spend(
    conn: Connection,
    vocab: VocabularyIndex,
    principal: Principal,
    *,
    by: SpendBy,
    period_id: UUID | None,
    academie: str | None,
    uai: str | None,
) -> SpendReport:
    academie, uai = report_scope(principal, academie, uai)
    period = await period_or_current(conn, period_id)
    rows = await conn.fetch(_SPEND_SQL[by], period.id, academie, uai)
    return SpendReport(
        by=by,
        period_id=period.id,
        rows=[
            SpendRow(
                key=r["key"],
                label=(vocab.label(r["key"]) if r["key"] else "(sans discipline)")
                if by == "discipline"
                else r["label"] or r["key"],
                acquisitions=r["acquisitions"],
                amount_cents=r["amount_cents"],
            )
            for r in rows
        ],
    )


async def sales(conn: Connection, publisher_id: UUID, limit: int) -> Sales:
    rows = await conn.fetch(SQL["sales"], publisher_id, limit)
    return Sales(items=[msgspec.convert(dict(r), Sale) for r in rows])


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    if value is None or isinstance(value, int):
        return "" if value is None else str(value)  # a number, even negative, stays a number
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
