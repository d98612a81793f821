"""The directory on the wire: what an import reports, and an establishment as found."""

from __future__ import annotations

import msgspec


class LineProblem(msgspec.Struct, frozen=True):
    line: int
    message: str


class DirectoryReport(msgspec.Struct, kw_only=True):
    """What an import of the dataset did: counts, and each refused line with its reason."""

    read: int
    created: int
    updated: int
    unchanged: int
    closed: int
    rejected: int
    problems: list[LineProblem]


class EstablishmentView(msgspec.Struct, kw_only=True):
    uai: str
    name: str
    academie: str
    kind: str | None
    sector: str | None
    postal_code: str | None
    commune: str | None
    state: str
