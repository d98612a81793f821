"""The search contract: what is indexed, what is asked, what comes back."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from typing import Annotated, Literal, Protocol
from uuid import UUID

import msgspec

from catalogue.errors import UpstreamUnavailableError


class FacetField(enum.StrEnum):
    """Fields a search can filter on and count; the API's filter names."""

    DISCIPLINE = "discipline"
    LEVEL = "level"
    RESOURCE_TYPE = "resource_type"
    PEDAGOGICAL_TYPE = "pedagogical_type"
    PUBLISHER = "publisher"
    FREE = "free"
    LICENCE_TYPE = "licence_type"
    ACCESSIBILITY = "accessibility"
    LANGUAGE = "language"
    AUDIENCE = "audience"
    COMMUN = "commun"  # a teacher's commun numérique (true) or a publisher's offering


def chosen_filters(**values: list[str] | None) -> dict[FacetField, list[str]]:
    """The filters a request gives, by their API names (``discipline=...``), empty ones left out."""
    return {FacetField(name): given for name, given in values.items() if given}


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"


class SearchDocument(msgspec.Struct, kw_only=True):
    """One published resource as the index sees it.

    Vocabulary fields hold concept URIs *with their ancestors* (a "6e" resource also carries
    "collège" and "cycle 3"), so a filter on a broad concept is a plain membership test.
    The ``*_tagged`` fields keep what the publisher actually tagged, for display.
    """

    id: UUID
    title: str
    description: str
    keywords: list[str]
    publisher_id: UUID
    publisher_name: str
    thumbnail_url: str | None
    levels: list[str]
    disciplines: list[str]
    resource_types: list[str]
    pedagogical_types: list[str]
    levels_tagged: list[str]
    disciplines_tagged: list[str]
    concept_labels: list[str]
    licence_types: list[str]
    accessibility: list[str]
    languages: list[str]
    min_price_cents: int
    free: bool
    published_at: int  # seconds since the epoch
    audiences: list[str] = msgspec.field(default_factory=list)  # voc-011, with ancestors
    commun: bool = False  # a teacher's commun numérique, not a publisher's offering


# The SearchDocument attribute each facet counts and filters on: the engines that index the
# documents as they are (Meilisearch, Tantivy) name their fields after it.
FACET_ATTRIBUTES: dict[FacetField, str] = {
    FacetField.DISCIPLINE: "disciplines",
    FacetField.LEVEL: "levels",
    FacetField.RESOURCE_TYPE: "resource_types",
    FacetField.PEDAGOGICAL_TYPE: "pedagogical_types",
    FacetField.PUBLISHER: "publisher_id",
    FacetField.FREE: "free",
    FacetField.LICENCE_TYPE: "licence_types",
    FacetField.ACCESSIBILITY: "accessibility",
    FacetField.LANGUAGE: "languages",
    FacetField.AUDIENCE: "audiences",
    FacetField.COMMUN: "commun",
}


class SearchQuery(msgspec.Struct, kw_only=True, frozen=True):
    text: str = ""
    # Each field: the values asked; a document matches one of them (OR), fields combine (AND).
    filters: dict[FacetField, tuple[str, ...]] = msgspec.field(default_factory=dict)
    facets: tuple[FacetField, ...] = ()
    sort: Sort = Sort.RELEVANCE
    page: Annotated[int, msgspec.Meta(ge=1)] = 1
    per_page: Annotated[int, msgspec.Meta(ge=1, le=100)] = 20
    # Query words expanded with school synonyms and typo corrections, all alternatives of
    # one word in one group; filled by the service, used by backends that need it.
    groups: tuple[tuple[str, ...], ...] = ()


class Hit(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    snippet: str  # HTML-escaped text, matched words inside <mark></mark>
    publisher_id: UUID
    publisher_name: str
    levels_tagged: list[str]
    disciplines_tagged: list[str]
    min_price_cents: int
    free: bool
    thumbnail_url: str | None
    licence_types: list[str] = msgspec.field(default_factory=list)


class BackendResult(msgspec.Struct, kw_only=True):
    hits: list[Hit]
    total: int
    facets: dict[FacetField, dict[str, int]]


BackendName = Literal["postgresql", "meilisearch", "tantivy"]


class DocumentsRefusedError(UpstreamUnavailableError):
    """The engine answered but refused the documents' content (not an outage): the outbox
    sets the refused document apart instead of retrying the whole batch."""


class OutdatedIndexError(UpstreamUnavailableError):
    """An index an earlier version of the catalogue built (another layout), which this one
    neither reads nor writes: the worker rebuilds it from PostgreSQL at its next drain, and
    ``catalogue index rebuild`` does at once."""


class SearchBackend(Protocol):
    """What the catalogue needs from a search engine. Both implementations pass one suite."""

    name: BackendName

    async def upsert(self, documents: list[SearchDocument]) -> None:
        """Add or replace documents (by id)."""

    async def delete(self, ids: list[UUID]) -> None:
        """Remove documents; unknown ids are ignored."""

    async def search(self, query: SearchQuery) -> BackendResult:
        """Matching documents for one page, the total, and the facet counts asked."""

    async def rebuild(self, batches: AsyncIterator[list[SearchDocument]]) -> int:
        """Replace the whole index by what ``batches`` yields (new index, then an atomic swap)."""

    async def check(self) -> None:
        """Raise UpstreamUnavailableError when the engine cannot serve searches."""

    async def prepare(self) -> None:
        """Create the index and apply its settings if needed (at start, and before the first
        write when the engine was away at start)."""

    async def aclose(self) -> None:
        """Release connections (at shutdown)."""
