"""Every route, every method, nobody signed in: never a 5xx; the API says why in problem+json."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from catalogue.app import create_app
from catalogue.config import Settings
from catalogue.middleware import RequestContext
from tests.integration.conftest import open_client

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_PARAMETER = re.compile(r"\{(\w+):(\w+)\}")


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def anonymous(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async for c in open_client(RequestContext(app)):
        yield c


def _concrete(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        return str(uuid.uuid4()) if match.group(2) == "uuid" else "x"

    return _PARAMETER.sub(value, path)


def _paths(app: Litestar) -> list[str]:
    paths = {
        _concrete(route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute) and not route.path.startswith(("/static", "/schema/"))
    }
    return sorted(paths)


async def test_no_route_answers_5xx_to_an_anonymous_caller_whatever_the_method(
    app: Litestar, anonymous: httpx.AsyncClient
) -> None:
    failures = []
    for path in _paths(app):
        for method in METHODS:
            response = await anonymous.request(method, path)
            problem = response.headers.get("content-type", "").startswith(
                "application/problem+json"
            )
            if response.status_code >= 500:
                failures.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            elif path.startswith("/api/") and response.status_code >= 400 and not problem:
                failures.append(f"{method} {path}: {response.status_code} without problem+json")
    assert failures == []


async def test_options_says_which_methods_a_guarded_route_allows(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.options("/api/v1/publisher/resources")
    assert response.status_code == 204
    assert "POST" in response.headers["allow"]


def test_no_handler_of_ours_takes_options(app: Litestar) -> None:
    """Guards let OPTIONS through because only Litestar's own handler answers it."""
    ours = [
        f"{route.path} {handler.handler_name}"
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if "OPTIONS" in handler.http_methods and handler.handler_name != "options_handler"
    ]
    assert ours == []
