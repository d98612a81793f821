"""Wire types of collections: what a person sends, what the API answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

MAX_TITLE = 200
MAX_DESCRIPTION = 2_000
MAX_ITEMS = 200  # resources in one list

CollectionTitle = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TITLE)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION)]


class Visibility(enum.StrEnum):
    PRIVATE = "private"  # its owner only
    SHARED = "shared"  # whoever holds its link
    PUBLIC = "public"  # everyone: searchable, followed, featured


class FeatureScope(enum.StrEnum):
    ESTABLISHMENT = "establishment"
    ACADEMIE = "academie"


class NewCollection(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A list as its owner writes it (creating or editing: every field is sent)."""

    title: CollectionTitle
    description: Description = ""
    visibility: Visibility = Visibility.PRIVATE


class NewItem(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    resource_id: UUID


class ItemOrder(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Every resource of the list, once each, in their new order."""

    resource_ids: Annotated[list[UUID], msgspec.Meta(max_length=MAX_ITEMS)]


class ItemView(msgspec.Struct, kw_only=True):
    resource_id: UUID
    title: str
    publisher_name: str
    commun: bool  # a commun numérique (a teacher's), else a publisher's offering
    position: int
    added_at: datetime
    # Withdrawn, hidden or deleted since it was added: only the owner still sees it listed.
    available: bool = True


class CollectionSummary(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    description: str
    visibility: Visibility
    items: int
    followers: int
    updated_at: datetime


class FeatureView(msgspec.Struct, kw_only=True):
    scope: FeatureScope
    establishment_uai: str | None = None
    academie: str | None = None


class CollectionView(msgspec.Struct, kw_only=True):
    """A list and its resources. Its owner is never named; ``mine`` tells the reader."""

    id: UUID
    title: str
    description: str
    visibility: Visibility
    mine: bool
    followed: bool
    followers: int
    created_at: datetime
    updated_at: datetime
    items: list[ItemView]
    # The owner's only: the link's token (a shared list).
    share_token: str | None = None
    # The establishments' and académies' pages that feature it (public, as those pages are).
    featured: list[FeatureView] = []


class CollectionPage(msgspec.Struct, kw_only=True):
    total: int
    collections: list[CollectionSummary]


class FeaturedPage(msgspec.Struct, kw_only=True):
    """The lists an establishment or an académie features on its page."""

    scope: FeatureScope
    establishment_uai: str | None
    academie: str
    name: str  # the establishment's name, or the académie's code
    collections: list[CollectionSummary]


class ShareLink(msgspec.Struct, kw_only=True):
    token: str
    path: str  # the page's address, token included


# A person's lists in their own download (RGPD access and portability): ``ListsData`` is the
# part the compte ressource's download carries under "collections" (catalogue.app hands
# ``collections.privacy.ListsOfPerson`` to it).

_VISIBILITY_FR = {
    Visibility.PRIVATE: "privée",
    Visibility.SHARED: "partagée par un lien",
    Visibility.PUBLIC: "publique",
}


class ListedResource(msgspec.Struct, kw_only=True):
    resource_id: UUID
    title: str
    position: int
    added_at: datetime


class MyList(msgspec.Struct, kw_only=True):
    """One of the person's lists. ``link_active``: a link shares it (its token is not given:
    the person sees it on the list's page)."""

    id: UUID
    title: str
    description: str
    visibility: Visibility
    link_active: bool
    created_at: datetime
    updated_at: datetime
    items: list[ListedResource] = []
    featured: list[FeatureView] = []  # the establishments' and académies' pages that show it


class FollowedList(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    followed_at: datetime


class FeatureMade(msgspec.Struct, kw_only=True):
    """A list the person (an administrator) features on their establishment's or académie's
    page."""

    id: UUID
    title: str
    scope: FeatureScope
    establishment_uai: str | None
    academie: str | None
    featured_at: datetime


class ListsData(msgspec.Struct, kw_only=True):
    """Everything the collections keep on a person: their lists, the lists they follow, the
    lists they feature."""

    own: list[MyList]
    followed: list[FollowedList]
    featured: list[FeatureMade]

    def csv_rows(self) -> list[tuple[str, str, str, str]]:
        """The download's CSV rows: (rubrique, date, nature, détail)."""
        rows = [
            (
                "liste",
                mine.created_at.isoformat(),
                _VISIBILITY_FR[mine.visibility] + (" (lien actif)" if mine.link_active else ""),
                f"{mine.title} [{mine.id}] ; modifiée le {mine.updated_at.isoformat()}"
                + (f" ; {mine.description}" if mine.description else ""),
            )
            for mine in self.own
        ]
        rows += [
            (
                "ressource de liste",
                item.added_at.isoformat(),
                f"position {item.position}",
                f"{mine.title} : {item.title} [{item.resource_id}]",
            )
            for mine in self.own
            for item in mine.items
        ]
        rows += [
            ("liste suivie", f.followed_at.isoformat(), "", f"{f.title} [{f.id}]")
            for f in self.followed
        ]
        rows += [
            (
                "liste mise en avant",
                f.featured_at.isoformat(),
                f"établissement {f.establishment_uai}"
                if f.scope == FeatureScope.ESTABLISHMENT
                else f"académie {f.academie}",
                f"{f.title} [{f.id}]",
            )
            for f in self.featured
        ]
        return rows
