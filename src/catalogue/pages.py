"""Server-rendered pages: the shared rendering helper and the accessibility statement (the home
page, which reads the catalogue, is in ``catalogue.web.home``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from catalogue.assets import asset
from catalogue.identity.authn import Authenticator
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Principal, Role
from catalogue.money import euros
from catalogue.vocabularies.extra import LANGUAGES

ROLE_LABELS = {
    Role.TEACHER: "enseignant·e",
    Role.ESTABLISHMENT_ADMIN: "direction d'établissement",
    Role.ACADEMIE_ADMIN: "administration académique",
    Role.NATIONAL_ADMIN: "administration nationale",
    Role.PUBLISHER: "éditeur",
}
LICENCE_LABELS = {
    "teacher": "licence enseignant",
    "class_seats": "licences pour une classe",
    "establishment": "licence établissement",
}
DURATION_LABELS = {
    "school_year": "année scolaire",
    "months": "mois",
    "perpetual": "sans limite de durée",
}
STATUS_LABELS = {
    "pending_approval": "en attente d'approbation",
    "completed": "réalisée",
    "rejected": "refusée",
    "cancelled": "annulée",
    "refunded": "remboursée",
    "draft": "brouillon",
    "published": "publiée",
    "withdrawn": "retirée",
}
# Every page's stylesheets: the design system (DSFR, the components the pages use, in one file
# made by scripts/update-dsfr), then our few rules; under addresses that change with them.
STYLESHEETS = (asset("dsfr/dsfr.catalogue.min.css"), asset("site.css"))
MOVEMENT_LABELS = {
    "allocation": "dotation",
    "purchase": "achat",
    "hold": "réservation (en attente d'approbation)",
    "capture": "achat approuvé",
    "release": "réservation libérée",
    "cancellation": "annulation",
    "refund": "remboursement",
    "expiry": "expiration",
    "carry_over": "report sur la période suivante",
}
HELPERS = {
    "stylesheets": STYLESHEETS,
    "asset": asset,
    "euros": euros,
    "licence_label": lambda v: LICENCE_LABELS.get(str(v), str(v)),
    "duration_label": lambda v: DURATION_LABELS.get(str(v), str(v)),
    "status_label": lambda v: STATUS_LABELS.get(str(v), str(v)),
    "movement_label": lambda v: MOVEMENT_LABELS.get(str(v), str(v)),
    # Languages by their French name ("français", not "fre"); an unlisted code as it is.
    "language_label": lambda v: LANGUAGES.get(str(v), str(v)),
}


async def signed_in(request: Request[Any, Any, Any]) -> Principal | None:
    """The person signed in through the browser session, if any (pages are public routes)."""
    authenticator: Authenticator = request.app.state.authenticator
    session = request.scope.get("session")
    return await authenticator.from_session(session if isinstance(session, dict) else {})


def page(
    template: str, principal: Principal | None, *, status_code: int = 200, **context: Any
) -> Template:
    """A page for whoever is signed in (None: nobody)."""
    label = ", ".join(ROLE_LABELS[r] for r in sorted(principal.roles)) if principal else ""
    return Template(
        template_name=template,
        context={"principal": principal, "principal_label": label, **HELPERS, **context},
        status_code=status_code,
    )


async def render(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    return page(template, await signed_in(request), **context)


@get("/accessibilite", opt={PUBLIC: True}, include_in_schema=False)
async def accessibility(request: Request[Any, Any, Any]) -> Template:
    return await render(request, "accessibilite.html")
