"""Mobility and departures in the ledger: a person moves to another establishment, or leaves.

A move keeps the person's licences: they belong to the person id, and the pseudonyms
publishers see depend on the person and the publisher only, never on the establishment.
Requests waiting for approval are cancelled first, their held funds released to the
teacher's envelope. Then, in each open period, the unspent teacher envelope returns to the
old establishment (a `mobility` transfer), unless the académie's rule `envelope_on_move` is
`follow` and the move stays within that académie: the envelope then goes back to the old
establishment, over to the new one and down to the teacher, three transfers that each
school's statement shows. A departure returns the envelope to the establishment (a
`departure` transfer). Every transfer carries the reason; no balance is ever edited. The
teacher's accounts of the open periods then belong to the new establishment, which funds
them from now on.

Each function runs in the caller's transaction: a refusal leaves nothing changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from uuid import UUID

import msgspec
import structlog

from accounts import repository
from accounts.bulk import FORMULA_STARTS, read_rows
from accounts.decisions import cancel_for_movement
from accounts.errors import InactiveError, OwnDecisionError, WrongStateError
from accounts.ledger import checked_uai, ensure_account, ensure_administers, transfer
from accounts.models import AcquisitionStatus, MoveLine, MoveReport, MoveResult
from accounts.records import Establishment, PersonToMove
from accounts.repository import moves
from catalogue.database import Connection
from catalogue.errors import CatalogueError, ForbiddenError, NotFoundError, UnprocessableError
from catalogue.identity import sessions
from catalogue.identity.models import Principal, Role
from catalogue.identity.uai import uai_problem

log = structlog.get_logger(__name__)
Envelope = Literal["returned", "followed", "empty"]
Source = Literal["annuaire", "connexion"]  # who moved the person: SCIM, or a sign-in
MAX_REASON = 500


async def move_person(
    conn: Connection, person_id: UUID, new_uai: str, reason: str, *, by: Principal | None
) -> MoveResult:
    """Move a person to `new_uai`; `by` None is the platform itself (the directory, SCIM),
    otherwise an administrator of both establishments."""
    checked_uai(new_uai)
    person = await _locked_person(conn, person_id)
    target = await repository.establishment(conn, new_uai)
    if target is None:
        raise UnprocessableError(f"Établissement inconnu : {new_uai}. Aucun déplacement fait.")
    if target.state == "closed":
        raise InactiveError(f"L'établissement {new_uai} est fermé : personne n'y est déplacé.")
    if person.establishment_uai == new_uai:
        raise UnprocessableError(f"Cette personne est déjà rattachée à {new_uai}.")
    if by is not None:
        _ensure_may_move(by, person, target)
    by_id = by.person_id if by else None
    cancelled = await _cancel_pending(conn, person_id, by_id, reason)
    follow = await _follows(conn, person, target)
    transfers: list[int] = []
    if person.establishment_uai is not None and person.academie is not None:
        transfers = await _empty_envelopes(
            conn,
            person,
            "mobility",
            reason,
            by_id,
            then_to=target if follow else None,
        )
    await moves.set_person_establishment(conn, person_id, new_uai, target.academie)
    envelope: Envelope = ("followed" if follow else "returned") if transfers else "empty"
    movement = await moves.insert_person_movement(
        conn,
        person_id,
        "move",
        from_uai=person.establishment_uai,
        to_uai=new_uai,
        envelope=envelope,
        reason=reason,
        by=by_id,
    )
    log.info(
        "person moved",
        person_id=str(person_id),
        envelope=envelope,
        transfers=len(transfers),
        cancelled=len(cancelled),
    )
    return MoveResult(movement=movement, transfers=transfers, cancelled=cancelled)


async def deactivate_person(
    conn: Connection, person_id: UUID, reason: str, *, by: Principal | None
) -> MoveResult:
    """A person leaves: their requests are cancelled, their envelope returns to their
    establishment, their sessions end, and they get no allocation any more."""
    person = await _locked_person(conn, person_id)
    if by is not None:
        _ensure_may_administer(by, person)
        _ensure_not_self(by, person_id)
    by_id = by.person_id if by else None
    cancelled = await _cancel_pending(conn, person_id, by_id, reason)
    transfers: list[int] = []
    if person.establishment_uai is not None and person.academie is not None:
        transfers = await _empty_envelopes(conn, person, "departure", reason, by_id, then_to=None)
    await moves.deactivate_person(conn, person_id)
    await sessions.end_all_sessions(conn, person_id)
    movement = await moves.insert_person_movement(
        conn,
        person_id,
        "departure",
        from_uai=person.establishment_uai,
        to_uai=None,
        envelope="returned" if transfers else "empty",
        reason=reason,
        by=by_id,
    )
    log.info(
        "person deactivated",
        person_id=str(person_id),
        transfers=len(transfers),
        cancelled=len(cancelled),
    )
    return MoveResult(movement=movement, transfers=transfers, cancelled=cancelled)


async def _locked_person(conn: Connection, person_id: UUID) -> PersonToMove:
    person = await moves.person_to_move(conn, person_id)
    if person is None:
        raise NotFoundError("Personne introuvable.")
    if person.deactivated:
        raise WrongStateError(f"La personne {person_id} a déjà quitté le service.")
    return person


def _ensure_may_move(by: Principal, person: PersonToMove, target: Establishment) -> None:
    """The administrator of both ends: the académie's for a move within it, national across."""
    _ensure_may_administer(by, person)
    ensure_administers(by, academie=target.academie, uai=target.uai)
    _ensure_not_self(by, person.id)


def _ensure_may_administer(by: Principal, person: PersonToMove) -> None:
    if person.establishment_uai is None or person.academie is None:
        if not by.has(Role.NATIONAL_ADMIN):
            raise ForbiddenError(
                "Seule l'administration nationale gère une personne sans établissement."
            )
        return
    ensure_administers(by, academie=person.academie, uai=person.establishment_uai)


def _ensure_not_self(by: Principal, person_id: UUID) -> None:
    if by.person_id == person_id:
        raise OwnDecisionError(
            "Vous ne pouvez pas vous déplacer ou vous désactiver vous-même : "
            "un·e autre administrateur·rice de votre périmètre doit le faire."
        )


async def _follows(conn: Connection, person: PersonToMove, target: Establishment) -> bool:
    """The académie's rule, for a move within it; across académies, the envelope returns."""
    if person.academie is None or person.academie != target.academie:
        return False
    return await moves.move_rule(conn, person.academie) == "follow"


async def _cancel_pending(
    conn: Connection, person_id: UUID, by: UUID | None, reason: str
) -> list[UUID]:
    cancelled: list[UUID] = []
    for acquisition_id in await moves.pending_of_person(conn, person_id):
        locked = await repository.lock_acquisition(conn, acquisition_id)
        if locked is None or locked.status != AcquisitionStatus.PENDING:
            continue  # decided meanwhile
        await cancel_for_movement(conn, locked, by, reason)
        cancelled.append(acquisition_id)
    return cancelled


async def _empty_envelopes(
    conn: Connection,
    person: PersonToMove,
    kind: str,
    reason: str,
    by: UUID | None,
    *,
    then_to: Establishment | None,
) -> list[int]:
    """Each open period's teacher envelope back to the person's establishment; with
    `then_to`, on to that establishment and down to the teacher again."""
    assert person.establishment_uai is not None  # checked by the callers
    assert person.academie is not None
    old_uai, academie = person.establishment_uai, person.academie
    made: list[int] = []
    for account in await moves.open_teacher_accounts(conn, person.id):
        if account.balance_cents == 0:
            continue
        amount, period = account.balance_cents, account.period_id
        school = await ensure_account(
            conn, period, "establishment", old_uai, academie=academie, uai=old_uai
        )
        steps = [(account.id, school)]
        if then_to is not None:
            new_school = await ensure_account(
                conn,
                period,
                "establishment",
                then_to.uai,
                academie=then_to.academie,
                uai=then_to.uai,
            )
            steps += [(school, new_school), (new_school, account.id)]
        for source, destination in steps:
            made.append(
                await transfer(
                    conn, period, source, destination, amount, kind=kind, by=by, reason=reason
                )
            )
    return made


# Moves from a file


def _move_cell_error(cells: Sequence[str]) -> str | None:
    if len(cells) != 4:
        return f"4 colonnes attendues (UAI, personne, nouvelle UAI, motif), {len(cells)} trouvées"
    for cell in cells:
        if cell.startswith(FORMULA_STARTS):
            return f"cellule refusée {cell[:20]!r} : une formule n'est pas une valeur"
    if not cells[3]:
        return "motif manquant"
    if len(cells[3]) > MAX_REASON:
        return f"motif trop long (au plus {MAX_REASON} caractères)"
    return uai_problem(cells[0]) or uai_problem(cells[2])


def _read_move_line(number: int, cells: list[str]) -> MoveLine:
    padded = [*cells, "", "", "", ""][:4]
    line = MoveLine(
        line=number, uai=padded[0], person=padded[1], to_uai=padded[2], reason=padded[3]
    )
    line.error = _move_cell_error(cells)
    return line


async def move_csv(conn: Connection, principal: Principal, body: bytes) -> MoveReport:
    """Every line checked first, then all moves applied in the caller's transaction, or none
    (422 with each line's reason)."""
    lines = [_read_move_line(number, cells) for number, cells in read_rows(body)]
    people = await _people_of_lines(conn, lines)
    if any(line.error for line in lines):
        _refuse(lines)
    for line in lines:
        try:
            await move_person(conn, people[line.line], line.to_uai, line.reason, by=principal)
        except CatalogueError as exc:  # the whole file is rolled back with this line's reason
            line.error = exc.shown
            _refuse(lines)
    return MoveReport(applied=True, lines=lines)


def _refuse(lines: list[MoveLine]) -> None:
    raise UnprocessableError(
        "Fichier refusé : aucun déplacement n'a été appliqué.",
        errors=[msgspec.to_builtins(line) for line in lines if line.error],
    )


async def _people_of_lines(conn: Connection, lines: list[MoveLine]) -> dict[int, UUID]:
    """Each readable line's person (one query for the file), named once in the file."""
    readable = [line for line in lines if line.error is None]
    named = await moves.people_named(
        conn, [line.person for line in readable], [line.uai for line in readable]
    )
    found = {(p.ref, p.uai): p.id for p in named}
    first_line: dict[UUID, int] = {}
    people: dict[int, UUID] = {}
    for line in readable:
        person_id = found.get((line.person, line.uai))
        if person_id is None:
            line.error = f"aucune personne {line.person!r} dans l'établissement {line.uai}"
            continue
        first = first_line.setdefault(person_id, line.line)
        if first != line.line:
            line.error = f"doublon de la ligne {first}"
            continue
        people[line.line] = person_id
    return people


async def follow_provisioning(
    conn: Connection,
    person_id: UUID,
    *,
    to_uai: str | None,
    moved: bool,
    deactivated: bool,
    source: Source = "annuaire",
) -> None:
    """A move or a departure that a provisioning (SCIM: `annuaire`) or a sign-in naming
    another establishment (`connexion`) made, in the ledger, in that write's transaction and
    before it updates the person: a departure returns the envelope, a move to another
    establishment moves it as `move_person` does. The reason names the source."""
    if deactivated:
        await deactivate_person(conn, person_id, f"départ ({source})", by=None)
    elif moved and to_uai is not None:
        await move_person(conn, person_id, to_uai, f"mobilité ({source})", by=None)


async def follow_sign_in(conn: Connection, person_id: UUID, to_uai: str) -> None:
    """A sign-in that places a known person in another establishment, in the ledger as a
    provisioning's move (``identity.signing_in.PersonMoves``): "mobilité (connexion)"."""
    await follow_provisioning(
        conn, person_id, to_uai=to_uai, moved=True, deactivated=False, source="connexion"
    )
