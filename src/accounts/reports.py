"""Statements and reports, each scoped to what the caller may see, and their CSV form."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from accounts import repository
from accounts.bulk import FORMULA_STARTS
from accounts.ledger import ensure_administers, ensure_scope, period_or_current
from accounts.models import EnvelopeView, MyAccount, MyData, Sales, SpendReport, SpendRow
from accounts.personal_data import DataPart, PersonalData
from accounts.repository import moves, statements
from catalogue.database import Connection
from catalogue.errors import NotFoundError
from catalogue.identity.models import Principal, Role
from catalogue.vocabularies.index import VocabularyIndex

SpendBy = Literal["publisher", "discipline", "establishment", "month"]


class SpendQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A spend report asked for: its grouping, a period (None: the current one) and a part
    of the caller's perimeter (None: all of it)."""

    by: SpendBy
    period_id: UUID | None = None
    academie: str | None = None
    uai: str | None = None


HISTORY = 100
EVERYTHING = 1_000_000  # a person's whole history, for their own download


async def my_account(conn: Connection, person_id: UUID) -> MyAccount:
    """A teacher's statement: the current period's balance, movements, acquisitions, licences."""
    period = await repository.current_period(conn)
    balance = 0
    if period is not None:
        balance = await repository.balance_of(conn, period.id, "teacher", str(person_id))
    movements = await statements.movements(conn, person_id, HISTORY)
    licences = await statements.licences_of(conn, person_id)
    return MyAccount(
        period=period,
        balance_cents=balance,
        history=movements,
        acquisitions=await repository.acquisitions(conn, person_id=person_id, limit=HISTORY),
        licences=licences,
    )


async def my_data(
    conn: Connection, person_id: UUID, elsewhere: Sequence[PersonalData] = ()
) -> MyData:
    """Everything kept on a person, for them to download (RGPD access and portability),
    with the parts the other contexts keep (``elsewhere``, in ``sections``)."""
    profile = await statements.profile(conn, person_id)
    if profile is None:
        raise NotFoundError("Personne introuvable.")
    return MyData(
        exported_at=datetime.now(UTC),
        profile=profile,
        moves=await moves.person_movements(conn, person_id),
        movements=await statements.movements(conn, person_id, EVERYTHING),
        acquisitions=await repository.acquisitions(conn, person_id=person_id, limit=EVERYTHING),
        licences=await statements.licences_of(conn, person_id),
        sections={source.section: await source.collect(conn, person_id) for source in elsewhere},
    )


def my_data_rows(data: MyData) -> list[tuple[Any, ...]]:
    """The download as one CSV table: a row per fact, its section first."""
    p = data.profile
    rows: list[tuple[Any, ...]] = [
        ("profil", "", name, "", value)
        for name, value in (
            ("identifiant", str(p.id)),
            ("nom", p.display_name),
            ("courriel", p.email or ""),
            ("rôles", " ".join(p.roles)),
            ("établissement", p.establishment_uai or ""),
            ("académie", p.academie or ""),
            ("créé le", p.created_at.isoformat()),
            ("vu le", p.last_seen_at.isoformat() if p.last_seen_at else ""),
            ("désactivé le", p.deactivated_at.isoformat() if p.deactivated_at else ""),
        )
    ]
    rows += [
        (
            "mobilité",
            m.moved_at.isoformat(),
            m.kind,
            "",
            f"{m.from_uai or ''} -> {m.to_uai or ''} ({m.reason})",
        )
        for m in data.moves
    ]
    rows += [
        ("mouvement", m.at.isoformat(), m.kind, m.amount_cents, m.reason or m.acquisition_id or "")
        for m in data.movements
    ]
    rows += [
        ("acquisition", a.created_at.isoformat(), a.status, a.total_cents, a.resource_title)
        for a in data.acquisitions
    ]
    rows += [
        ("licence", lic.valid_from.isoformat(), lic.holder_kind, "", lic.resource_title)
        for lic in data.licences
    ]
    for part in data.sections.values():
        written: DataPart = part  # what a source collected (accounts.personal_data)
        rows += [
            (rubrique, at, kind, "", detail) for rubrique, at, kind, detail in written.csv_rows()
        ]
    return rows


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
    own = await statements.envelope_totals(conn, period.id, kind, owner)
    children = await statements.envelope_children(
        conn, period.id, "teacher" if kind == "establishment" else "establishment", owner
    )
    uai, academie = (owner, None) if kind == "establishment" else (None, owner)
    return EnvelopeView(
        scope=owner,
        period=period,
        balance_cents=own.balance_cents if own else 0,
        allocated_cents=own.allocated_cents if own else 0,
        children=children,
        pending=await repository.acquisitions(
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
    conn: Connection, vocab: VocabularyIndex, principal: Principal, query: SpendQuery
) -> SpendReport:
    by = query.by
    academie, uai = report_scope(principal, query.academie, query.uai)
    period = await period_or_current(conn, query.period_id)
    totals = await statements.spend(conn, by, period.id, academie, uai)
    return SpendReport(
        by=by,
        period_id=period.id,
        rows=[
            SpendRow(
                key=t.key,
                label=(vocab.label(t.key) if t.key else "(sans discipline)")
                if by == "discipline"
                else t.label or t.key,
                acquisitions=t.acquisitions,
                amount_cents=t.amount_cents,
            )
            for t in totals
        ],
    )


async def sales(conn: Connection, publisher_id: UUID, limit: int) -> Sales:
    return Sales(items=await statements.sales(conn, publisher_id, limit))


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
