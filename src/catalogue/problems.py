"""RFC 9457 problem+json: the one place where errors become HTTP answers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Litestar, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.types import ExceptionHandlersMap

from catalogue.database import is_connection_loss
from catalogue.errors import (
    CatalogueError,
    ConnectionLostError,
    DatabaseUnavailableError,
    InvalidInputError,
    QueryTimeoutError,
    UpstreamUnavailableError,
)

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem details object."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None
    # The OAuth 2.0 error code (RFC 6749 §5.2), on answers of the token endpoint.
    error: str | None = None


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(problem, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def log_failure(exc: CatalogueError) -> None:
    """The one log line an error answer gets (API or page): an outage in one line, another
    5xx with its stack (never its frames' locals: see logs.py), a hidden refusal's reason."""
    if isinstance(exc, DatabaseUnavailableError | UpstreamUnavailableError | QueryTimeoutError):
        # An outage, not a bug: one line per request, no traceback to flood the logs with.
        log.warning("request failed", error=exc.detail)
    elif exc.status >= 500:
        log.error("request failed", error=exc.detail, exc_info=exc)
    elif exc.hides_reason and not exc.logged:
        # One line with the reason the caller is not told (never a token: reasons name none).
        log.info("request refused", status=exc.status, reason=exc.detail)


def log_unexpected(exc: Exception) -> CatalogueError | None:
    """Log an exception no handler knows, once. A lost database connection is an outage
    (returned as ``ConnectionLostError``, one line); anything else a bug, logged with its
    stack (None: answer a 500)."""
    if is_connection_loss(exc):
        # Failover, restart or a terminated backend: the transaction was rolled back or
        # committed whole, so a request that is safe to repeat may simply be retried.
        log.warning("database connection lost", error=type(exc).__name__)
        return ConnectionLostError()
    log.error("unhandled error", exc_info=exc)
    return None


def _from_catalogue_error(
    request: Request[Any, Any, Any], exc: CatalogueError
) -> Response[Problem]:
    log_failure(exc)
    return _problem(request, exc)


def _problem(request: Request[Any, Any, Any], exc: CatalogueError) -> Response[Problem]:
    return problem_response(
        Problem(
            type=f"/problems/{exc.slug}",
            title=exc.title,
            status=exc.status,
            detail=exc.shown,
            instance=request.url.path,
            errors=exc.extra.get("errors"),
            error=exc.extra.get("error"),
        ),
        headers=exc.headers,
    )


# Litestar refuses some requests itself (routing, methods, sizes, unreadable bodies) with its
# English phrases: callers read French titles and details, as for our own errors.
_TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    406: "Format de réponse indisponible",
    409: "Conflit",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    422: "Données refusées",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service indisponible",
}
_DETAILS = {
    400: "La requête est mal formée.",
    401: "Authentification requise.",
    403: "Vous n'avez pas le droit de faire cette action.",
    404: "Il n'y a rien à cette adresse.",
    405: "Cette méthode n'est pas acceptée à cette adresse.",
    406: "Cette adresse ne sert pas le format demandé (en-tête Accept).",
    413: "Le corps de la requête dépasse la taille permise.",
    415: "Ce type de contenu n'est pas accepté à cette adresse.",
    429: "Trop de requêtes : réessayez plus tard.",
    503: "Le service est indisponible : réessayez dans un moment.",
}
# Litestar's own details, word for word, and what the caller reads instead.
_LITESTAR_DETAILS = {
    "Invalid multipart/form-data": "Le formulaire (multipart/form-data) est illisible.",
    "Unexpected eof in multipart/form-data": "Le formulaire (multipart/form-data) est tronqué.",
    "Invalid host header": "L'en-tête Host est invalide.",
    "Invalid content-length": "L'en-tête Content-Length est invalide.",
}
INTERNAL_ERROR = "Une erreur interne est survenue."


def http_title(status: int) -> str:
    """The French title of a status Litestar answers on its own."""
    if status in _TITLES:
        return _TITLES[status]
    return "Erreur interne" if status >= 500 else "Requête refusée"


def _http_detail(exc: HTTPException, status: int) -> str:
    """What the caller reads of a refusal raised by Litestar (ours already speak French)."""
    detail = str(exc.detail)
    if status >= 500:
        return INTERNAL_ERROR
    if isinstance(exc, ValidationException):
        return _refused_values(exc)
    if isinstance(exc.__cause__, SerializationException):
        return f"Le corps de la requête est illisible ({detail})."
    if detail.startswith("Invalid content-length"):
        detail = "Invalid content-length"
    elif not detail or detail == HTTPStatus(status).phrase:
        return _DETAILS.get(status, f"{http_title(status)}.")
    return _LITESTAR_DETAILS.get(detail, detail)


def _refused_values(exc: ValidationException) -> str:
    errors = exc.extra if isinstance(exc.extra, list) else []
    keys = [str(e["key"]) for e in errors if isinstance(e, dict) and e.get("key")]
    if not keys:
        return "Des valeurs de la requête sont refusées."
    return f"Valeurs refusées : {', '.join(keys)} (le détail est dans errors)."


def _body_errors(exc: HTTPException) -> list[dict[str, Any]] | None:
    """The field errors of a body that was readable JSON but held refused values."""
    if not isinstance(exc, ValidationException) or not isinstance(exc.extra, list):
        return None
    if not exc.extra or any(e.get("source") != "body" for e in exc.extra):
        return None
    return exc.extra


def _from_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    if status >= 500:
        log.error("request failed", exc_info=exc)
    errors = (
        exc.extra if isinstance(exc, ValidationException) and isinstance(exc.extra, list) else None
    )
    detail = _http_detail(exc, status)
    if body_errors := _body_errors(exc):
        # 422: each error names its field ("offers[0].unit_price_cents").
        status = 422
        detail = "; ".join(f"{e.get('key') or 'body'}: {e.get('message')}" for e in body_errors)
    return problem_response(
        Problem(
            type="about:blank",
            title=http_title(status),
            status=status,
            detail=detail,
            instance=request.url.path,
            errors=errors,
        ),
        headers=exc.headers,
    )


def _from_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    known = log_unexpected(exc)
    if known is not None:
        return _problem(request, known)
    return problem_response(
        Problem(
            type="about:blank",
            title=http_title(500),
            status=500,
            detail=INTERNAL_ERROR,
            instance=request.url.path,
        )
    )


def _from_query_timeout(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """statement_timeout (or a cancelled statement): busy, not a bug; no stack in the log."""
    del exc
    return _from_catalogue_error(request, QueryTimeoutError())


def _from_unstorable_text(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """Text PostgreSQL cannot hold (a NUL character): the caller's input, not our fault."""
    del exc
    refused = InvalidInputError("Le texte envoyé contient un caractère nul (U+0000), refusé.")
    return _from_catalogue_error(request, refused)


exception_handlers: ExceptionHandlersMap = {
    CatalogueError: _from_catalogue_error,
    asyncpg.CharacterNotInRepertoireError: _from_unstorable_text,
    asyncpg.QueryCanceledError: _from_query_timeout,
    asyncpg.UntranslatableCharacterError: _from_unstorable_text,
    HTTPException: _from_http_exception,
    Exception: _from_unexpected,
}


def document_problems(app: Litestar) -> None:
    """Every operation may answer an RFC 9457 problem (401, 403, 404, 409, 422, 503...):
    say so once for all in the OpenAPI document, as a 4XX and a 5XX range (and in the
    error answers Litestar documents itself, which our handlers turn into problems too)."""
    problem = OpenAPIResponse(
        description="Problème (RFC 9457)",
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT))},
    )
    for item in (app.openapi_schema.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method)
            if operation is not None:
                documented = {
                    code: problem if code.isdigit() and int(code) >= 400 else response
                    for code, response in (operation.responses or {}).items()
                }
                operation.responses = {"4XX": problem, "5XX": problem, **documented}
