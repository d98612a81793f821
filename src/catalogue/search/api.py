"""GET /api/v1/search."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

from litestar import Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from catalogue.errors import InvalidInputError
from catalogue.identity.guards import OPEN, anyone
from catalogue.search.models import FacetField, Sort, chosen_filters
from catalogue.search.service import Search, SearchResponse

Values = Annotated[list[str] | None, QueryParameter(description="Répétable ; valeurs en OU")]
Filters: TypeAlias = NamedDependency[dict[FacetField, list[str]]]


async def search_filters(
    search: Search,
    *,
    discipline: Values = None,
    level: Values = None,
    resource_type: Values = None,
    pedagogical_type: Values = None,
    publisher: Values = None,
    free: Values = None,
    licence_type: Values = None,
    accessibility: Values = None,
    language: Values = None,
    audience: Values = None,
    commun: Values = None,
) -> dict[FacetField, list[str]]:
    """The filters a search gives (the API and the search page), by their API names; empty
    ones left out. A dependency, so that both declare the same query parameters.

    It asks for ``search`` (unused) so that Litestar resolves the two one after the other:
    dependencies of the same level are resolved in a task group of their own, two anyio
    tasks at every request."""
    del search
    return chosen_filters(
        discipline=discipline,
        level=level,
        resource_type=resource_type,
        pedagogical_type=pedagogical_type,
        publisher=publisher,
        free=free,
        licence_type=licence_type,
        accessibility=accessibility,
        language=language,
        audience=audience,
        commun=commun,
    )


SEARCH_PARAMETERS = ("q", *(f.value for f in FacetField), "facets", "sort", "page", "per_page")


def refuse_unknown_parameters(request: Request[Any, Any, Any]) -> None:
    """A parameter the search does not take is a 400 naming those it takes (a misspelt filter
    would otherwise widen the search without a word)."""
    unknown = sorted(set(request.query_params) - set(SEARCH_PARAMETERS))
    if unknown:
        raise InvalidInputError(
            f"Paramètre{'s' if len(unknown) > 1 else ''} inconnu{'s' if len(unknown) > 1 else ''}"
            f" : {', '.join(unknown)}. Paramètres acceptés : {', '.join(SEARCH_PARAMETERS)}.",
            errors=[{"unknown": unknown, "accepted": list(SEARCH_PARAMETERS)}],
        )


@get(
    "/api/v1/search",
    guards=[anyone],
    opt={OPEN: True},
    tags=["catalogue"],
    summary="Rechercher dans le catalogue (texte en français, filtres, facettes)",
    dependencies={"filters": Provide(search_filters)},
)
async def search(
    request: Request[Any, Any, Any],
    search: Search,
    filters: Filters,
    *,
    q: Annotated[str | None, QueryParameter(description="Texte (1 000 caractères au plus)")] = None,
    facets: Annotated[list[FacetField] | None, QueryParameter()] = None,
    sort: Annotated[Sort, QueryParameter()] = Sort.RELEVANCE,
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> SearchResponse:
    """Open to anyone: the catalogue is public (published resources of approved publishers)."""
    refuse_unknown_parameters(request)
    query = search.query(
        q,
        filters=filters,
        facets=facets or [],
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return await search.search(query)
