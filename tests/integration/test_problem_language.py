"""API problems speak French: the title and the detail of every answer, including the ones
Litestar raises itself (routing, methods, sizes, unreadable bodies, refused parameters)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest
from litestar import get
from litestar.params import FromQuery

from catalogue.app import create_app
from catalogue.config import Settings
from catalogue.identity.guards import PUBLIC
from catalogue.middleware import RequestContext
from tests.integration.conftest import open_client
from tests.integration.test_problems import assert_problem, crash, echo, outage
from tests.logs import capture_logs


@get("/api/test/page", sync_to_thread=False, opt={PUBLIC: True})
def numbered(page: FromQuery[int]) -> int:
    return page


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    small = msgspec.structs.replace(settings, max_body_bytes=2048)
    app = create_app(small, extra_route_handlers=[echo, crash, outage, numbered])
    async for c in open_client(RequestContext(app)):
        yield c


TOO_LARGE = b'{"name": "' + b"x" * 5000 + b'"}'


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "title", "detail"),
    [
        ("GET", "/no/such/page", None, 404, "Introuvable", "Il n'y a rien à cette adresse."),
        (
            "DELETE",
            "/healthz",
            None,
            405,
            "Méthode non autorisée",
            "Cette méthode n'est pas acceptée à cette adresse.",
        ),
        (
            "POST",
            "/api/test/echo",
            b'{"name": "a", ',
            400,
            "Requête invalide",
            "Le corps de la requête est illisible (Input data was truncated).",
        ),
        (
            "POST",
            "/api/test/echo",
            TOO_LARGE,
            413,
            "Requête trop volumineuse",
            "Le corps de la requête dépasse la taille permise.",
        ),
        (
            "GET",
            "/api/test/page?page=many",
            None,
            400,
            "Requête invalide",
            "Valeurs refusées : page (le détail est dans errors).",
        ),
        ("GET", "/api/test/crash", None, 500, "Erreur interne", "Une erreur interne est survenue."),
    ],
)
async def test_problems_raised_by_the_framework_are_in_french(
    app_client: httpx.AsyncClient,
    method: str,
    path: str,
    body: bytes | None,
    status: int,
    title: str,
    detail: str,
) -> None:
    response = await app_client.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, status)
    assert (problem["title"], problem["detail"]) == (title, detail)


async def test_a_refused_parameter_still_names_its_field_in_errors(
    app_client: httpx.AsyncClient,
) -> None:
    problem = assert_problem(await app_client.get("/api/test/page?page=many"), 400)
    assert problem["errors"] == [
        {"message": "Expected `int`, got `str`", "key": "page", "source": "query"}
    ]


async def test_an_outage_is_told_in_french_and_its_reason_logged_in_english(
    app_client: httpx.AsyncClient,
) -> None:
    with capture_logs() as logs:
        problem = assert_problem(await app_client.get("/api/test/outage"), 503)
    assert problem["title"] == "Service tiers indisponible"
    assert problem["detail"] == (
        "Un service dont dépend le catalogue ne répond pas : réessayez dans un moment."
    )
    [line] = [line for line in logs if line["event"] == "request failed"]
    assert line["error"] == "Meilisearch search: connection refused"
