"""Pages of the collections: "mes listes" (and the lists followed), a list (its owner edits,
orders and shares it; others follow it; administrators feature it), the search of public
lists, adding a resource to a list, and the establishments' and académies' pages of featured
lists. No JavaScript: every action is a form. Each handler makes one call of `Collections`."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from catalogue.collections.models import (
    CollectionView,
    FeatureScope,
    FeatureView,
    NewCollection,
    Visibility,
)
from catalogue.collections.service import Collections
from catalogue.errors import InvalidInputError, UnprocessableError
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Principal, Role
from catalogue.pages import page
from catalogue.web.common import PAGE_EXCEPTION_HANDLERS, AnyRequest, field, page_user, page_visitor

VISIBILITIES = {
    Visibility.PRIVATE: "privée (vous seul·e)",
    Visibility.SHARED: "partagée par un lien",
    Visibility.PUBLIC: "publique (tout le monde, recherche et abonnements)",
}
DONE = {
    "creee": "Liste créée.",
    "modifiee": "Liste enregistrée.",
    "ajoutee": "Ressource ajoutée à la liste.",
    "retiree": "Ressource retirée de la liste.",
    "deplacee": "Ordre de la liste enregistré.",
    "lien": "Nouveau lien de partage créé : l'ancien ne fonctionne plus.",
    "revoque": "Lien de partage révoqué : la liste est de nouveau privée.",
    "suivie": "Vous suivez cette liste.",
    "plus-suivie": "Vous ne suivez plus cette liste.",
    "en-avant": "Liste mise en avant.",
    "plus-en-avant": "Liste retirée de la mise en avant.",
    "supprimee": "Liste supprimée.",
}
_FIELDS = {"title": "titre", "description": "description", "visibility": "visibilite"}
Lien = Annotated[str | None, QueryParameter(max_length=100)]
Fait = Annotated[str | None, QueryParameter(max_length=20)]


def _form_values(form: FormMultiDict) -> dict[str, str]:
    return {name: field(form, name) for name in _FIELDS.values()}


def _new(values: dict[str, str]) -> NewCollection:
    """The form as a list; a value refused is a 422 naming its field."""
    body = {
        "title": values.get("titre", ""),
        "description": values.get("description", ""),
        "visibility": values.get("visibilite") or "private",
    }
    try:
        return msgspec.convert(body, NewCollection)
    except msgspec.ValidationError as exc:
        path = str(exc).rsplit("`$.", 1)[-1].split("`")[0]
        name = _FIELDS.get(path, "formulaire")
        message = {
            "titre": "Le titre est obligatoire et compte au plus 200 caractères.",
            "description": "La description compte au plus 2 000 caractères.",
            "visibilite": "Choisissez une visibilité proposée.",
        }.get(name, "Valeur refusée.")
        raise UnprocessableError(message, errors=[{"key": name, "message": message}]) from exc


def _errors(exc: UnprocessableError) -> dict[str, str]:
    found = {
        _FIELDS.get(str(e.get("key")), str(e.get("key"))): str(e.get("message", exc.shown))
        for e in exc.extra.get("errors", [])
    }
    return {k if k in _FIELDS.values() else "formulaire": v for k, v in found.items()} or {
        "formulaire": exc.shown
    }


def _to_list(collection_id: UUID, done: str) -> Redirect:
    return Redirect(f"/listes/{collection_id}?{urlencode({'fait': done})}", status_code=303)


def _featurable(principal: Principal | None) -> dict[str, str]:
    """The pages this reader features lists on, by scope."""
    if principal is None:
        return {}
    scopes = {}
    if principal.has(Role.ESTABLISHMENT_ADMIN) and principal.establishment_uai:
        scopes[FeatureScope.ESTABLISHMENT.value] = "la page de mon établissement"
    if principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
        scopes[FeatureScope.ACADEMIE.value] = "la page de mon académie"
    return scopes


def _features_for(principal: Principal | None, feature: FeatureView) -> bool:
    """Whether a feature is on this administrator's own page."""
    if principal is None:
        return False
    if feature.scope == FeatureScope.ESTABLISHMENT:
        return feature.establishment_uai == principal.establishment_uai
    return feature.academie == principal.academie


class CollectionPages(Controller):
    path = "/listes"
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/")
    async def mine(
        self, request: AnyRequest, collections: Collections, fait: Fait = None
    ) -> Template:
        principal = await page_user(request)
        return self._mine(
            principal,
            await collections.own(principal),
            await collections.followed(principal),
            done=fait,
        )

    @post("/", status_code=303)
    async def create(self, request: AnyRequest, collections: Collections) -> Redirect | Template:
        principal = await page_user(request, back="/listes")
        values = _form_values(await request.form())
        try:
            made = await collections.create(principal, _new(values))
        except UnprocessableError as exc:
            own = await collections.own(principal)
            followed = await collections.followed(principal)
            return self._mine(principal, own, followed, values=values, errors=_errors(exc))
        return _to_list(made.id, "creee")

    @get("/recherche")
    async def search(
        self,
        request: AnyRequest,
        collections: Collections,
        q: Annotated[str, QueryParameter(max_length=200)] = "",
    ) -> Template:
        principal = await page_visitor(request)
        found = await collections.search(q, 50, 0)
        return page("listes/recherche.html", principal, q=q, found=found)

    @get("/ajout")
    async def choose(
        self,
        request: AnyRequest,
        collections: Collections,
        ressource: Annotated[UUID, QueryParameter()],
    ) -> Template:
        """Which of my lists a resource goes to (from a resource's page)."""
        principal = await page_user(request)
        return page(
            "listes/ajout.html",
            principal,
            resource_id=ressource,
            own=await collections.own(principal),
        )

    @post("/ajout", status_code=303)
    async def add_chosen(self, request: AnyRequest, collections: Collections) -> Redirect:
        principal = await page_user(request, back="/listes")
        form = await request.form()
        try:
            collection_id, resource_id = UUID(field(form, "liste")), UUID(field(form, "ressource"))
        except ValueError as exc:
            raise InvalidInputError("Choisissez une liste.") from exc
        await collections.add_item(principal, collection_id, resource_id)
        return _to_list(collection_id, "ajoutee")

    @get("/{collection_id:uuid}")
    async def show(
        self,
        request: AnyRequest,
        collections: Collections,
        collection_id: FromPath[UUID],
        lien: Lien = None,
        fait: Fait = None,
    ) -> Template:
        principal = await page_visitor(request)
        found = await collections.read(principal, collection_id, lien)
        return self._show(principal, found, done=fait)

    @post("/{collection_id:uuid}/modifier", status_code=303)
    async def edit(
        self, request: AnyRequest, collections: Collections, collection_id: FromPath[UUID]
    ) -> Redirect | Template:
        principal = await page_user(request, back=f"/listes/{collection_id}")
        values = _form_values(await request.form())
        try:
            await collections.edit(principal, collection_id, _new(values))
        except UnprocessableError as exc:
            found = await collections.read(principal, collection_id)
            return self._show(principal, found, values=values, errors=_errors(exc))
        return _to_list(collection_id, "modifiee")

    @post("/{collection_id:uuid}/suppression", status_code=303)
    async def delete(
        self, request: AnyRequest, collections: Collections, collection_id: FromPath[UUID]
    ) -> Redirect:
        principal = await page_user(request, back=f"/listes/{collection_id}")
        await collections.delete(principal, collection_id)
        return Redirect("/listes?fait=supprimee", status_code=303)

    @post("/{collection_id:uuid}/ressources/{resource_id:uuid}/retrait", status_code=303)
    async def remove(
        self,
        request: AnyRequest,
        collections: Collections,
        collection_id: FromPath[UUID],
        resource_id: FromPath[UUID],
    ) -> Redirect:
        principal = await page_user(request, back=f"/listes/{collection_id}")
        await collections.remove_item(principal, collection_id, resource_id)
        return _to_list(collection_id, "retiree")

    @post("/{collection_id:uuid}/ressources/{resource_id:uuid}/deplacement", status_code=303)
    async def move(
        self,
        request: AnyRequest,
        collections: Collections,
        collection_id: FromPath[UUID],
        resource_id: FromPath[UUID],
    ) -> Redirect:
        principal = await page_user(request, back=f"/listes/{collection_id}")
        direction = field(await request.form(), "sens")
        if direction not in ("haut", "bas"):
            raise InvalidInputError("Sens de déplacement inconnu.")
        await collections.move_item(principal, collection_id, resource_id, up=direction == "haut")
        return _to_list(collection_id, "deplacee")

    @post("/{collection_id:uuid}/lien", status_code=303)
    async def link(
        self, request: AnyRequest, collections: Collections, collection_id: FromPath[UUID]
    ) -> Redirect:
        principal = await page_user(request, back=f"/listes/{collection_id}")
        if field(await request.form(), "action") == "revoquer":
            await collections.revoke_link(principal, collection_id)
            return _to_list(collection_id, "revoque")
        await collections.new_link(principal, collection_id)
        return _to_list(collection_id, "lien")

    @post("/{collection_id:uuid}/suivi", status_code=303)
    async def follow(
        self, request: AnyRequest, collections: Collections, collection_id: FromPath[UUID]
    ) -> Redirect:
        principal = await page_user(request, back=f"/listes/{collection_id}")
        on = field(await request.form(), "action") != "arreter"
        await collections.follow(principal, collection_id, on=on)
        return _to_list(collection_id, "suivie" if on else "plus-suivie")

    @post("/{collection_id:uuid}/mise-en-avant", status_code=303)
    async def feature(
        self, request: AnyRequest, collections: Collections, collection_id: FromPath[UUID]
    ) -> Redirect:
        principal = await page_user(request, back=f"/listes/{collection_id}")
        form = await request.form()
        try:
            scope = FeatureScope(field(form, "portee"))
        except ValueError as exc:
            raise InvalidInputError("Page de mise en avant inconnue.") from exc
        on = field(form, "action") != "retirer"
        await collections.feature(principal, collection_id, scope, on=on)
        return _to_list(collection_id, "en-avant" if on else "plus-en-avant")

    def _mine(
        self,
        principal: Principal,
        own: Any,
        followed: Any,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        done: str | None = None,
    ) -> Template:
        return page(
            "listes/mes-listes.html",
            principal,
            status_code=422 if errors else 200,
            own=own,
            followed=followed,
            values=values or {"visibilite": "private"},
            errors=errors or {},
            visibilities=VISIBILITIES,
            done=DONE.get(done or ""),
        )

    def _show(
        self,
        principal: Principal | None,
        found: CollectionView,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        done: str | None = None,
    ) -> Template:
        featured = {f.scope.value for f in found.featured if _features_for(principal, f)}
        return page(
            "listes/liste.html",
            principal,
            status_code=422 if errors else 200,
            collection=found,
            values=values
            or {
                "titre": found.title,
                "description": found.description,
                "visibilite": found.visibility.value,
            },
            errors=errors or {},
            visibilities=VISIBILITIES,
            featurable=_featurable(principal),
            featured=featured,
            done=DONE.get(done or ""),
        )


class FeaturedPages(Controller):
    """An establishment's and an académie's public page: the lists they feature."""

    path = "/"
    opt = {PUBLIC: True}  # noqa: RUF012  # public pages
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/etablissements/{uai:str}")
    async def establishment(
        self, request: AnyRequest, collections: Collections, uai: FromPath[str]
    ) -> Template:
        principal = await page_visitor(request)
        shown = await collections.featured(uai=uai[:20], academie=None)
        return page("listes/vitrine.html", principal, shown=shown)

    @get("/academies/{academie:str}")
    async def academie(
        self, request: AnyRequest, collections: Collections, academie: FromPath[str]
    ) -> Template:
        principal = await page_visitor(request)
        shown = await collections.featured(uai=None, academie=academie[:80])
        return page("listes/vitrine.html", principal, shown=shown)
