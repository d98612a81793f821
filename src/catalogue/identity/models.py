"""Wire types and the authenticated caller."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from catalogue.masking import masked_repr


class Role(enum.StrEnum):
    TEACHER = "teacher"
    ESTABLISHMENT_ADMIN = "establishment_admin"
    ACADEMIE_ADMIN = "academie_admin"
    NATIONAL_ADMIN = "national_admin"
    PUBLISHER = "publisher"


ADMIN_ROLES = frozenset({Role.ESTABLISHMENT_ADMIN, Role.ACADEMIE_ADMIN, Role.NATIONAL_ADMIN})


class Scope(enum.StrEnum):
    """What a publisher's machine client may do."""

    RESOURCES = "publisher:resources"
    IMPORTS = "publisher:imports"
    SALES = "publisher:sales"


class PlatformScope(enum.StrEnum):
    """What a machine client of the platform itself (an ENT, an identity provider) may do."""

    MEDIACENTRE_READ = "mediacentre:read"  # a teacher's ENT médiacentre listing
    SCIM_WRITE = "scim:write"  # provisioning people and establishments (SCIM 2.0)


PUBLISHER_SCOPES = frozenset(Scope)
PLATFORM_SCOPES = frozenset(PlatformScope)


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling: a person (signed in, or with a bearer token) or a publisher's client."""

    kind: Literal["person", "client"]
    id: str
    roles: frozenset[Role]
    establishment_uai: str | None = None
    academie: str | None = None
    publisher_id: UUID | None = None
    # A machine client of the platform (an ENT, an identity provider): its platform's id.
    platform_id: UUID | None = None
    scopes: frozenset[str] = frozenset()
    # Their publisher is suspended: nothing they write as its staff goes through.
    publisher_suspended: bool = False

    @property
    def person_id(self) -> UUID | None:
        return UUID(self.id) if self.kind == "person" else None

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


class Me(msgspec.Struct, kw_only=True):
    id: str
    kind: Literal["person", "client"]
    roles: list[Role]
    establishment_uai: str | None
    academie: str | None
    publisher_id: UUID | None
    scopes: list[str]


class PersonView(msgspec.Struct, kw_only=True):
    """What an administrator in scope (or the person) may read about a person."""

    id: UUID
    display_name: str
    roles: list[Role]
    establishment_uai: str | None
    academie: str | None


class NewClient(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str = msgspec.field()
    scopes: list[Scope] = msgspec.field(default_factory=lambda: list(Scope))


class ClientSecret(msgspec.Struct, kw_only=True):
    """Shown once, at creation or rotation: only a hash is kept."""

    client_id: str
    client_secret: str
    publisher_id: UUID
    scopes: list[Scope]

    def __repr__(self) -> str:
        return masked_repr(self, secrets=frozenset({"client_secret"}))


class NewPlatformClient(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A machine client of an ENT or an identity provider. Clients of one platform share its
    ``platform_id`` (a new platform gets one when it is left out)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    scopes: Annotated[list[PlatformScope], msgspec.Meta(max_length=len(PlatformScope))]
    platform_id: UUID | None = None


class PlatformClientSecret(msgspec.Struct, kw_only=True):
    """Shown once, at creation: only a hash is kept."""

    client_id: str
    client_secret: str
    platform_id: UUID
    scopes: list[PlatformScope]

    def __repr__(self) -> str:
        return masked_repr(self, secrets=frozenset({"client_secret"}))


class ClientInfo(msgspec.Struct, kw_only=True):
    client_id: str
    name: str
    publisher_id: UUID
    scopes: list[Scope]
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


class TokenResponse(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str

    def __repr__(self) -> str:
        return masked_repr(self, secrets=frozenset({"access_token"}))
