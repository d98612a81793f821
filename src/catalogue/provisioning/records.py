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
    scim_active: bool | None  # as the client last stated it (None: never stated)
    created_at: datetime
    updated_at: datetime
    scim_version: int

    @property
    def active(self) -> bool:
        return self.deactivated_at is None

    @property
    def shown_active(self) -> bool | None:
        """SCIM's `active`: false when deactivated, else as stated (absent when never)."""
        return False if self.deactivated_at is not None else self.scim_active


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
    stated_active: bool | None  # SCIM's `active` as sent (None: not stated, so active)

    @property
    def active(self) -> bool:
        return self.stated_active is not False


class ProvisionedEstablishment(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID  # the Group's
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
