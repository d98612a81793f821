"""Import reports on the wire (the publisher API, pages and the CLI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

Outcome = Literal["created", "updated", "unchanged", "rejected"]
OUTCOMES: tuple[Outcome, ...] = ("created", "updated", "unchanged", "rejected")


class ReportItem(msgspec.Struct, kw_only=True, omit_defaults=True):
    outcome: Outcome
    document: str
    line: int | None = None
    source_id: str | None = None
    resource_id: UUID | None = None
    message: str | None = None
    warnings: list[str] = msgspec.field(default_factory=list)


class ImportReport(msgspec.Struct, kw_only=True):
    id: UUID
    publisher_id: UUID
    connector: str
    source: str
    started_at: datetime
    finished_at: datetime
    created: int
    updated: int
    unchanged: int
    rejected: int
    items: list[ReportItem]
