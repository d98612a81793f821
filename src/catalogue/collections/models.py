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
