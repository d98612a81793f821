"""GET /api/v1/search."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter

from catalogue.identity.guards import signed_in
from catalogue.search.models import FacetField, Sort, chosen_filters
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
    chosen = chosen_filters(
        discipline=discipline,
        level=level,
        resource_type=resource_type,
        pedagogical_type=pedagogical_type,
        publisher=publisher,
        free=free,
        licence_type=licence_type,
        accessibility=accessibility,
        language=language,
    )
    query = service.query(
        q,
        filters=chosen,
        facets=facets or [],
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return await service.search(query)
