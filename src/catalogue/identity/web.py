"""Sign-in, sign-out and the demo sign-in page."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias
from urllib.parse import quote

import msgspec
import structlog
from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from catalogue.config import Settings
from catalogue.dependencies import AppSettings
from catalogue.errors import NotFoundError, UpstreamUnavailableError
from catalogue.identity.authn import AppAuthenticator
from catalogue.identity.demo import DEMO_IDENTITIES, demo_sign_in_allowed
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Role
from catalogue.identity.signin import SignIn, SignInRefusedError
from catalogue.pages import ROLE_LABELS, page, render, signed_in

log = structlog.get_logger(__name__)

_PENDING = "oidc_pending"
# Where to go after signing in: the query parameter `next`.
NextPath: TypeAlias = Annotated[str | None, QueryParameter(name="next")]


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


class DemoSignIn(msgspec.Struct):
    role: str
    next: str = "/"


class AuthController(Controller):
    path = "/auth"
    include_in_schema = False
    opt = {PUBLIC: True}  # noqa: RUF012  # Litestar reads it as a class attribute

    @get("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        sign_in: SignIn,
        settings: AppSettings,
        next_path: NextPath = None,
    ) -> Redirect:
        target = safe_next(next_path)
        if sign_in is None:
            if demo_sign_in_allowed(settings):
                return Redirect(f"/auth/demo?next={quote(target, safe='/')}")
            raise NotFoundError("Aucun fournisseur d'identité n'est configuré.")
        url, pending = await sign_in.start(target)
        request.set_session({_PENDING: pending})
        return Redirect(url)

    @get("/callback")
    async def callback(
        self, request: Request[Any, Any, Any], sign_in: SignIn, authenticator: AppAuthenticator
    ) -> Response[Any]:
        if sign_in is None:
            raise NotFoundError("Aucun fournisseur d'identité n'est configuré.")
        pending = request.session.get(_PENDING)
        back = safe_next(pending.get("next") if isinstance(pending, dict) else None)
        try:
            principal = await sign_in.finish(pending, dict(request.query_params))
        except (SignInRefusedError, UpstreamUnavailableError) as exc:
            log.info("sign-in refused", reason=exc.detail)
            request.session.pop(_PENDING, None)  # the pending sign-in served once
            if not _wants_html(request):
                raise  # problem+json
            return _refused_page(exc, back)
        assert principal.person_id is not None  # sign-in is for people
        request.set_session(await authenticator.open_session(principal.person_id))
        return Redirect(back)

    @post("/logout", status_code=303)
    async def logout(
        self, request: Request[Any, Any, Any], authenticator: AppAuthenticator
    ) -> Redirect:
        await authenticator.end_session(request.session)
        request.clear_session()
        return Redirect("/", status_code=303)

    @post("/logout-everywhere", status_code=303)
    async def logout_everywhere(
        self, request: Request[Any, Any, Any], authenticator: AppAuthenticator
    ) -> Redirect:
        """Ends every session of the person signed in, on every browser and device."""
        principal = await signed_in(request)
        if principal is not None and principal.person_id is not None:
            await authenticator.end_all_sessions(principal.person_id)
        request.clear_session()
        return Redirect("/", status_code=303)

    @get("/demo")
    async def demo_page(
        self, request: Request[Any, Any, Any], settings: AppSettings, next_path: NextPath = None
    ) -> Template:
        _ensure_demo(settings)
        identities = [
            {"role": role, "display_name": i.display_name, "label": ROLE_LABELS[Role(i.roles[0])]}
            for role, i in DEMO_IDENTITIES.items()
        ]
        return await render(
            request, "auth/demo.html", identities=identities, next=safe_next(next_path)
        )

    @post("/demo", status_code=303)
    async def demo_sign_in(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        authenticator: AppAuthenticator,
        data: URLEncodedBody[DemoSignIn],
    ) -> Redirect:
        _ensure_demo(settings)
        request.set_session(await authenticator.open_demo_session(data.role))
        return Redirect(safe_next(data.next), status_code=303)


def _ensure_demo(settings: Settings) -> None:
    if not demo_sign_in_allowed(settings):
        raise NotFoundError("La connexion de démonstration n'est pas disponible ici.")


@get("/compte", opt={PUBLIC: True}, include_in_schema=False)
async def account(request: Request[Any, Any, Any]) -> Response[Any]:
    """Who is signed in, and signing out of every browser and device."""
    principal = await signed_in(request)
    if principal is None:
        return Redirect("/auth/login?next=/compte", status_code=303)
    return page("auth/compte.html", principal)


def _wants_html(request: Request[Any, Any, Any]) -> bool:
    """A browser asks for HTML first; an API client or a test (*/*) gets problem+json."""
    return "text/html" in request.headers.get("accept", "")


def _refused_page(exc: SignInRefusedError | UpstreamUnavailableError, back: str) -> Template:
    explanation = (
        exc.explanation
        if isinstance(exc, SignInRefusedError)
        else "Le fournisseur d'identité ne répond pas pour le moment."
    )
    return page(
        "auth/refus.html",
        None,
        status_code=exc.status,
        explanation=explanation,
        retry=f"/auth/login?next={quote(back, safe='/')}",
    )
