"""What the OAI-PMH provider exports: a resource's notice, and the record around it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec


class NoticeIdentifier(msgspec.Struct, frozen=True):
    """One of the resource's own identifiers: kind "ark", "isbn" or "url"."""

    kind: str
    value: str


class NoticeContributor(msgspec.Struct, kw_only=True):
    """A contribution as stored (resources.contributors): a role and a vCard's name and
    organisation, each possibly absent."""

    role: str | None = None
    name: str | None = None
    organisation: str | None = None


class Notice(msgspec.Struct, kw_only=True):
    """The metadata of a resource that a notice (oai_dc, ScoLOMFR) carries."""

    title: str
    description: str
    keywords: list[str]
    languages: list[str]
    resource_types: list[str]
    pedagogical_types: list[str]
    levels: list[str]
    disciplines: list[str]
    audiences: list[str]
    formats: list[str]
    access_url: str | None
    rights: str | None
    contributors: list[NoticeContributor]
    identifiers: list[NoticeIdentifier]
    # The resource it was adapted from (a commun's LOM 7 relation "isbasedon").
    based_on: UUID | None = None


class OaiRecord(Notice, kw_only=True):
    """A record as harvesters see it: its header (a withdrawn resource is a deleted record)
    and its notice."""

    id: UUID
    status: Literal["published", "withdrawn"]
    updated_at: datetime
    publisher_id: UUID
    publisher_name: str


class OaiSet(msgspec.Struct):
    """A set: an approved publisher's records."""

    id: UUID
    name: str
