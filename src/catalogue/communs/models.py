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


# In French, for the pages and a person's download.
REASONS = {
    "illegal": "contenu illicite",
    "copyright": "atteinte au droit d'auteur",
    "personal_data": "données personnelles",
    "inappropriate": "contenu inapproprié",
    "error": "erreur dans la ressource",
    "other": "autre motif",
}
STATES = {
    "pending": "en attente de validation",
    "visible": "visible",
    "hidden": "masquée",
    "deleted": "supprimée",
}
ACTIONS = {
    "approve": "validée",
    "hide": "masquée",
    "restore": "rétablie",
    "delete": "supprimée",
    "classement": "dont les signalements sont classés",
}


# A person's communs in their own download (RGPD access and portability): ``CommunsData`` is
# the part the compte ressource's download carries under "communs" (catalogue.app hands
# ``communs.privacy.CommunsOfPerson`` to it).


class PublishedCommun(msgspec.Struct, kw_only=True):
    """A commun the person authored, in its current version."""

    resource_id: UUID
    title: str
    licence: str
    show_name: bool  # whether their name is shown (else their establishment)
    state: str
    created_at: datetime
    updated_at: datetime
    versions: int
    based_on: UUID | None  # the commun it adapts


class FiledReport(msgspec.Struct, kw_only=True):
    """A report the person filed, on a commun or a publisher's resource."""

    id: UUID
    resource_id: UUID
    title: str | None  # the resource's, while it exists
    reason: str
    text: str
    created_at: datetime
    state: str  # "open", or "closed" once reviewed


class DecisionTaken(msgspec.Struct, kw_only=True):
    """A moderation decision the person (an administrator) took. The commun's author is not
    the administrator's data: only the commun."""

    id: int
    resource_id: UUID
    title: str
    action: str
    reason: str
    created_at: datetime


class CommunsData(msgspec.Struct, kw_only=True):
    """Everything the communs keep on a person: what they published, the reports they filed,
    the moderation decisions they took."""

    published: list[PublishedCommun]
    reports: list[FiledReport]
    decisions: list[DecisionTaken]

    def csv_rows(self) -> list[tuple[str, str, str, str]]:
        """The download's CSV rows: (rubrique, date, nature, détail)."""
        rows = [
            (
                "commun publié",
                c.created_at.isoformat(),
                STATES.get(c.state, c.state)
                + (" ; nom affiché" if c.show_name else " ; nom masqué"),
                f"{c.title} [{c.resource_id}] ; licence {c.licence} ; {c.versions} version(s)"
                f" ; modifié le {c.updated_at.isoformat()}"
                + (f" ; adapté de {c.based_on}" if c.based_on else ""),
            )
            for c in self.published
        ]
        rows += [
            (
                "signalement",
                r.created_at.isoformat(),
                REASONS.get(r.reason, r.reason)
                + (" ; ouvert" if r.state == "open" else " ; classé"),
                f"{r.title or ''} [{r.resource_id}]" + (f" : {r.text}" if r.text else ""),
            )
            for r in self.reports
        ]
        rows += [
            (
                "décision de modération",
                d.created_at.isoformat(),
                ACTIONS.get(d.action, d.action),
                f"{d.title} [{d.resource_id}]" + (f" : {d.reason}" if d.reason else ""),
            )
            for d in self.decisions
        ]
        return rows
