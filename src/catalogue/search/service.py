"""Searching the catalogue: checks the request, asks the backend, puts labels on the answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeAlias
from uuid import UUID

import asyncpg
import msgspec
from litestar.di import NamedDependency

from catalogue.errors import InvalidInputError
from catalogue.resources.models import Labelled, LicenceType
from catalogue.search import repository
from catalogue.search.models import FacetField, SearchBackend, SearchQuery, Sort
from catalogue.search.pg import PostgresBackend
from catalogue.search.text import MAX_QUERY_CHARS, clean, query_groups
from catalogue.vocabularies.extra import ACCESSIBILITY, LANGUAGES
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.languages import normalise_language

SCHEMES: dict[FacetField, tuple[str, ...]] = {
    FacetField.LEVEL: ("scolomfr-voc-012", "scolomfr-voc-022"),
    FacetField.DISCIPLINE: ("scolomfr-voc-015",),
    FacetField.RESOURCE_TYPE: ("scolomfr-voc-005",),
    FacetField.PEDAGOGICAL_TYPE: ("scolomfr-voc-010",),
    FacetField.AUDIENCE: ("scolomfr-voc-011",),
}
FIXED_CHOICES: dict[FacetField, dict[str, str]] = {
    FacetField.ACCESSIBILITY: ACCESSIBILITY,
    FacetField.LANGUAGE: LANGUAGES,
    FacetField.LICENCE_TYPE: {
        LicenceType.TEACHER: "licence enseignant",
        LicenceType.CLASS_SEATS: "licences pour une classe",
        LicenceType.ESTABLISHMENT: "licence établissement",
    },
    FacetField.FREE: {"true": "gratuit", "false": "payant"},
    FacetField.COMMUN: {"true": "commun numérique", "false": "offre d'éditeur"},
}
MAX_LISTED_CHOICES = 150
SIMILAR_SHOWN = 4  # "ressources similaires" on a resource page
# PostgreSQL: the newest resources sharing the concepts that are ordered again by their text.
SIMILAR_CANDIDATES = 50
FACET_VALUES_SHOWN = 100
_LICENCE_TYPES = {kind.value: kind for kind in LicenceType}  # LicenceType(value), faster
MAX_LABELLED = 20_000  # concepts' labels kept made (the vocabularies hold a few thousand)


class FacetValue(msgspec.Struct):
    value: str
    label: str
    count: int


class PublisherRef(msgspec.Struct):
    id: UUID
    name: str


class SearchHit(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    snippet: str
    publisher: PublisherRef
    levels: list[Labelled]
    disciplines: list[Labelled]
    lowest_price_cents: int
    free: bool
    thumbnail_url: str | None
    licence_types: list[LicenceType] = msgspec.field(default_factory=list)


class SearchResponse(msgspec.Struct, kw_only=True):
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[FacetField, list[FacetValue]]
    took_ms: float
    backend: str


def _language_codes(values: list[str]) -> list[str]:
    """Language filters in any form a code comes in ("fr", "fra", "fr-FR"), as stored."""
    found = {value: normalise_language(value) for value in values}
    bad = [value for value, code in found.items() if code is None or not code.known]
    if bad:
        raise InvalidInputError(
            f"{FacetField.LANGUAGE} : valeur(s) inconnue(s) {bad}",
            errors=[{FacetField.LANGUAGE: sorted(LANGUAGES)}],
        )
    return list(dict.fromkeys(code.code for code in found.values() if code))


def _licence_type(value: str) -> LicenceType:
    return _LICENCE_TYPES.get(value) or LicenceType(value)  # unknown: ValueError, as before


class SearchService:
    def __init__(
        self,
        backend: SearchBackend,
        vocab: VocabularyIndex,
        pool: asyncpg.Pool,
        *,
        observe: Callable[[str, float], None] | None = None,
    ):
        self.backend = backend
        self.vocab = vocab
        self.pool = pool
        self.observe = observe  # each search's backend and seconds (the app's /metrics)
        # Each concept's label as hits show it, made once (the vocabulary is fixed in a
        # process): a page of hits shows a few dozen, the same ones again and again.
        self._labelled: dict[str, Labelled] = {}

    def query(
        self,
        text: str | None,
        *,
        filters: dict[FacetField, list[str]],
        facets: list[FacetField],
        sort: Sort,
        page: int,
        per_page: int,
    ) -> SearchQuery:
        """A checked query; 400 naming the field and its valid choices otherwise."""
        text = clean(text or "").strip()
        if len(text) > MAX_QUERY_CHARS:
            raise InvalidInputError(f"q : {MAX_QUERY_CHARS} caractères au plus")
        checked = {field: tuple(self._check(field, values)) for field, values in filters.items()}
        return SearchQuery(
            text=text,
            filters={field: values for field, values in checked.items() if values},
            facets=tuple(dict.fromkeys(facets)),
            sort=sort,
            page=page,
            per_page=per_page,
            groups=tuple(query_groups(text)),
        )

    def _check(self, field: FacetField, values: list[str]) -> list[str]:
        values = [value.strip() for value in values if value.strip()]
        if field is FacetField.PUBLISHER:
            try:
                return [str(UUID(value)) for value in values]
            except ValueError:
                raise InvalidInputError(
                    "publisher : identifiants d'éditeurs attendus (UUID)"
                ) from None
        if field is FacetField.LANGUAGE:
            return _language_codes(values)
        if field in FIXED_CHOICES:
            choices = FIXED_CHOICES[field]
            bad = [v for v in values if v not in choices]
            if bad:
                raise InvalidInputError(
                    f"{field} : valeur(s) inconnue(s) {bad}", errors=[{field: sorted(choices)}]
                )
            return values
        schemes = SCHEMES[field]
        bad = [v for v in values if (c := self.vocab.get(v)) is None or c.scheme not in schemes]
        if bad:
            concepts = [c for s in schemes for c in self.vocab.scheme(s) or []]
            listed: object = (
                sorted(c.uri for c in concepts if not c.deprecated)
                if len(concepts) <= MAX_LISTED_CHOICES
                else [f"/api/v1/vocabularies/{s}" for s in schemes]
            )
            raise InvalidInputError(
                f"{field} : concept(s) inconnu(s) {bad}", errors=[{field: listed}]
            )
        return values

    async def similar(
        self,
        resource_id: UUID,
        *,
        disciplines: list[str],
        levels: list[str],
        limit: int = SIMILAR_SHOWN,
    ) -> list[SearchHit]:
        """Published resources sharing the resource's disciplines and levels (its levels
        dropped when that leaves too few), through the backend's filter query: the same on
        every backend, the newest first. On PostgreSQL, the newest candidates sharing the
        concepts are ordered again by the text they share with the resource (their indexed
        words). No concept at all, nothing similar."""
        pg = self.backend if isinstance(self.backend, PostgresBackend) else None
        attempts = [
            {FacetField.DISCIPLINE: disciplines, FacetField.LEVEL: levels},
            {FacetField.DISCIPLINE: disciplines},
        ]
        found: dict[UUID, SearchHit] = {}
        tiers: dict[UUID, int] = {}  # sharing levels too comes first, whatever the text
        for tier, filters in enumerate(attempts):
            chosen = {field: values for field, values in filters.items() if values}
            if not chosen:
                continue
            try:
                query = self.query(
                    None,
                    filters=chosen,
                    facets=[],
                    sort=Sort.NEWEST,
                    page=1,
                    per_page=(SIMILAR_CANDIDATES if pg is not None else limit) + 1,
                )
            except InvalidInputError:  # a concept the vocabulary no longer knows: not shared
                continue
            for hit in (await self.search(query)).hits:
                if hit.id != resource_id and hit.id not in found:
                    found[hit.id] = hit
                    tiers[hit.id] = tier
            if len(found) >= limit:
                break
        hits = list(found.values())
        if pg is not None and len(hits) > 1:
            likeness = await pg.text_likeness(resource_id, list(found))
            # sorted() is stable: among equals, the newest first, as on the other backends.
            hits.sort(key=lambda hit: (tiers[hit.id], -likeness.get(hit.id, 0.0)))
        return hits[:limit]

    async def search(self, query: SearchQuery) -> SearchResponse:
        started = time.perf_counter()
        result = await self.backend.search(query)
        if self.observe is not None:
            self.observe(self.backend.name, time.perf_counter() - started)
        facets = {
            field: await self._facet_values(field, counts)
            for field, counts in result.facets.items()
        }
        return SearchResponse(
            hits=[
                SearchHit(
                    id=hit.id,
                    title=hit.title,
                    snippet=hit.snippet,
                    publisher=PublisherRef(hit.publisher_id, hit.publisher_name),
                    levels=[self._labelled_concept(u) for u in hit.levels_tagged],
                    disciplines=[self._labelled_concept(u) for u in hit.disciplines_tagged],
                    lowest_price_cents=hit.min_price_cents,
                    free=hit.free,
                    thumbnail_url=hit.thumbnail_url,
                    licence_types=[_licence_type(t) for t in hit.licence_types],
                )
                for hit in result.hits
            ],
            total=result.total,
            page=query.page,
            per_page=query.per_page,
            facets=facets,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            backend=self.backend.name,
        )

    def _labelled_concept(self, uri: str) -> Labelled:
        labelled = self._labelled.get(uri)
        if labelled is None:
            labelled = Labelled(uri, self.vocab.label(uri))
            if len(self._labelled) < MAX_LABELLED:  # URIs the vocabulary does not know too
                self._labelled[uri] = labelled
        return labelled

    async def _facet_values(self, field: FacetField, counts: dict[str, int]) -> list[FacetValue]:
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_VALUES_SHOWN]
        if field is FacetField.PUBLISHER:
            async with self.pool.acquire() as conn:
                names = await repository.publisher_names(conn, [value for value, _ in top])
            labels = {publisher.id: publisher.name for publisher in names}
        elif field in FIXED_CHOICES:
            labels = FIXED_CHOICES[field]
        else:
            labels = {value: self.vocab.label(value) for value, _ in top}
        return [FacetValue(value, labels.get(value, value), count) for value, count in top]


Search: TypeAlias = NamedDependency[SearchService]
"""The search service over the chosen backend (``search``), as handlers ask for it."""
