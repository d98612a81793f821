"""A person's communs under the RGPD: what they download of them.

The download runs inside the compte ressource's unit of work, on its connection
(``CommunsOfPerson``, which the app hands to ``accounts.AccountsService`` as one of its
personal-data sources; accounts never imports communs): the communs the person authored
(whether their name is shown, never another author's), the reports they filed (their own
free text, never who else reported), and the moderation decisions they took as an
administrator (the commun, never its author).
"""

from __future__ import annotations

from uuid import UUID

from catalogue.communs import repository
from catalogue.communs.models import CommunsData
from catalogue.database import Connection


class CommunsOfPerson:
    """The "communs" part of a person's download (``accounts.personal_data.PersonalData``)."""

    section = "communs"

    async def collect(self, conn: Connection, person_id: UUID) -> CommunsData:
        return CommunsData(
            published=await repository.personal_communs(conn, person_id),
            reports=await repository.personal_reports(conn, person_id),
            decisions=await repository.personal_decisions(conn, person_id),
        )
