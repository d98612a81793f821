"""The home page: a search box and entry points into the catalogue, for anyone."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from catalogue.identity.guards import PUBLIC
from catalogue.pages import render
from catalogue.search.models import FacetField, Sort
from catalogue.search.service import Search
from catalogue.web.common import AnyRequest

# Entry points on the home page: the most stocked values of each, with their counts.
HOME_ENTRIES = {FacetField.LEVEL: "Par niveau", FacetField.DISCIPLINE: "Par discipline"}
HOME_ENTRIES_SHOWN = 12


@get("/", opt={PUBLIC: True}, include_in_schema=False)
async def home(request: AnyRequest, search: Search) -> Template:
    """Public: a search box and entry points by level and discipline, with their counts."""
    query = search.query(
        None, filters={}, facets=list(HOME_ENTRIES), sort=Sort.RELEVANCE, page=1, per_page=1
    )
    result = await search.search(query)
    entries = {
        field: (legend, result.facets.get(field, [])[:HOME_ENTRIES_SHOWN])
        for field, legend in HOME_ENTRIES.items()
    }
    return await render(request, "home.html", total=result.total, entries=entries)
