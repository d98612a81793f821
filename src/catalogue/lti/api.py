"""LTI over HTTP: tool registration (API and Dynamic Registration), launches and Deep Linking.

The browser steps (/lti/...) answer with pages: a refused launch is a page saying why.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from catalogue.config import Settings
from catalogue.dependencies import AppSettings, Pool, PseudonymKey, PublisherHttp
from catalogue.errors import UnauthorizedError
from catalogue.identity.authn import AppAuthenticator, Authenticator
from catalogue.identity.guards import PUBLIC, requires
from catalogue.identity.models import Principal, Role, Scope
from catalogue.lti import launch, registration, service
from catalogue.lti.launch import LtiToolKeys
from catalogue.lti.models import (
    Link,
    ManualTool,
    RegisteredTool,
    RegistrationStart,
    RegistrationUrl,
    ToolRegistration,
)
from catalogue.lti.records import PublisherTool
from catalogue.pages import render
from catalogue.resources.publishing import acting_publisher
from catalogue.strict import strictly
from catalogue.vocabularies.index import Vocabulary
from catalogue.web.headers import content_security_policy

AuthRequest = Request[Principal, Any, Any]


class PublisherToolsController(Controller):
    """A publisher's LTI tools (staff sign-in, or a client with `publisher:resources`)."""

    path = "/api/v1/publisher/lti"
    tags = ["LTI"]  # noqa: RUF012  # Litestar reads it as a class attribute
    guards = [requires(Role.PUBLISHER)]  # noqa: RUF012  # same

    @post("/tools", summary="Enregistrer un outil LTI 1.3 ; son offre devient une ressource")
    async def register(
        self,
        request: AuthRequest,
        *,
        pool: Pool,
        settings: AppSettings,
        publisher_http: PublisherHttp,
        vocab: Vocabulary,
        data: JSONBody[ManualTool],
    ) -> RegisteredTool:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        return await service.register_tool(
            pool,
            publisher_http,
            vocab,
            settings,
            publisher_id=publisher_id,
            tool=await strictly(request, data),
        )

    @get("/tools", summary="Ses outils LTI")
    async def tools(self, request: AuthRequest, pool: Pool) -> list[PublisherTool]:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        return await service.tools_of_publisher(pool, publisher_id)

    @post(
        "/registrations",
        summary="Enregistrement dynamique : l'adresse à ouvrir chez l'outil (valable une heure)",
    )
    async def start_registration(
        self,
        request: AuthRequest,
        pool: Pool,
        settings: AppSettings,
        data: JSONBody[RegistrationStart],
    ) -> RegistrationUrl:
        publisher_id = acting_publisher(request.user, Scope.RESOURCES)
        return await service.start_dynamic_registration(
            pool, settings, publisher_id, data.tool_registration_url
        )


@get("/api/v1/me/lti-links", guards=[requires(Role.TEACHER)], tags=["LTI"])
async def my_links(request: AuthRequest, pool: Pool) -> list[Link]:
    """Contents picked inside tools (Deep Linking), to launch again."""
    return await service.links_of(pool, request.user.person_id)


@get("/openid-configuration", sync_to_thread=False)
def openid_configuration(settings: AppSettings) -> dict[str, Any]:
    """The platform's configuration, as tools read it during Dynamic Registration."""
    return registration.platform_configuration(settings)


@post("/register", status_code=200)
async def register(
    request: Request[Any, Any, Any],
    *,
    pool: Pool,
    settings: AppSettings,
    publisher_http: PublisherHttp,
    vocab: Vocabulary,
    data: JSONBody[ToolRegistration],
) -> dict[str, Any]:
    """Dynamic Registration: the tool posts its registration with the token it was given."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("the registration token is required (Authorization: Bearer)")
    return await service.register_with_token(
        pool, publisher_http, vocab, settings, token=token.strip(), tool=data
    )


async def _teacher(request: Request[Any, Any, Any], authenticator: Authenticator) -> Principal:
    """The person launching: a bearer token (API clients, tests) or a browser session. An
    Authorization header that is not a valid bearer token is refused, never passed over for
    the session."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise launch.refuse("L'en-tête Authorization n'est pas un jeton Bearer.", status=401)
        try:
            principal: Principal = await authenticator.from_bearer(token.strip())
        except UnauthorizedError:
            raise launch.refuse("Le jeton d'accès n'est pas valide.", status=401) from None
        return principal
    session = request.scope.get("session")
    found: Principal | None = await authenticator.from_session(
        session if isinstance(session, dict) else {}
    )
    if found is None:
        raise launch.refuse("Connectez-vous pour ouvrir cette ressource.", status=401)
    return found


@get("/launch/{resource_id:uuid}")
async def start_launch(
    request: Request[Any, Any, Any],
    *,
    pool: Pool,
    settings: AppSettings,
    authenticator: AppAuthenticator,
    resource_id: FromPath[UUID],
    link: FromQuery[UUID | None] = None,
) -> Redirect:
    """Open an acquired resource in its tool (OIDC third-party login initiation)."""
    principal = await _teacher(request, authenticator)
    return Redirect(
        await service.start_launch(pool, settings, principal, resource_id, link_id=link)
    )


@get("/deep-linking/{resource_id:uuid}")
async def start_deep_linking(
    request: Request[Any, Any, Any],
    pool: Pool,
    settings: AppSettings,
    authenticator: AppAuthenticator,
    resource_id: FromPath[UUID],
) -> Redirect:
    """Pick contents inside an acquired tool (Deep Linking)."""
    principal = await _teacher(request, authenticator)
    url = await service.start_launch(pool, settings, principal, resource_id, deep_linking=True)
    return Redirect(url)


@get("/authorize")
async def authorize(
    request: Request[Any, Any, Any],
    pool: Pool,
    settings: AppSettings,
    authenticator: AppAuthenticator,
    pseudonym_key: PseudonymKey,
) -> Template:
    """The tool's authentication request: answered with an id_token posted by the browser."""
    step = _AuthorizeStep(pool, settings, authenticator, pseudonym_key)
    return await _authorize(request, step, dict(request.query_params))


# Marks a request this platform posted again to itself (see authorize_post).
REPOSTED = "catalogue_reposted"


@post("/authorize", status_code=200)
async def authorize_post(
    request: Request[Any, Any, Any],
    *,
    pool: Pool,
    settings: AppSettings,
    authenticator: AppAuthenticator,
    pseudonym_key: PseudonymKey,
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template:
    """The same request posted by the tool's page. Posted from another site, it comes
    without our session cookie (SameSite=Lax keeps it for cross-site POSTs): the browser is
    asked to post it again from a page of ours, once, and then it comes with the cookie."""
    fields = _auth_fields(data)
    if REPOSTED not in data and not _signed_in(request):
        again = launch.FormPost(action="/lti/authorize", fields={**fields, REPOSTED: "1"})
        return await _auto_post(request, again)
    step = _AuthorizeStep(pool, settings, authenticator, pseudonym_key)
    return await _authorize(request, step, fields)


# An origin as a CSP source: scheme, host (a name, IPv4 or bracketed IPv6) and port only.
_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(:[0-9]+)?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]+)?$"
)


def auto_post_policy(action: str) -> str:
    """The policy of a page posting its form at once: to ``action``'s origin (a tool's
    registered URL) as well as to us; framed by our own pages only."""
    parts = urlsplit(action)
    origin = f"{parts.scheme}://{parts.netloc}"
    target = f"'self' {origin}" if parts.netloc and _ORIGIN.match(origin) else "'self'"
    return content_security_policy(form_action=target, frame_ancestors="'self'")


async def _auto_post(request: Request[Any, Any, Any], form: launch.FormPost) -> Template:
    page = await render(request, "lti/form.html", post=form)
    page.headers["Content-Security-Policy"] = auto_post_policy(form.action)
    return page


def _auth_fields(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in params.items() if k in launch.AuthRequest.__struct_fields__}


def _signed_in(request: Request[Any, Any, Any]) -> bool:
    """Whether the request carries a sign-in at all (its validity is checked afterwards)."""
    session = request.scope.get("session")
    has_session = isinstance(session, dict) and "person_id" in session
    return has_session or bool(request.headers.get("authorization"))


class _AuthorizeStep(NamedTuple):
    """What answering an authentication request needs."""

    pool: asyncpg.Pool
    settings: Settings
    authenticator: Authenticator
    pseudonym_key: bytes


async def _authorize(
    request: Request[Any, Any, Any], step: _AuthorizeStep, params: dict[str, Any]
) -> Template:
    principal = await _teacher(request, step.authenticator)
    auth_request = launch.AuthRequest(**_auth_fields(params))
    post_form = await service.authorize(
        step.pool, step.settings, step.pseudonym_key, principal, auth_request
    )
    return await _auto_post(request, post_form)


@post("/deep-link/return", status_code=200)
async def deep_link_return(
    request: Request[Any, Any, Any],
    pool: Pool,
    settings: AppSettings,
    tool_keys: LtiToolKeys,
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template:
    """The tool's signed LtiDeepLinkingResponse, posted by the browser (no cookie needed)."""
    token = data.get("JWT") or data.get("jwt") or ""
    links = await service.deep_link_return(pool, settings, tool_keys, token)
    return await render(request, "lti/links.html", links=links)


def _refused_page(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, launch.LaunchRefusedError)
    return Template(
        template_name="lti/refused.html",
        context={"reason": exc.detail, "principal": None},
        status_code=exc.status,
    )


router = Router(
    path="/lti",
    route_handlers=[
        openid_configuration,
        register,
        start_launch,
        start_deep_linking,
        authorize,
        authorize_post,
        deep_link_return,
    ],
    opt={PUBLIC: True},  # each handler authenticates as its step requires
    include_in_schema=False,
    exception_handlers={launch.LaunchRefusedError: _refused_page},
)
