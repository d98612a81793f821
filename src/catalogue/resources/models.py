"""Wire and service types of resources and offers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from catalogue.vocabularies.languages import MAX_TAG, PATTERN

Text = Annotated[str, msgspec.Meta(max_length=20_000)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Url = Annotated[str, msgspec.Meta(max_length=2_000, pattern=r"^https?://")]
Cents = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
# The GAR's idRessource: printable, no surrounding spaces (schemas/gar/abonnement.xsd, Texte).
GarId = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^\S(.*\S)?$")]


class Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class LicenceType(enum.StrEnum):
    TEACHER = "teacher"
    CLASS_SEATS = "class_seats"
    ESTABLISHMENT = "establishment"


class Duration(enum.StrEnum):
    SCHOOL_YEAR = "school_year"
    MONTHS = "months"
    PERPETUAL = "perpetual"


class IdentifierKind(enum.StrEnum):
    ARK = "ark"
    ISBN = "isbn"
    URL = "url"


class Identifier(msgspec.Struct, frozen=True):
    kind: IdentifierKind
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=2_000)]


class Contributor(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Who contributed (ScoLOMFR 2.3 contribution): a role (a LOM role or a voc-003 concept)
    and the name and organisation of the vCard."""

    role: Annotated[str, msgspec.Meta(max_length=300)] = ""
    name: Annotated[str, msgspec.Meta(max_length=300)] = ""
    organisation: Annotated[str, msgspec.Meta(max_length=300)] | None = None


class OfferDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    licence_type: LicenceType
    unit_price_cents: Cents
    duration: Duration
    duration_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | None = None
    seats: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None


class Provenance(msgspec.Struct, kw_only=True):
    """Where a resource comes from. ``source_key`` finds it again when the same source record
    arrives anew (the source id when not given; see connectors.contract.source_key)."""

    connector: str = "api"
    source_id: str | None = None
    harvested_at: datetime | None = None
    source_key: str | None = None


class ResourceDraft(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A resource as a publisher or a connector gives it. Vocabulary fields take concept URIs."""

    title: Title
    description: Text = ""
    keywords: list[Annotated[str, msgspec.Meta(max_length=200)]] = []
    # Stored as ISO 639-2/B codes ("fre"); ISO 639-1, 639-2/T, 639-3, BCP 47 tags ("fr-FR")
    # and id.loc.gov URIs are brought to them.
    languages: list[Annotated[str, msgspec.Meta(pattern=PATTERN, max_length=MAX_TAG + 60)]] = []
    resource_types: list[str] = []
    pedagogical_types: list[str] = []
    audiences: list[str] = []
    levels: list[str] = []
    disciplines: list[str] = []
    accessibility: list[str] = []
    formats: list[str] = []
    rights: str | None = None
    thumbnail_url: Url | None = None
    access_url: Url | None = None
    identifiers: list[Identifier] = []
    contributors: list[Contributor] = []
    offers: list[OfferDraft] = []
    status: Status = Status.DRAFT
    # Referenced in the GAR: its licences become GAR subscriptions, under its ARK or under
    # `gar_resource_id` when the GAR knows it by another id.
    gar_referenced: bool = False
    gar_resource_id: GarId | None = None

    def __post_init__(self) -> None:
        if self.gar_resource_id is not None and not self.gar_referenced:
            raise ValueError("gar_resource_id is given only with gar_referenced: true")
        if self.gar_referenced and self.gar_resource_id is None and not self.ark:
            raise ValueError("gar_referenced needs an ARK identifier or a gar_resource_id")

    @property
    def ark(self) -> str | None:
        return next((i.value for i in self.identifiers if i.kind is IdentifierKind.ARK), None)


class Labelled(msgspec.Struct):
    uri: str
    label: str


class OfferView(msgspec.Struct, kw_only=True):
    id: UUID
    licence_type: LicenceType
    unit_price_cents: int
    duration: Duration
    duration_months: int | None
    seats: int | None
    status: str


class ProvenanceView(msgspec.Struct, kw_only=True):
    connector: str
    source_id: str | None
    harvested_at: datetime | None
    content_hash: str | None
    source_key: str | None = None


class ResourceView(msgspec.Struct, kw_only=True):
    id: UUID
    publisher_id: UUID
    publisher_name: str
    status: Status
    title: str
    description: str
    keywords: list[str]
    languages: list[str]
    resource_types: list[Labelled]
    pedagogical_types: list[Labelled]
    audiences: list[Labelled]
    levels: list[Labelled]
    disciplines: list[Labelled]
    accessibility: list[Labelled]
    formats: list[str]
    rights: str | None
    thumbnail_url: str | None
    access_url: str | None
    identifiers: list[Identifier]
    contributors: list[Contributor]
    unknown_concepts: list[str]
    offers: list[OfferView]
    provenance: ProvenanceView
    created_at: datetime
    updated_at: datetime
    gar_referenced: bool = False
    gar_resource_id: str | None = None
