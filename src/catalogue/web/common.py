"""What every page handler shares: who is signed in, sign-in redirects, errors as pages."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import structlog
from litestar import Request, Response
from litestar.datastructures import FormMultiDict
from litestar.exceptions import HTTPException
from litestar.response import Redirect

from catalogue.errors import CatalogueError, ForbiddenError
from catalogue.identity.guards import refuse_suspended_writes
from catalogue.identity.models import Principal, Role
from catalogue.pages import page, signed_in
from catalogue.problems import exception_handlers, log_failure, log_unexpected

AnyRequest = Request[Any, Any, Any]
HTTP_PROBLEM = exception_handlers[HTTPException]
log = structlog.get_logger(__name__)


class SignInRequiredError(Exception):
    """No (or an expired) session: go and sign in, then come back to ``back``."""

    def __init__(self, back: str) -> None:
        super().__init__(back)
        self.back = back


def here(request: AnyRequest) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def page_user(request: AnyRequest, *roles: Role, back: str | None = None) -> Principal:
    """The signed-in person holding one of ``roles``; a sign-in redirect when signed out."""
    principal = await signed_in(request)
    if principal is None:
        raise SignInRequiredError(back or (here(request) if request.method == "GET" else "/"))
    request.state.principal = principal  # for an error page, should one follow
    if roles and not principal.has(*roles):
        raise ForbiddenError("Cette page est réservée à un autre profil.")
    refuse_suspended_writes(principal, request.method)
    return principal


async def page_visitor(request: AnyRequest) -> Principal | None:
    """Whoever reads a public page: the signed-in person, or None (anonymous)."""
    principal = await signed_in(request)
    request.state.principal = principal  # for an error page, should one follow
    return principal


def to_sign_in(_: AnyRequest, exc: SignInRequiredError) -> Response[Any]:
    return Redirect(f"/auth/login?next={quote(exc.back, safe='/')}", status_code=303)


def error_page(request: AnyRequest, exc: CatalogueError) -> Response[Any]:
    log_failure(exc)
    return _error_page(request, exc)


def failure_page(request: AnyRequest, exc: Exception) -> Response[Any]:
    """An exception no handler knows, on a page: logged once (with its stack), answered
    with an error page (a lost database connection: the outage's page)."""
    known = log_unexpected(exc)
    if known is not None:
        return _error_page(request, known)
    principal = request.state.get("principal")
    return page(
        "erreur.html",
        principal,
        status_code=500,
        status=500,
        title=HTTPStatus.INTERNAL_SERVER_ERROR.phrase,
        detail="Une erreur interne est survenue.",
    )


def _error_page(request: AnyRequest, exc: CatalogueError) -> Response[Any]:
    principal = request.state.get("principal")
    return page(
        "erreur.html",
        principal,
        status_code=exc.status,
        status=exc.status,
        title=exc.title,
        detail=exc.shown,
    )


# Paths that are not pages (machines read them): their errors stay problem+json.
_NOT_PAGES = ("/api/", "/oauth/", "/oai", "/lti/", "/.well-known/", "/schema", "/static/")


def wants_page(request: AnyRequest) -> bool:
    """A browser asking for a page (Accept: text/html) outside the machines' paths."""
    path = request.url.path
    return not path.startswith(_NOT_PAGES) and "text/html" in request.headers.get("accept", "")


def no_such_page(request: AnyRequest, exc: HTTPException) -> Response[Any]:
    """An address with no page behind it, for a browser: the 404 page in the site's design
    (for everyone else, the problem+json answer, as before)."""
    if exc.status_code != HTTPStatus.NOT_FOUND or not wants_page(request):
        return HTTP_PROBLEM(request, exc)
    return page(
        "erreur.html",
        None,
        status_code=404,
        status=404,
        title="Page introuvable",
        detail="Il n'y a rien à cette adresse.",
    )


PAGE_EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    SignInRequiredError: to_sign_in,
    CatalogueError: error_page,
    # Errors Litestar raises (HTTPException) and the database's own (statement timeout,
    # unstorable text) keep the application's handlers, which find them first.
    Exception: failure_page,
}


def field(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def parse_euros(text: str) -> int | None:
    """Euros typed in a form ("12", "12,50", "12.5") as cents; None when unreadable."""
    cleaned = text.replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
    whole, _, decimals = cleaned.partition(".")
    if not whole.isdigit() or (decimals and (not decimals.isdigit() or len(decimals) > 2)):
        return None
    return int(whole) * 100 + int(decimals.ljust(2, "0") or 0)
