"""Reading people, always within the caller's scope."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from catalogue.errors import ForbiddenError, NotFoundError
from catalogue.identity import repository
from catalogue.identity.models import PersonView, Principal, Role


async def read_person(pool: asyncpg.Pool, principal: Principal, person_id: UUID) -> PersonView:
    """Oneself; the people of one's establishment or académie for their administrators."""
    async with pool.acquire() as conn:
        person = await repository.person_in_scope(
            conn,
            person_id,
            everyone=principal.has(Role.NATIONAL_ADMIN),
            caller=principal.person_id,
            uai=principal.establishment_uai if principal.has(Role.ESTABLISHMENT_ADMIN) else None,
            academie=principal.academie if principal.has(Role.ACADEMIE_ADMIN) else None,
        )
    if person is None:
        raise NotFoundError("Personne introuvable.")
    return person


async def ensure_establishment_in_scope(pool: asyncpg.Pool, principal: Principal, uai: str) -> None:
    if principal.has(Role.NATIONAL_ADMIN):
        return
    if principal.has(Role.ESTABLISHMENT_ADMIN) and principal.establishment_uai == uai:
        return
    if principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
        async with pool.acquire() as conn:
            if await repository.establishment_academie(conn, uai) == principal.academie:
                return
    raise ForbiddenError(f"L'établissement {uai} n'est pas dans votre périmètre.")


async def people_of_establishment(
    pool: asyncpg.Pool, principal: Principal, uai: str
) -> list[PersonView]:
    await ensure_establishment_in_scope(pool, principal, uai)
    async with pool.acquire() as conn:
        return await repository.people_of_establishment(conn, uai)
