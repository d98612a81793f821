"""Finding an establishment wherever an administrator chooses one: a plain search page that
works without JavaScript (search, then "Choisir" goes back to the form with the UAI), and the
suggestions that htmx fetches as the administrator types in a UAI field (an enhancement:
`<option>`s swapped into the field's `<datalist>`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Template

from catalogue.directory.models import EstablishmentView
from catalogue.directory.service import Directory
from catalogue.identity.guards import PUBLIC
from catalogue.pages import page
from catalogue.web.admin import admin_user
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest

# Where "Choisir" goes back to: the form, and the field the UAI fills (never a caller's URL).
CHOICES: dict[str, tuple[str, str, dict[str, str]]] = {
    "mobilite": ("/admin/mobilites", "nouvelle_uai", {}),
    "journal": ("/admin/mobilites", "uai", {}),
    "dotation": ("/admin/dotations", "destinataire", {"type": "establishment"}),
}
SUGGESTIONS = 10
RESULTS = 50


class EstablishmentPages(Controller):
    path = "/admin/etablissements"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def search(
        self,
        request: AnyRequest,
        directory: Directory,
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        pour: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        principal = await admin_user(request)
        found = await directory.find(q, RESULTS) if q.strip() else []
        target = CHOICES.get(pour)
        return page(
            "admin/etablissements.html",
            principal,
            q=q,
            pour=pour if target else "",
            found=[(school, _choice(target, school)) for school in found],
        )

    @get("/suggestions")
    async def suggestions(
        self,
        request: AnyRequest,
        directory: Directory,
        champ: Annotated[str, QueryParameter(max_length=40)] = "q",
    ) -> Template:
        """The `<option>`s of a UAI field's `<datalist>`, for what is typed in `champ`."""
        await admin_user(request)
        typed = (request.query_params.get(champ) or "")[:200]
        found = await directory.find(typed, SUGGESTIONS) if len(typed.strip()) >= 2 else []
        return page("admin/suggestions.html", None, found=found)


def _choice(target: tuple[str, str, dict[str, str]] | None, school: EstablishmentView) -> str:
    if target is None:
        return ""
    path, field, extra = target
    return f"{path}?{urlencode({**extra, field: school.uai})}"
