"""The one way a provisioning changes a person's establishment or active state.

Every SCIM write that moves a person to another establishment (a User's organization, a
Group's members) or deactivates or reactivates them goes through ``people_changed``, in the
write's transaction. It hands the change to the ``PersonMoved`` hook the application gives
first, then updates the person (the ledger's movements: a departing teacher's envelope going
back to their establishment...), which runs in the same transaction: if it refuses, nothing
of the write stays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias

import msgspec
import structlog
from scim2_models import InvalidValueException

from catalogue.database import Connection
from catalogue.errors import CatalogueError
from catalogue.provisioning import repository
from catalogue.provisioning.records import ProvisionedPerson

log = structlog.get_logger(__name__)


class PersonChange(msgspec.Struct, frozen=True, kw_only=True):
    """A person's establishment or active state, before and after a provisioning write."""

    before: ProvisionedPerson
    establishment_uai: str | None
    active: bool

    @property
    def moved(self) -> bool:
        return self.before.establishment_uai != self.establishment_uai

    @property
    def deactivated(self) -> bool:
        return self.before.active and not self.active

    @property
    def reactivated(self) -> bool:
        return not self.before.active and self.active


PersonMoved: TypeAlias = Callable[[Connection, PersonChange], Awaitable[None]]
"""What else a change does, in its transaction (the application's hook)."""


async def people_changed(
    conn: Connection,
    old: ProvisionedPerson,
    new_uai: str | None,
    *,
    active: bool,
    on_change: PersonMoved | None = None,
) -> PersonChange | None:
    """Move a person to ``new_uai`` and/or set their active state; None when neither changes.

    The caller has locked the person (``repository.lock_person``) and checked the UAI.
    """
    change = PersonChange(before=old, establishment_uai=new_uai, active=active)
    if not (change.moved or change.deactivated or change.reactivated):
        return None
    if on_change is not None:  # first: the ledger reads where the person was
        try:
            await on_change(conn, change)
        except CatalogueError as exc:  # the ledger refuses: a SCIM error, nothing written
            raise InvalidValueException(detail=exc.shown) from None
    await repository.move_person(conn, old.id, new_uai, active=active)
    # Ids only: never a name, an e-mail or a UAI tied to a person in the logs.
    log.info(
        "person changed by provisioning",
        person_id=str(old.id),
        moved=change.moved,
        deactivated=change.deactivated,
        reactivated=change.reactivated,
    )
    return change
