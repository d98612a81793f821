"""Storing the person who signs in, in one transaction: found by issuer and subject, or at
their first sign-in linked to the one the directory provisioned (never a second person, never
a guess between two), and moved through the ledger when the identity provider now places them
in another establishment.

A person provisioned by SCIM keeps the directory's establishment and roles: only SCIM moves
them. Anyone else moves at the sign-in that names another establishment, through the same
ledger movement as a SCIM move (``PersonMoves``, the application's hook): the teacher
envelope returns to the former establishment, or follows by the académie's rule, and the
move is recorded with its reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias
from uuid import UUID

import structlog

from catalogue.database import Connection
from catalogue.errors import UnauthorizedError
from catalogue.identity import repository
from catalogue.identity.claims import Access

log = structlog.get_logger(__name__)

PersonMoves: TypeAlias = Callable[[Connection, UUID, str], Awaitable[None]]
"""A known person signs in from another establishment (their id, its UAI): the move in the
ledger, in the sign-in's transaction, before the claims are stored. A refusal (a
``CatalogueError``: a closed establishment...) refuses the sign-in and changes nothing."""

AMBIGUOUS = (
    "Votre identité correspond à plusieurs personnes de l'annuaire : la connexion est refusée "
    "et rien n'est enregistré. Signalez-le à l'assistance de votre ENT, qui corrigera "
    "l'annuaire."
)


class AmbiguousPersonError(UnauthorizedError):
    """A first sign-in whose matching claim finds two provisioned people: neither is linked,
    nobody is created; the caller reads why (the log names the people by id only)."""

    def __init__(self) -> None:
        super().__init__("first sign-in matches several provisioned people", public=AMBIGUOUS)


async def store_person(
    conn: Connection,
    issuer: str,
    subject: str,
    access: Access,
    *,
    display_name: str | None,
    email: str | None,
    match_claim: str,
    match_value: str | None,
    on_move: PersonMoves | None,
) -> repository.UpsertedPerson:
    """The person as stored after this sign-in; the caller holds the transaction."""
    if access.establishment_uai:
        await repository.ensure_establishment(conn, access.establishment_uai, access.academie)
    publisher_id = access.publisher_id
    if publisher_id and await repository.publisher_status(conn, publisher_id) is None:
        publisher_id = None  # an unknown publisher is dropped
    known = await repository.person_signing_in(conn, issuer, subject)
    if known is None and match_value:
        await _link_provisioned(conn, issuer, subject, match_claim, match_value)
    elif known is not None and on_move is not None and _moves(known, access):
        assert access.establishment_uai is not None  # checked by _moves
        await on_move(conn, known.id, access.establishment_uai)
    return await repository.upsert_person(
        conn,
        issuer,
        subject,
        display_name=display_name,
        email=email,
        roles=sorted(access.roles),
        establishment_uai=access.establishment_uai,
        academie=access.academie,
        publisher_id=publisher_id,
    )


def _moves(known: repository.SigningIn, access: Access) -> bool:
    """Whether this sign-in places a known person in another establishment: one they were
    not in, from one they were in (a person without one has no envelope to move)."""
    return (
        not known.provisioned
        and not known.deactivated
        and known.establishment_uai is not None
        and access.establishment_uai is not None
        and access.establishment_uai != known.establishment_uai
    )


async def _link_provisioned(
    conn: Connection, issuer: str, subject: str, match_claim: str, value: str
) -> None:
    """First sign-in: the person the directory provisioned, never a second one."""
    link = await repository.link_provisioned_person(
        conn, issuer, subject, match=match_claim, value=value
    )
    if link.linked is not None:
        log.info("provisioned person linked at first sign-in", person_id=str(link.linked))
    elif len(link.candidates) > 1:
        log.warning(
            "first sign-in matches several people",
            person_ids=[str(c) for c in link.candidates],
            match_claim=match_claim,
        )
        raise AmbiguousPersonError
