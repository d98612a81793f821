"""Every error is RFC 9457 problem+json: routing, validation, bodies, ours and unexpected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import msgspec
import pytest
from litestar import get, post
from litestar.params import JSONBody

from catalogue.app import create_app
from catalogue.config import Settings
from catalogue.database import ServerUnreachableError, is_connection_loss, pool_connect
from catalogue.errors import ConflictError, UpstreamUnavailableError
from catalogue.identity.guards import PUBLIC
from catalogue.middleware import RequestContext
from tests.integration.conftest import open_client
from tests.logs import capture_logs


class Echo(msgspec.Struct):
    name: str
    count: int


@post("/api/test/echo", sync_to_thread=False, opt={PUBLIC: True})
def echo(data: JSONBody[Echo]) -> Echo:
    return data


@get("/api/test/conflict", sync_to_thread=False, opt={PUBLIC: True})
def conflict() -> None:
    raise ConflictError("Cette ressource existe déjà.")


@get("/api/test/crash", sync_to_thread=False, opt={PUBLIC: True})
def crash() -> None:
    raise RuntimeError("secret internals")


@get("/api/test/outage", sync_to_thread=False, opt={PUBLIC: True})
def outage() -> None:
    raise UpstreamUnavailableError("Meilisearch search: connection refused")


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    small = msgspec.structs.replace(settings, max_body_bytes=2048)
    app = create_app(small, extra_route_handlers=[echo, conflict, crash, outage])
    async for c in open_client(RequestContext(app)):
        yield c


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert "type" in body
    return body


async def test_a_valid_body_is_echoed(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/api/test/echo", json={"name": "a", "count": 2})
    assert response.status_code == 201
    assert response.json() == {"name": "a", "count": 2}


async def test_unknown_route_is_404(app_client: httpx.AsyncClient) -> None:
    body = assert_problem(await app_client.get("/no/such/page"), 404)
    assert body["instance"] == "/no/such/page"


async def test_wrong_method_is_405_with_allow(app_client: httpx.AsyncClient) -> None:
    response = await app_client.delete("/healthz")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_malformed_json_is_400(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(
        "/api/test/echo", content=b'{"name": "a", ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


async def test_invalid_fields_are_422_naming_them(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/api/test/echo", json={"name": "a", "count": "many"})
    body = assert_problem(response, 422)
    assert body["errors"] == [
        {"message": "Expected `int`, got `str`", "key": "count", "source": "body"}
    ]
    assert body["detail"] == "count: Expected `int`, got `str`"


async def test_wrong_content_type_is_415(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post(
        "/api/test/echo",
        content=b'{"name": "a", "count": 1}',
        headers={"content-type": "text/plain"},
    )
    assert_problem(response, 415)


async def test_oversized_body_is_413(app_client: httpx.AsyncClient) -> None:
    response = await app_client.post("/api/test/echo", json={"name": "x" * 5000, "count": 1})
    assert_problem(response, 413)


async def test_our_errors_keep_their_status_and_type(app_client: httpx.AsyncClient) -> None:
    body = assert_problem(await app_client.get("/api/test/conflict"), 409)
    assert body["type"] == "/problems/conflict"
    assert body["detail"] == "Cette ressource existe déjà."


async def test_unexpected_errors_are_500_logged_with_stack_not_leaked(
    app_client: httpx.AsyncClient,
) -> None:
    with capture_logs() as logs:
        response = await app_client.get("/api/test/crash")
    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert body["detail"] == "Une erreur interne est survenue."
    errors = [line for line in logs if line["log_level"] == "error"]
    assert len(errors) == 1
    assert isinstance(errors[0]["exc_info"], RuntimeError)
    assert errors[0]["request_id"] == response.headers["x-request-id"]


async def test_an_outage_is_503_and_one_log_line_without_a_stack(
    app_client: httpx.AsyncClient,
) -> None:
    with capture_logs() as logs:
        response = await app_client.get("/api/test/outage")
    assert assert_problem(response, 503)["type"] == "/problems/upstream-unavailable"
    [line] = [line for line in logs if line["event"] == "request failed"]
    assert line["log_level"] == "warning"
    assert "exc_info" not in line
    assert not [line for line in logs if line["log_level"] == "error"]


async def test_a_server_gone_from_its_socket_is_a_lost_connection(tmp_path: Path) -> None:
    """A stopped embedded server leaves no socket (FileNotFoundError): the pool must read it
    as a lost database (503, to retry), as it reads a refused TCP connection, not as a bug."""
    with pytest.raises(ServerUnreachableError) as caught:
        await pool_connect(f"postgresql://postgres@/catalogue?host={tmp_path}", timeout=2)
    assert is_connection_loss(caught.value)
