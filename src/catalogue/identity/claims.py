"""From an identity provider's claims to our roles and scopes (the mapping is configuration)."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import msgspec

from catalogue.config import ClaimMapping
from catalogue.identity.models import Role
from catalogue.identity.uai import is_uai, uai_problem

_UAI = re.compile(r"^[0-9]{7}[A-Z]$")


class Access(msgspec.Struct, frozen=True, kw_only=True):
    roles: frozenset[Role]
    establishment_uai: str | None = None
    academie: str | None = None
    publisher_id: UUID | None = None
    # The claim named a UAI of the right shape with a wrong check letter (why, in French):
    # it is never stored, and the sign-in is refused (see signin.py, authn.py).
    refused_uai: str | None = None


def _follow(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def map_claims(claims: dict[str, Any], mapping: ClaimMapping) -> Access:
    """Unknown role values are ignored; malformed scopes are dropped, never guessed; a UAI
    whose check letter is wrong is reported in `refused_uai` (the first valid one wins)."""
    roles = frozenset(
        Role(mapping.role_values[value])
        for value in _strings(_follow(claims, mapping.roles_claim))
        if value in mapping.role_values
    )
    uais = [v.upper() for v in _strings(_follow(claims, mapping.uai_claim))]
    shaped = [v for v in uais if _UAI.match(v)]
    uai = next((v for v in shaped if is_uai(v)), None)
    refused = uai_problem(shaped[0]) if shaped and uai is None else None
    academie = _follow(claims, mapping.academie_claim)
    publisher = _follow(claims, mapping.publisher_claim)
    try:
        publisher_id = UUID(publisher) if isinstance(publisher, str) else None
    except ValueError:
        publisher_id = None
    return Access(
        roles=roles,
        establishment_uai=uai,
        academie=academie.strip().lower() or None if isinstance(academie, str) else None,
        publisher_id=publisher_id,
        refused_uai=refused,
    )
