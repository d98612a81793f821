"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.openapi import OpenAPIConfig
from litestar.params import BodyKwarg
from litestar.types import ControllerRouterHandler

from catalogue import __version__, health
from catalogue.config import Settings, get_settings
from catalogue.database import create_pool
from catalogue.dependencies import DEPENDENCIES
from catalogue.logs import configure_logging
from catalogue.middleware import RequestContext
from catalogue.problems import exception_handlers

_JSON_TYPES = ("application/json",)


def _expects_json(request: Request[Any, Any, Any]) -> bool:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return False
    kwarg = data.kwarg_definition
    media_type = kwarg.media_type if isinstance(kwarg, BodyKwarg) else RequestEncodingType.JSON
    return media_type == RequestEncodingType.JSON


async def _require_json_content_type(request: Request[Any, Any, Any]) -> None:
    """A JSON endpoint refuses other content types with 415 instead of guessing."""
    if not _expects_json(request):
        return
    media_type = request.content_type[0]
    if media_type not in _JSON_TYPES and not media_type.endswith("+json"):
        raise ClientException(
            "Le corps de la requête doit être en application/json.", status_code=415
        )


def create_app(
    settings: Settings | None = None,
    *,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the Litestar app. The database pool opens and closes with the app's lifespan."""
    settings = settings or get_settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        url = settings.database_url
        if url is None:
            raise RuntimeError("create_app needs a resolved database_url (the CLI provides it)")
        app.state.pool = await create_pool(url, max_size=settings.db_pool_size)
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar(
        route_handlers=[health.healthz, health.readyz, *extra_route_handlers],
        dependencies=DEPENDENCIES,
        lifespan=[lifespan],
        before_request=_require_json_content_type,
        exception_handlers=exception_handlers,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Catalogue de ressources numériques éducatives",
            version=__version__,
            path="/schema",
        ),
        logging_config=None,
        debug=False,
    )


def create_asgi_app(settings: Settings | None = None) -> RequestContext:
    """What the ASGI server runs: the app inside the request-context layer."""
    return RequestContext(create_app(settings))
