"""GET and POST /oai: the OAI-PMH 2.0 endpoint (public, as harvesters expect), and the
ScoLOMFR 3.2.1 XSD its `lom` format names."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from litestar import Request, Response, get, route
from litestar.params import FromPath

from catalogue.errors import NotFoundError
from catalogue.identity.guards import PUBLIC
from catalogue.oai.service import SCOLOMFR_XSD, OaiProvider
from catalogue.shipped import schemas_dir

XSD_PREFIX = SCOLOMFR_XSD.rsplit("/", 1)[0]  # /schemas/xsd/scolomfr-3.2.1


@route(
    "/oai",
    http_method=["GET", "POST"],
    status_code=200,
    media_type="text/xml",
    opt={PUBLIC: True},
    tags=["moissonnage"],
    summary="Entrepôt OAI-PMH 2.0 (oai_dc et ScoLOMFR 3.2)",
)
async def oai(request: Request[Any, Any, Any], oai: OaiProvider) -> Response[bytes]:
    provider = oai
    query = request.url.query
    if request.method == "POST":  # arguments as an urlencoded form (OAI-PMH 3.1.1.2)
        query = (await request.body()).decode("utf-8", errors="replace")
    params = parse_qs(query, keep_blank_values=True)
    status, body = await provider.respond(params)
    # Litestar adds "; charset=utf-8"
    return Response(body, status_code=status, media_type="text/xml")


@functools.cache
def _xsd_files() -> dict[str, Path]:
    """The schema files of the shipped XSD, by their path under it (nothing else can be
    asked; each carries its licence and copyright)."""
    root = schemas_dir() / "xsd" / "scolomfr-3.2.1"
    return {path.relative_to(root).as_posix(): path for path in root.rglob("*.xsd")}


@get(
    f"{XSD_PREFIX}/{{name:path}}",
    media_type="application/xml",
    opt={PUBLIC: True},
    tags=["moissonnage"],
    summary="Schéma XSD ScoLOMFR 3.2.1 du format lom (et les schémas qu'il inclut)",
)
async def scolomfr_xsd(name: FromPath[str]) -> Response[bytes]:
    path = _xsd_files().get(name.lstrip("/"))
    if path is None:
        raise NotFoundError("Fichier de schéma introuvable.")
    return Response(path.read_bytes(), media_type="application/xml")
