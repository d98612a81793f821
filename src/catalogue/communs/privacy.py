"""A person's communs under the RGPD: what they download of them.

The download runs inside the compte ressource's unit of work, on its connection
(``CommunsOfPerson``, which the app hands to ``accounts.AccountsService`` as one of its
personal-data sources; accounts never imports communs): the communs the person authored
(whether their name is shown, never another author's), the reports they filed (their own
free text, never who else reported), and the moderation decisions they took as an
administrator (the commun, never its author).

At erasure (``forget_people``, a ``catalogue.identity.retention.PeopleErased`` hook that the
worker and ``catalogue directory erase-departed`` hand in), the free text of the person's
reports is emptied: their own words, which may name them. What stays, linked to the
anonymised person's internal id: their communs (published under an open licence, credited as
they chose: a name they showed stays in the credits, as the licence requires), the reason and
date of their reports, and the moderation decisions they took (the administration's record).
"""

from __future__ import annotations

from uuid import UUID

import structlog

from catalogue.communs import repository
from catalogue.communs.models import CommunsData
from catalogue.database import Connection

log = structlog.get_logger(__name__)


class CommunsOfPerson:
    """The "communs" part of a person's download (``accounts.personal_data.PersonalData``)."""

    section = "communs"

    async def collect(self, conn: Connection, person_id: UUID) -> CommunsData:
        return CommunsData(
            published=await repository.personal_communs(conn, person_id),
            reports=await repository.personal_reports(conn, person_id),
            decisions=await repository.personal_decisions(conn, person_id),
        )


async def forget_people(conn: Connection, people: list[UUID]) -> None:
    """The free text of the reports of people erased now, in their erasure's transaction."""
    emptied = await repository.erase_report_texts(conn, people)
    log.info("erased people's report texts", people=len(people), reports=emptied)
