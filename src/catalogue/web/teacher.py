"""Teacher pages: search, a resource, acquiring it (with a confirmation step), my account."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_chain,
    wait_fixed,
)

from accounts.acquisitions import check_key
from accounts.errors import RequestInFlightError
from accounts.models import NewAcquisition
from accounts.service import Accounts, AccountsService
from catalogue.errors import CatalogueError, InvalidInputError, NotFoundError
from catalogue.identity.guards import PUBLIC
from catalogue.identity.models import Principal, Role
from catalogue.pages import page, render
from catalogue.pages import page as render_page
from catalogue.resources.models import OfferView, ResourceView
from catalogue.resources.publishing import Resources
from catalogue.search.api import Filters, search_filters
from catalogue.search.models import FacetField, Sort
from catalogue.search.service import Search
from catalogue.web.common import (
    PAGE_EXCEPTION_HANDLERS,
    AnyRequest,
    field,
    page_user,
    page_visitor,
)
from catalogue.web.facets import facet_boxes
from catalogue.web.thumbnails import RESOURCE_WIDTH, RESULT_WIDTH, thumbnail_image

PER_PAGE = 20
MAX_QUANTITY = 10_000
FACET_LEGENDS: dict[FacetField, str] = {
    FacetField.DISCIPLINE: "Discipline",
    FacetField.LEVEL: "Niveau",
    FacetField.RESOURCE_TYPE: "Type de ressource",
    FacetField.PEDAGOGICAL_TYPE: "Type pédagogique",
    FacetField.PUBLISHER: "Éditeur",
    FacetField.FREE: "Prix",
    FacetField.LICENCE_TYPE: "Modèle de licence",
    FacetField.ACCESSIBILITY: "Accessibilité",
    FacetField.LANGUAGE: "Langue",
    FacetField.AUDIENCE: "Public cible",
    FacetField.COMMUN: "Communs numériques",
}
SORT_LABELS = {
    Sort.RELEVANCE: "pertinence",
    Sort.PRICE_ASC: "prix croissant",
    Sort.PRICE_DESC: "prix décroissant",
    Sort.NEWEST: "plus récentes",
}
# A double click may reach us while the first request still holds its key: wait for its answer.
IN_FLIGHT_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


class TeacherPages(Controller):
    opt = {PUBLIC: True}  # noqa: RUF012  # pages authenticate themselves (sign-in redirect)
    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS  # type: ignore[assignment]

    @get("/recherche", dependencies={"filters": Provide(search_filters)})
    async def search(
        self,
        request: AnyRequest,
        search: Search,
        filters: Filters,
        *,
        q: FromQuery[str | None] = None,
        sort: Annotated[Sort, QueryParameter()] = Sort.RELEVANCE,
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
        valeurs: FromQuery[FacetField | None] = None,
    ) -> Template:
        """Public: anyone searches the catalogue, signed in or not. ``valeurs`` names the facet
        whose every value is shown."""
        principal = await page_visitor(request)
        query = search.query(
            q,
            filters=filters,
            facets=list(FACET_LEGENDS),
            sort=sort,
            page=page,
            per_page=PER_PAGE,
        )
        result = await search.search(query)
        params: list[tuple[str, str]] = [("q", q or "")] if q else []
        params += [(f.value, v) for f, values in filters.items() for v in values]
        if sort is not Sort.RELEVANCE:
            params.append(("sort", sort.value))
        pages = max(1, -(-result.total // PER_PAGE))

        labels = {(f, v.value): v.label for f, values in result.facets.items() for v in values}
        tags = [
            (
                f"{FACET_LEGENDS[f]} : {labels.get((f, v), v)}",
                "/recherche?" + urlencode([p for p in params if p != (f.value, v)]),
            )
            for f, values in filters.items()
            for v in values
        ]

        def page_link(n: int) -> str:
            return "/recherche?" + urlencode([*params, ("page", str(n))])

        # htmx (as one types or ticks a facet) swaps in the facets and results alone; going
        # back in its history, or without JavaScript, the whole page.
        alone = (
            request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true"
        )
        answer = render_page(  # `page` is the page number here
            "enseignant/recherche-zone.html" if alone else "enseignant/recherche.html",
            principal,
            alone=alone,
            q=q or "",
            result=result,
            facets=facet_boxes(
                FACET_LEGENDS,
                result.facets,
                total=result.total,
                chosen=filters,
                expanded=valeurs,
                params=params,
            ),
            tags=tags,
            sort=sort,
            sorts=SORT_LABELS,
            page=page,
            pages=pages,
            previous=page_link(page - 1) if page > 1 else None,
            next=page_link(page + 1) if page < pages else None,
            thumbnail=lambda hit: thumbnail_image(hit.id, hit.thumbnail_url, RESULT_WIDTH),
        )
        answer.headers["Vary"] = "HX-Request"
        return answer

    @get("/ressources/{resource_id:uuid}")
    async def resource(
        self,
        request: AnyRequest,
        resources: Resources,
        accounts: Accounts,
        search: Search,
        resource_id: FromPath[UUID],
    ) -> Template:
        """Public: prices and licence models for anyone. "Acquérir" is offered to teachers and
        to visitors (it leads to the sign-in, then back to the confirmation step)."""
        principal = await page_visitor(request)
        resource = await resources.read(
            resource_id, publisher_id=principal.publisher_id if principal else None
        )
        similar = await search.similar(
            resource.id,
            disciplines=[c.uri for c in resource.disciplines],
            levels=[c.uri for c in resource.levels],
        )
        balance = None
        if principal is not None and principal.has(Role.TEACHER) and principal.person_id:
            balance = (await accounts.my_account(principal.person_id)).balance_cents
        return page(
            "enseignant/ressource.html",
            principal,
            resource=resource,
            similar=similar,
            image=thumbnail_image(resource.id, resource.thumbnail_url, RESOURCE_WIDTH),
            balance=balance,
            can_acquire=principal is None or principal.has(Role.TEACHER),
            # Each link to a confirmation page carries its idempotency key: pages are not
            # stored (Cache-Control: no-store), so going back to a confirmation page loads it
            # again, with the same key, and resubmitting it replays the answer.
            keys={offer.id: uuid4() for offer in resource.offers},
        )

    @get("/ressources/{resource_id:uuid}/acquerir")
    async def confirm(
        self,
        request: AnyRequest,
        *,
        resources: Resources,
        accounts: Accounts,
        resource_id: FromPath[UUID],
        offre: FromQuery[UUID],
        quantite: Annotated[int, QueryParameter(ge=1, le=MAX_QUANTITY)] = 1,
        cle: FromQuery[UUID | None] = None,
    ) -> Template:
        principal = await page_user(request, Role.TEACHER)
        resource = await resources.read(resource_id, publisher_id=principal.publisher_id)
        offer = _offer(resource, offre)
        return await _confirmation(
            accounts,
            principal,
            resource,
            offer,
            # one key per link followed (or page, without one): a resubmit replays its answer
            key=str(cle or uuid4()),
            quantity=str(quantite),
            errors={},
        )

    @post("/enseignant/acquisitions", status_code=303)
    async def acquire(
        self,
        request: AnyRequest,
        *,
        resources: Resources,
        accounts: Accounts,
    ) -> Redirect | Template:
        form = await request.form()
        resource_id, offer_id = _uuid(field(form, "ressource")), _uuid(field(form, "offre"))
        if resource_id is None or offer_id is None:
            raise InvalidInputError("Formulaire incomplet : ressource ou offre manquante.")
        back = f"/ressources/{resource_id}/acquerir?offre={offer_id}"
        principal = await page_user(request, Role.TEACHER, back=back)
        key, typed = field(form, "cle"), field(form, "quantite")
        resource = await resources.read(resource_id, publisher_id=principal.publisher_id)
        offer = _offer(resource, offer_id)
        quantity = int(typed) if typed.isdigit() else 0
        if offer.licence_type != "class_seats":
            quantity = 1
        errors: dict[str, str] = {}
        if not 1 <= quantity <= MAX_QUANTITY:
            errors["quantite"] = f"Indiquez un nombre entier de licences entre 1 et {MAX_QUANTITY}."
        else:
            try:
                status, body = await _acquire(
                    accounts, principal, key, offer_id=offer_id, quantity=quantity
                )
            except CatalogueError as exc:
                if exc.status >= 500:
                    raise
                errors["formulaire"] = exc.shown
            else:
                outcome = "licence" if status == 201 else "demande"
                return Redirect(
                    f"/enseignant/compte?{urlencode({outcome: body['id']})}", status_code=303
                )
        return await _confirmation(
            accounts, principal, resource, offer, key=key, quantity=typed, errors=errors
        )

    @post("/enseignant/acquisitions/{acquisition_id:uuid}/annulation", status_code=303)
    async def cancel(
        self,
        request: AnyRequest,
        accounts: Accounts,
        acquisition_id: FromPath[UUID],
    ) -> Redirect:
        principal = await page_user(request, Role.TEACHER, back="/enseignant/compte")
        done = await accounts.decide(principal, acquisition_id, "cancel")
        return Redirect(f"/enseignant/compte?{urlencode({'annulee': done.id})}", status_code=303)

    @get("/enseignant/compte")
    async def account(
        self,
        request: AnyRequest,
        accounts: Accounts,
        licence: FromQuery[UUID | None] = None,
        demande: FromQuery[UUID | None] = None,
        annulee: FromQuery[UUID | None] = None,
    ) -> Template:
        principal = await page_user(request, Role.TEACHER)
        assert principal.person_id is not None  # teachers are people
        account = await accounts.my_account(principal.person_id)
        just = licence or demande or annulee
        acquired = next((a for a in account.acquisitions if a.id == just), None)
        return await render(
            request,
            "enseignant/compte.html",
            account=account,
            acquired=acquired,
            pending=demande is not None,
        )


def _offer(resource: ResourceView, offer_id: UUID) -> OfferView:
    for offer in resource.offers:
        if offer.id == offer_id and offer.status == "published":
            return offer
    raise NotFoundError("Cette offre n'existe pas ou n'est plus proposée.")


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


async def _confirmation(
    accounts: AccountsService,
    principal: Principal,
    resource: ResourceView,
    offer: OfferView,
    *,
    key: str,
    quantity: str,
    errors: dict[str, str],
) -> Template:
    assert principal.person_id is not None  # teachers are people
    account = await accounts.my_account(principal.person_id)
    return page(
        "enseignant/confirmer.html",
        principal,
        status_code=422 if errors else 200,
        resource=resource,
        offer=offer,
        key=key,
        quantity=quantity,
        balance=account.balance_cents,
        errors=errors,
    )


async def _acquire(
    accounts: AccountsService,
    principal: Principal,
    key: str,
    *,
    offer_id: UUID,
    quantity: int,
) -> tuple[int, dict[str, Any]]:
    """The same purchase as the API's (the webhook worker woken after the commit), asked
    again while a double click's first request holds the key."""
    checked = check_key(key)
    new = NewAcquisition(offer_id=offer_id, quantity=quantity)
    async for attempt in waiting_in_flight():
        with attempt:
            return await accounts.acquire(principal, key=checked, new=new)
    raise AssertionError("unreachable")  # pragma: no cover


def waiting_in_flight() -> AsyncRetrying:
    """The same key in flight (a double click): asked again after 0.05, 0.1... 1.6 s, then
    its 409 is shown."""
    return AsyncRetrying(
        retry=retry_if_exception_type(RequestInFlightError),
        wait=wait_chain(*(wait_fixed(s) for s in IN_FLIGHT_WAITS)),
        stop=stop_after_attempt(len(IN_FLIGHT_WAITS) + 1),
        reraise=True,
    )
