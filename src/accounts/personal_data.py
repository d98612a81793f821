"""The parts of a person's download that other contexts keep (their lists...).

accounts never imports those contexts (the import-linter contracts): each offers a
`PersonalData` source, a structural Protocol, and the app's lifespan hands the sources to
`AccountsService` (``personal_data``). A source's part goes in the JSON download under
``sections``, by the source's name, and in the CSV download as rows of its own rubriques.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from catalogue.database import Connection


class DataPart(Protocol):
    """A source's data on one person: a msgspec Struct (the JSON) that writes its CSV rows."""

    def csv_rows(self) -> list[tuple[str, str, str, str]]:
        """(rubrique, date, nature, détail): the CSV's columns but the amount."""
        ...


class PersonalData(Protocol):
    """Another context's data on a person, read on the download's connection and snapshot."""

    @property
    def section(self) -> str: ...

    async def collect(self, conn: Connection, person_id: UUID) -> DataPart: ...
