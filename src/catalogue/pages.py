"""Server-rendered pages: the shared rendering helper and the home page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from catalogue.identity.authn import Authenticator
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Principal, Role

ROLE_LABELS = {
    Role.TEACHER: "enseignant·e",
    Role.ESTABLISHMENT_ADMIN: "direction d'établissement",
    Role.ACADEMIE_ADMIN: "administration académique",
    Role.NATIONAL_ADMIN: "administration nationale",
    Role.PUBLISHER: "éditeur",
}


async def signed_in(request: Request[Any, Any, Any]) -> Principal | None:
    """The person signed in through the browser session, if any (pages are public routes)."""
    authenticator: Authenticator = request.app.state.authenticator
    session = request.scope.get("session")
    return await authenticator.from_session(session if isinstance(session, dict) else {})


async def render(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    principal = await signed_in(request)
    label = ", ".join(ROLE_LABELS[r] for r in sorted(principal.roles)) if principal else ""
    return Template(
        template_name=template,
        context={"principal": principal, "principal_label": label, **context},
    )


@get("/", opt={PUBLIC: True}, include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Template:
    return await render(request, "home.html")
