"""Allocations to teachers from a CSV file: every line checked first, then all applied or none.

Columns: UAI, teacher (person id or e-mail), amount in euros with at most two decimals.
Comma or semicolon separated, UTF-8 (a BOM is fine), an optional header row starting "UAI".
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from uuid import UUID

import msgspec

from accounts import repository
from accounts.errors import InsufficientFundsError
from accounts.ledger import (
    SELF_ALLOCATION,
    closed_establishment,
    ensure_account,
    ensure_administers,
    inactive_person,
    period_or_current,
    transfer,
)
from accounts.models import MAX_CENTS, CsvLine, CsvReport
from catalogue.database import Connection
from catalogue.errors import ForbiddenError, InvalidInputError, UnprocessableError
from catalogue.identity.models import Principal
from catalogue.identity.uai import uai_problem
from catalogue.money import euros

MAX_LINES = 10_000
_AMOUNT = re.compile(r"(\d{1,9})(?:[.,](\d{1,2}))?")
Good = tuple[CsvLine, str, str]  # a line, its teacher's person id and académie
# A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_cents(text: str) -> int:
    """'12', '12.5', '12,50' -> cents; anything else is refused with the reason."""
    if text.startswith("-"):
        raise ValueError("montant négatif")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(f"montant illisible {text!r} (euros, au plus deux décimales)")
    cents = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
    if cents == 0:
        raise ValueError("montant nul")
    if cents > MAX_CENTS:
        raise ValueError("montant trop élevé")
    return cents


def read_rows(body: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"Le fichier n'est pas en UTF-8 (octet invalide en position {exc.start})."
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [
            (number, [cell.strip() for cell in cells])
            for number, cells in enumerate(reader, 1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as exc:  # a cell over the reader's limit (128 KiB)
        raise InvalidInputError(
            f"Fichier illisible à la ligne {reader.line_num} : {_csv_reason(exc)}."
        ) from None
    if rows and rows[0][1] and rows[0][1][0].casefold() == "uai":
        rows = rows[1:]
    if not rows:
        raise InvalidInputError("Le fichier ne contient aucune ligne.")
    if len(rows) > MAX_LINES:
        raise InvalidInputError(f"Au plus {MAX_LINES} lignes par fichier.")
    return rows


def _csv_reason(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"une cellule dépasse {csv.field_size_limit() // 1024} Kio"
    return "CSV mal formé"


def _cell_error(cells: list[str]) -> str | None:
    if len(cells) != 3:
        return f"3 colonnes attendues, {len(cells)} trouvées"
    for cell in cells[:2]:
        if cell.startswith(FORMULA_STARTS):
            return f"cellule refusée {cell[:20]!r} : une formule n'est pas une valeur"
    return uai_problem(cells[0])


def _read_line(number: int, cells: list[str]) -> CsvLine:
    """The line's report, with its error when its cells alone are wrong."""
    padded = [*cells, "", "", ""][:3]
    line = CsvLine(line=number, uai=padded[0], teacher=padded[1], amount_cents=None)
    line.error = _cell_error(cells)
    if line.error is None:
        try:
            line.amount_cents = parse_cents(padded[2])
        except ValueError as exc:
            line.error = str(exc)
    return line


async def _teachers(conn: Connection, principal: Principal, lines: list[CsvLine]) -> list[Good]:
    """Each well-formed line's teacher (one query for the file), in scope, named once."""
    readable = [line for line in lines if line.error is None]
    named = await repository.teachers_named(
        conn, [line.teacher for line in readable], [line.uai for line in readable]
    )
    found = {(t.ref, t.uai): t for t in named}
    first_line: dict[tuple[str, str], int] = {}
    good: list[Good] = []
    for line in readable:
        named_teacher = found.get((line.teacher, line.uai))
        if named_teacher is None:
            line.error = f"aucun enseignant {line.teacher!r} dans l'établissement {line.uai}"
            continue
        teacher = (str(named_teacher.id), named_teacher.academie)
        try:
            ensure_administers(principal, academie=teacher[1], uai=line.uai)
        except ForbiddenError as exc:
            line.error = exc.detail
            continue
        if named_teacher.deactivated:
            line.error = inactive_person(line.teacher)
            continue
        if named_teacher.establishment_state == "closed":
            line.error = closed_establishment(line.uai)
            continue
        if teacher[0] == str(principal.person_id):
            line.error = SELF_ALLOCATION
            continue
        first = first_line.setdefault((line.uai, teacher[0]), line.line)
        if first != line.line:
            line.error = f"doublon de la ligne {first}"
            continue
        good.append((line, *teacher))
    return good


async def allocate_csv(conn: Connection, principal: Principal, body: bytes) -> CsvReport:
    """Check every line, then apply them all in the caller's transaction, or refuse with 422."""
    period = await period_or_current(conn, None)
    lines = [_read_line(number, cells) for number, cells in read_rows(body)]
    good = await _teachers(conn, principal, lines)
    _check_funds(await _establishment_balances(conn, period.id, good), good)
    if any(line.error for line in lines):
        raise UnprocessableError(
            "Fichier refusé : aucune ligne n'a été appliquée.",
            errors=[msgspec.to_builtins(line) for line in lines if line.error],
        )
    sources: dict[str, int] = {}
    for line, person_id, academie in good:
        assert line.amount_cents is not None
        if line.uai not in sources:
            sources[line.uai] = await ensure_account(
                conn, period.id, "establishment", line.uai, academie=academie, uai=line.uai
            )
        destination = await ensure_account(
            conn, period.id, "teacher", person_id, academie=academie, uai=line.uai
        )
        try:
            await transfer(
                conn,
                period.id,
                sources[line.uai],
                destination,
                line.amount_cents,
                kind="allocation",
                by=principal.person_id,
            )
        except InsufficientFundsError as exc:  # spent meanwhile: still nothing applied
            raise UnprocessableError(f"Ligne {line.line} : {exc.detail}") from exc
    total = sum(line.amount_cents or 0 for line in lines)
    return CsvReport(applied=True, total_cents=total, lines=lines)


async def _establishment_balances(
    conn: Connection, period_id: UUID, good: list[Good]
) -> dict[str, int]:
    uais = sorted({line.uai for line, *_ in good})
    return await repository.establishment_balances(conn, period_id, uais)


def _check_funds(balances: dict[str, int], good: list[Good]) -> None:
    needed: dict[str, int] = defaultdict(int)
    for line, *_ in good:
        needed[line.uai] += line.amount_cents or 0
    for line, *_ in good:
        available = balances.get(line.uai, 0)
        if needed[line.uai] > available:
            line.error = (
                f"l'établissement {line.uai} dispose de {euros(available)}, "
                f"le fichier lui demande {euros(needed[line.uai])}"
            )
