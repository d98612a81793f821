"""Wire types of communs: what a teacher sends, what the API answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from catalogue.resources.models import Labelled, Text, Title, Url

Keyword = Annotated[str, msgspec.Meta(max_length=200)]


class State(enum.StrEnum):
    PENDING = "pending"  # a teacher's first publication, awaiting an administrator's review
    VISIBLE = "visible"
    HIDDEN = "hidden"


class OpenLicence(msgspec.Struct, frozen=True):
    id: str
    label: str
    url: str


# The open licences a commun may carry, by SPDX id.
LICENCES: dict[str, OpenLicence] = {
    licence.id: licence
    for licence in (
        OpenLicence("CC-BY-4.0", "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
        OpenLicence(
            "CC-BY-SA-4.0", "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"
        ),
        OpenLicence("CC0-1.0", "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
        OpenLicence(
            "etalab-2.0",
            "Licence Ouverte / Etalab 2.0",
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        ),
    )
}


class CommunDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A commun as a teacher writes it. Vocabulary fields take ScoLOMFR concept URIs; the
    licence is one of LICENCES' ids (anything else is refused, 422)."""

    title: Title
    description: Text = ""
    levels: list[str] = []
    disciplines: list[str] = []
    resource_types: list[str] = []
    pedagogical_types: list[str] = []
    language: Annotated[str, msgspec.Meta(min_length=2, max_length=20)] = "fre"
    keywords: list[Keyword] = []
    link: Url | None = None
    licence: Annotated[str, msgspec.Meta(max_length=100)]
    # Whether the author's display name is shown; otherwise their establishment is.
    show_name: bool = False


class Credit(msgspec.Struct, kw_only=True):
    """A work an adaptation stems from (LOM 7 relation ``isbasedon``), as credited."""

    resource_id: UUID
    title: str
    authors: list[str]
    licence: str


class CommunView(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    state: State
    title: str
    description: str
    levels: list[Labelled]
    disciplines: list[Labelled]
    resource_types: list[Labelled]
    pedagogical_types: list[Labelled]
    language: str
    keywords: list[str]
    link: str | None
    licence: OpenLicence
    # As shown: the author's display name if they chose it, else their establishment.
    authors: list[str]
    show_name: bool  # whether the author chose to show their name (else the establishment)
    based_on: UUID | None
    credits: list[Credit]
    free: bool
    created_at: datetime
    updated_at: datetime
    files: list[FileView] = []


class VersionSummary(msgspec.Struct, kw_only=True):
    version: int
    title: str
    created_at: datetime


class CommunVersion(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    created_at: datetime
    content: CommunDraft
    files: list[FileView] = []  # the files this version had


class OwnCommun(msgspec.Struct, kw_only=True):
    """One of "mes publications": its state, and the last moderation decision on it."""

    id: UUID
    title: str
    state: str  # a State, or "deleted" (by an administrator; the decision says why)
    version: int  # 0 once deleted
    updated_at: datetime
    decision: str | None = None
    decision_reason: str | None = None


class ApprovalView(msgspec.Struct, kw_only=True):
    id: UUID
    state: State


class FileView(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime
