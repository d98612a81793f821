"""A person's lists under the RGPD: what they download of them, and what their erasure does.

Both run inside another context's unit of work, on its connection: the download is the compte
ressource's (``ListsOfPerson``, which the app hands to ``accounts.AccountsService`` as one of
its personal-data sources; accounts never imports collections), the erasure is identity's
(``forget_people``, a ``catalogue.identity.retention.PeopleErased`` hook that the worker and
``catalogue directory erase-departed`` hand in).

At erasure, a person's private and shared lists are deleted, and so are their public lists,
but for those an establishment or an académie features: those stay on its page, without their
author (nobody owns or edits them any more; their followers keep them), until the last page
that features one stops (``CollectionService.feature``: then it is deleted). Their follows
are removed, and the features they made as an administrator stay without their id.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

import structlog

from catalogue.collections import repository
from catalogue.collections.models import FeatureView, ListedResource, ListsData
from catalogue.database import Connection

log = structlog.get_logger(__name__)


class ListsOfPerson:
    """The "collections" part of a person's download (``accounts.personal_data.PersonalData``)."""

    section = "collections"

    async def collect(self, conn: Connection, person_id: UUID) -> ListsData:
        items: dict[UUID, list[ListedResource]] = defaultdict(list)
        for item in await repository.personal_items(conn, person_id):
            items[item.collection_id].append(item.listed())
        features: dict[UUID, list[FeatureView]] = defaultdict(list)
        for feature in await repository.personal_list_features(conn, person_id):
            features[feature.collection_id].append(
                FeatureView(
                    scope=feature.scope,
                    establishment_uai=feature.establishment_uai,
                    academie=feature.academie,
                )
            )
        own = await repository.personal_lists(conn, person_id)
        for mine in own:
            mine.items = items[mine.id]
            mine.featured = features[mine.id]
        return ListsData(
            own=own,
            followed=await repository.personal_follows(conn, person_id),
            featured=await repository.personal_features(conn, person_id),
        )


async def forget_people(conn: Connection, people: list[UUID]) -> None:
    """The lists, follows and features of people erased now, in their erasure's transaction."""
    erased = await repository.erase_people(conn, people)
    log.info(
        "erased people's lists",
        people=len(people),
        deleted=erased.deleted,
        kept=erased.kept,
        follows=erased.follows,
        features=erased.features,
    )
