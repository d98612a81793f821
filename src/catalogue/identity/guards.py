"""Authentication for every route, and role guards."""

from __future__ import annotations

from typing import Any

import structlog
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Guard

from catalogue.errors import ForbiddenError, PublisherSuspendedError, UnauthorizedError
from catalogue.identity.authn import Authenticator
from catalogue.identity.models import Principal, Role

log = structlog.get_logger(__name__)

PUBLIC = "public"  # route opt: no authentication at all (probes, sign-in, token endpoint)
# Route opt: anonymous callers may read it too (the public catalogue); credentials sent are
# still checked (a bad token is a 401), so that a signed-in caller is counted as themselves.
OPEN = "open_to_anyone"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Authenticate(AbstractAuthenticationMiddleware):
    """A bearer token, or a browser session for reading; anything else is 401."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        authenticator: Authenticator = connection.app.state.authenticator
        header = connection.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise UnauthorizedError("use an Authorization: Bearer token")
            try:
                principal = await authenticator.from_bearer(token.strip())
            except UnauthorizedError as exc:
                log.info("token refused", reason=exc.detail)  # never the token itself
                exc.logged = True
                raise
            refuse_suspended_writes(principal, _method(connection))
            return AuthenticationResult(user=principal, auth=token)
        session = connection.scope.get("session")
        session = session if isinstance(session, dict) else {}
        principal_or_none = await authenticator.from_session(session)
        if principal_or_none is None:
            if connection.route_handler.opt.get(OPEN):
                return AuthenticationResult(user=None, auth=None)
            raise UnauthorizedError("authentication required")
        # The API is exempt from CSRF checks, so a cookie alone may only read it.
        if connection.scope.get("method") not in _SAFE_METHODS and connection.url.path.startswith(
            "/api/"
        ):
            raise UnauthorizedError(
                "API changes need a bearer token",
                public="Les modifications par l'API demandent un jeton bearer "
                "(en-tête Authorization: Bearer), pas un cookie de session.",
            )
        refuse_suspended_writes(principal_or_none, _method(connection))
        return AuthenticationResult(user=principal_or_none, auth=None)


def _method(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    method = connection.scope.get("method")
    return method if isinstance(method, str) else None


def refuse_suspended_writes(principal: Principal, method: str | None) -> None:
    """A suspended publisher's staff read, but change nothing (as staff or otherwise)."""
    if method in _SAFE_METHODS or not principal.publisher_suspended:
        return
    if principal.has(Role.NATIONAL_ADMIN):
        return  # the administration's own work is not the publisher's
    raise PublisherSuspendedError


# Guards are coroutines: Litestar runs a plain function guard in a thread, at every request.


def _options(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """OPTIONS is never authenticated (the middleware leaves it out, as CORS preflights carry
    no credentials) and only Litestar's own handler answers it: the allowed methods, no data.
    No handler of ours takes OPTIONS (tests/integration/test_anonymous_methods.py checks)."""
    return connection.scope.get("method") == "OPTIONS"


def requires(*roles: Role) -> Guard:
    """Let through callers holding at least one of the roles."""
    names = ", ".join(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if _options(connection):
            return
        principal: Principal = connection.user
        if not principal.has(*roles):
            raise ForbiddenError(f"Réservé aux rôles : {names}.")

    guard.__name__ = f"requires({names})"
    guard.roles = frozenset(roles)  # type: ignore[attr-defined]  # read by the route-table tests
    return guard


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Any authenticated caller, whatever their roles (the middleware has checked who)."""
    if _options(connection):
        return
    if not isinstance(connection.user, Principal):
        raise UnauthorizedError("authentication required")


def platform_scope(scope: str) -> Guard:
    """Let through the platform's own machine clients (an ENT, an identity provider) whose
    token carries the scope; no person and no publisher's client, whatever their roles."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if _options(connection):
            return
        principal: Principal = connection.user
        if principal.platform_id is None or scope not in principal.scopes:
            raise ForbiddenError(f"Réservé aux clients de la plateforme ayant la portée {scope}.")

    guard.__name__ = f"platform_scope({scope})"
    guard.roles = frozenset()  # type: ignore[attr-defined]  # no role is let through
    return guard


async def anyone(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Open to every caller, anonymous or not (routes with the ``OPEN`` opt): declared, so
    that a route without a guard is never an oversight."""
    if not connection.route_handler.opt.get(OPEN):
        raise UnauthorizedError("authentication required")
