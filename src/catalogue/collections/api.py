"""Collections over HTTP: lists of published resources, their sharing, following and
featuring. Anonymous callers read public lists and shared ones (with the link's token)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from catalogue.collections.models import (
    CollectionPage,
    CollectionSummary,
    CollectionView,
    FeaturedPage,
    FeatureScope,
    ItemOrder,
    NewCollection,
    NewItem,
    ShareLink,
)
from catalogue.collections.service import Collections
from catalogue.identity.guards import OPEN, anyone, signed_in
from catalogue.identity.models import Principal

SignedIn = Request[Principal, Any, Any]
Anyone = Request[Principal | None, Any, Any]
Token = Annotated[
    str | None,
    QueryParameter(max_length=100, description="Le jeton du lien d'une liste partagée"),
]


class CollectionsController(Controller):
    """Lists of resources (communs or publishers' offerings): private, shared by link, public."""

    path = "/api/v1/collections"
    tags = ["collections"]  # noqa: RUF012  # Litestar reads it as a class attribute

    @post("/", guards=[signed_in], summary="Créer une liste (privée par défaut)")
    async def create(
        self, request: SignedIn, collections: Collections, data: JSONBody[NewCollection]
    ) -> CollectionView:
        return await collections.create(request.user, data)

    @get(
        "/",
        guards=[anyone],
        opt={OPEN: True},
        summary="Rechercher parmi les listes publiques (titre et description, en français)",
    )
    async def search(
        self,
        collections: Collections,
        q: Annotated[str, QueryParameter(max_length=200)] = "",
        limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000)] = 0,
    ) -> CollectionPage:
        return await collections.search(q, limit, offset)

    @get("/mine", guards=[signed_in], summary="Mes listes, les plus récemment modifiées d'abord")
    async def mine(self, request: SignedIn, collections: Collections) -> list[CollectionSummary]:
        return await collections.own(request.user)

    @get("/followed", guards=[signed_in], summary="Les listes publiques que je suis")
    async def followed(
        self, request: SignedIn, collections: Collections
    ) -> list[CollectionSummary]:
        return await collections.followed(request.user)

    @get(
        "/featured",
        guards=[anyone],
        opt={OPEN: True},
        summary="Les listes mises en avant par un établissement ou une académie",
    )
    async def featured(
        self,
        collections: Collections,
        establishment: Annotated[
            str | None, QueryParameter(pattern=r"^[0-9]{7}[A-Z]$", description="UAI")
        ] = None,
        academie: Annotated[
            str | None, QueryParameter(pattern=r"^[a-z][a-z-]{1,59}$", description="Académie")
        ] = None,
    ) -> FeaturedPage:
        return await collections.featured(uai=establishment, academie=academie)

    @get(
        "/{collection_id:uuid}",
        guards=[anyone],
        opt={OPEN: True},
        summary="Une liste et ses ressources (publique, ou partagée avec le jeton de son lien)",
    )
    async def read(
        self,
        request: Anyone,
        collections: Collections,
        collection_id: FromPath[UUID],
        token: Token = None,
    ) -> CollectionView:
        return await collections.read(request.user, collection_id, token)

    @put("/{collection_id:uuid}", guards=[signed_in], summary="Modifier sa liste")
    async def edit(
        self,
        request: SignedIn,
        collections: Collections,
        collection_id: FromPath[UUID],
        data: JSONBody[NewCollection],
    ) -> CollectionView:
        return await collections.edit(request.user, collection_id, data)

    @delete("/{collection_id:uuid}", guards=[signed_in], summary="Supprimer sa liste")
    async def remove(
        self, request: SignedIn, collections: Collections, collection_id: FromPath[UUID]
    ) -> None:
        await collections.delete(request.user, collection_id)

    @post(
        "/{collection_id:uuid}/items",
        guards=[signed_in],
        summary="Ajouter une ressource publiée à la fin de sa liste",
    )
    async def add_item(
        self,
        request: SignedIn,
        collections: Collections,
        collection_id: FromPath[UUID],
        data: JSONBody[NewItem],
    ) -> CollectionView:
        return await collections.add_item(request.user, collection_id, data.resource_id)

    @put(
        "/{collection_id:uuid}/items",
        guards=[signed_in],
        summary="Réordonner sa liste (chaque ressource une fois, dans le nouvel ordre)",
    )
    async def reorder(
        self,
        request: SignedIn,
        collections: Collections,
        collection_id: FromPath[UUID],
        data: JSONBody[ItemOrder],
    ) -> CollectionView:
        return await collections.reorder(request.user, collection_id, data)

    @delete(
        "/{collection_id:uuid}/items/{resource_id:uuid}",
        guards=[signed_in],
        summary="Retirer une ressource de sa liste",
    )
    async def remove_item(
        self,
        request: SignedIn,
        collections: Collections,
        collection_id: FromPath[UUID],
        resource_id: FromPath[UUID],
    ) -> None:
        await collections.remove_item(request.user, collection_id, resource_id)

    @post(
        "/{collection_id:uuid}/link",
        guards=[signed_in],
        summary="Partager sa liste par un nouveau lien (l'ancien lien cesse de fonctionner)",
    )
    async def new_link(
        self, request: SignedIn, collections: Collections, collection_id: FromPath[UUID]
    ) -> ShareLink:
        return await collections.new_link(request.user, collection_id)

    @delete(
        "/{collection_id:uuid}/link",
        guards=[signed_in],
        summary="Révoquer le lien de partage (la liste redevient privée)",
    )
    async def revoke_link(
        self, request: SignedIn, collections: Collections, collection_id: FromPath[UUID]
    ) -> None:
        await collections.revoke_link(request.user, collection_id)

    @put(
        "/{collection_id:uuid}/follow",
        guards=[signed_in],
        status_code=204,
        summary="Suivre une liste publique",
    )
    async def follow(
        self, request: SignedIn, collections: Collections, collection_id: FromPath[UUID]
    ) -> None:
        await collections.follow(request.user, collection_id, on=True)

    @delete("/{collection_id:uuid}/follow", guards=[signed_in], summary="Ne plus suivre une liste")
    async def unfollow(
        self, request: SignedIn, collections: Collections, collection_id: FromPath[UUID]
    ) -> None:
        await collections.follow(request.user, collection_id, on=False)

    @put(
        "/{collection_id:uuid}/features/{feature_scope:str}",
        guards=[signed_in],
        status_code=204,
        summary="Mettre une liste publique en avant sur la page de son établissement ou académie",
    )
    async def feature(
        self,
        request: SignedIn,
        collections: Collections,
        collection_id: FromPath[UUID],
        feature_scope: FromPath[FeatureScope],
    ) -> None:
        await collections.feature(request.user, collection_id, feature_scope, on=True)

    @delete(
        "/{collection_id:uuid}/features/{feature_scope:str}",
        guards=[signed_in],
        summary="Ne plus mettre une liste en avant",
    )
    async def unfeature(
        self,
        request: SignedIn,
        collections: Collections,
        collection_id: FromPath[UUID],
        feature_scope: FromPath[FeatureScope],
    ) -> None:
        await collections.feature(request.user, collection_id, feature_scope, on=False)
