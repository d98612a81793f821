"""What the directory's provisioning reads and writes: people and establishments as stored."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class ProvisionedPerson(msgspec.Struct, frozen=True, kw_only=True):
    """A person in the SCIM view (a userName: provisioned, or adopted by a provisioning)."""

    id: UUID
    user_name: str
    external_id: str | None
    display_name: str
    given_name: str | None
    family_name: str | None
    name_formatted: str | None
    email: str | None
    roles: list[str]
    establishment_uai: str | None
    deactivated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    scim_version: int

    @property
    def active(self) -> bool:
        return self.deactivated_at is None


class PersonFields(msgspec.Struct, frozen=True, kw_only=True):
    """The fields a SCIM write sets (everything else is the service's own)."""

    user_name: str
    external_id: str | None
    display_name: str
    given_name: str | None
    family_name: str | None
    name_formatted: str | None
    email: str | None
    roles: list[str]
    establishment_uai: str | None
    active: bool


class ProvisionedEstablishment(msgspec.Struct, frozen=True, kw_only=True):
    uai: str
    display_name: str
    external_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    members: list[UUID]


class Member(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    display_name: str
