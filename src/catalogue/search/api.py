"""GET /api/v1/search."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter

from catalogue.identity.guards import signed_in
from catalogue.search.models import FacetField, Sort
from catalogue.search.service import SearchResponse, SearchService

Values = Annotated[list[str] | None, QueryParameter(description="Répétable ; valeurs en OU")]


@get(
    "/api/v1/search",
    guards=[signed_in],
    tags=["catalogue"],
    summary="Rechercher dans le catalogue (texte en français, filtres, facettes)",
)
async def search(
    request: Request[Any, Any, Any],
    *,
    q: Annotated[str | None, QueryParameter(description="Texte (1 000 caractères au plus)")] = None,
    discipline: Values = None,
    level: Values = None,
    resource_type: Values = None,
    pedagogical_type: Values = None,
    publisher: Values = None,
    free: Values = None,
    licence_type: Values = None,
    accessibility: Values = None,
    language: Values = None,
    facets: Annotated[list[FacetField] | None, QueryParameter()] = None,
    sort: Annotated[Sort, QueryParameter()] = Sort.RELEVANCE,
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
) -> SearchResponse:
    service: SearchService = request.app.state.search
    given = {
        FacetField.DISCIPLINE: discipline,
        FacetField.LEVEL: level,
        FacetField.RESOURCE_TYPE: resource_type,
        FacetField.PEDAGOGICAL_TYPE: pedagogical_type,
        FacetField.PUBLISHER: publisher,
        FacetField.FREE: free,
        FacetField.LICENCE_TYPE: licence_type,
        FacetField.ACCESSIBILITY: accessibility,
        FacetField.LANGUAGE: language,
    }
    query = service.query(
        q,
        filters={field: values for field, values in given.items() if values},
        facets=facets or [],
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return await service.search(query)
