"""SCIM 2.0 at ``/scim/v2``: scim2-server's ASGI application, mounted in the Litestar app.

The platform's identity provider or ENT calls it with a client-credentials token of a
platform client holding ``scim:write`` (``POST /oauth/token``). Its answers, errors
included, are SCIM's (``application/scim+json``, the error body with ``scimType``), not
problem+json. Each request gets its own storage, bound to the calling platform.

``create_app`` builds one ``ScimApplication`` and mounts its ``route``; its lifespan hands it
what it serves with (``ScimLink``: the pool, the authenticator, the pseudonym key, the base
URL and the ledger's ``PersonMoved`` hook), typed, once they exist.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import asgi
from litestar.handlers import ASGIRouteHandler
from litestar.types import Receive, Scope, Send
from scim2_models import (
    ForbiddenException,
    SCIMException,
    ScimProvider,
    UnauthorizedException,
)
from scim2_server.applications.asgi import ASGIApplication
from scim2_server.applications.base import BaseApplication
from scim2_server.handler import AsyncScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from catalogue.errors import CatalogueError
from catalogue.identity.authn import Authenticator
from catalogue.identity.csrf import NO_CSRF
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import PlatformScope, Principal
from catalogue.provisioning import schemas
from catalogue.provisioning.changes import PersonMoved
from catalogue.provisioning.storage import DirectoryStorage

log = structlog.get_logger(__name__)

MOUNT = "/scim"


class ScimLink(msgspec.Struct, frozen=True, kw_only=True):
    """What the SCIM application serves with, from the app's lifespan."""

    pool: asyncpg.Pool
    authenticator: Authenticator
    pseudonym_key: bytes
    base_url: str  # its resources' addresses: {issuer}/scim/v2
    on_change: PersonMoved | None  # the ledger's hook (``changes.people_changed``)


class ScimApplication(ASGIApplication):
    """The SCIM endpoints over the app's pool, authenticated by the app's bearer tokens."""

    def __init__(self, provider: ScimProvider | None = None) -> None:
        provider = provider or schemas.provider()
        # No storage of its own: one per request (``dispatch``), bound to the caller.
        BaseApplication.__init__(self, provider, ScimService(provider))
        self._link: ScimLink | None = None

    def link(self, link: ScimLink | None) -> None:
        """Serve with these (the app's lifespan starts); None: stopped."""
        self._link = link

    async def dispatch(self, request: ScimRequest, link: ScimLink) -> ScimResponse:
        try:
            response = await self._serve(request, link)
        except Exception as exception:  # noqa: BLE001  # every failure gets SCIM's answer
            response = self.handle_exception(request, exception)
        return self.finalize_response(request, response)

    async def _serve(self, request: ScimRequest, link: ScimLink) -> ScimResponse:
        if not self.needs_auth(request):  # /ServiceProviderConfig (RFC 7643 §5)
            return await AsyncScimHandler(self.service, _NO_STORAGE).handle(request)
        subject = await _platform_client(request, link.authenticator)
        request.subject = subject
        assert subject.platform_id is not None  # checked by _platform_client
        storage = DirectoryStorage(
            link.pool,
            self.provider,
            platform_id=subject.platform_id,
            pseudonym_key=link.pseudonym_key,
            on_change=link.on_change,
        )
        response = await AsyncScimHandler(self.service, storage).handle(request)
        for person_id in storage.deactivated:  # committed: their sessions end now
            await link.authenticator.end_all_sessions(person_id)
            link.authenticator.forget_person(person_id)
        return response

    def handle_exception(self, request: ScimRequest, exception: Exception) -> ScimResponse:
        """SCIM's error answer; the log line names the status and the kind of error only (a
        refusal's detail may quote a name, an e-mail or a UAI)."""
        response = self.service.error_response(exception)
        if isinstance(exception, SCIMException):
            log.info(
                "scim request refused",
                status=int(response.status),
                scim_type=exception.scim_type,
                method=request.method,
            )
        else:
            log.error("scim request failed", exc_info=exception)
        return response

    async def serve_scope(self, scope: Scope, receive: Receive, send: Send) -> None:
        link = self._link
        if link is None:  # only between the app's start and its lifespan's
            raise RuntimeError("the SCIM application serves once the app's lifespan has begun")
        raw: dict[str, Any] = dict(scope)
        raw["path"] = str(scope["path"]).rstrip("/") or "/"
        raw["root_path"] = ""
        request = await self.read_request(raw, receive)  # type: ignore[arg-type]
        request.base_url = link.base_url
        response = await self.dispatch(request, link)
        await self.send_response(response, send)  # type: ignore[arg-type]

    def route(self) -> ASGIRouteHandler:
        """Its mount at ``/scim`` in the Litestar app."""

        @asgi(
            MOUNT,
            is_mount=True,
            copy_scope=True,
            opt={PUBLIC: True, NO_CSRF: True},
            include_in_schema=False,
        )
        async def scim(scope: Scope, receive: Receive, send: Send) -> None:
            """SCIM 2.0 (RFC 7644) for the platform's provisioning clients (scim:write)."""
            await self.serve_scope(scope, receive, send)

        return scim


async def _platform_client(request: ScimRequest, authenticator: Authenticator) -> Principal:
    """The calling platform client, with scim:write; SCIM's 401 or 403 otherwise."""
    scheme, _, token = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedException(detail="Un jeton bearer est attendu.")
    try:
        principal = await authenticator.from_bearer(token.strip())
    except CatalogueError as exc:
        log.info("scim token refused", reason=exc.detail)  # never the token itself
        raise UnauthorizedException(detail="Jeton refusé.") from None
    if principal.platform_id is None or PlatformScope.SCIM_WRITE not in principal.scopes:
        raise ForbiddenException(
            detail="Réservé aux clients de la plateforme ayant la portée scim:write."
        )
    return principal


class _NoStorage(DirectoryStorage):
    def __init__(self) -> None:  # never reached: /ServiceProviderConfig reads no resource
        pass


_NO_STORAGE = _NoStorage()
