"""GET and POST /oai: the OAI-PMH 2.0 endpoint (public, as harvesters expect)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from litestar import Request, Response, route

from catalogue.identity.guards import PUBLIC
from catalogue.oai.service import Provider


@route(
    "/oai",
    http_method=["GET", "POST"],
    status_code=200,
    media_type="text/xml",
    opt={PUBLIC: True},
    tags=["moissonnage"],
    summary="Entrepôt OAI-PMH 2.0 (oai_dc et ScoLOMFR 3.2)",
)
async def oai(request: Request[Any, Any, Any]) -> Response[bytes]:
    provider: Provider = request.app.state.oai
    query = request.url.query
    if request.method == "POST":  # arguments as an urlencoded form (OAI-PMH 3.1.1.2)
        query = (await request.body()).decode("utf-8", errors="replace")
    params = parse_qs(query, keep_blank_values=True)
    body = await provider.respond(params)
    return Response(body, media_type="text/xml")  # Litestar adds "; charset=utf-8"
