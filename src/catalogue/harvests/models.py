"""Harvest sources and runs on the wire (the publisher API and pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec


class NewSource(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    base_url: Annotated[str, msgspec.Meta(pattern=r"^https?://", max_length=2000)]
    set_spec: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    every_minutes: Annotated[int, msgspec.Meta(ge=5, le=44640)] = 1440


class SourceView(msgspec.Struct, kw_only=True):
    id: UUID
    publisher_id: UUID
    base_url: str
    set_spec: str | None
    metadata_prefix: str | None
    every_minutes: int
    harvested_until: datetime | None
    enabled: bool
    last_run_id: UUID | None = None
    last_status: str | None = None
    last_started_at: datetime | None = None


class RunView(msgspec.Struct, kw_only=True):
    id: UUID
    source_id: UUID
    started_at: datetime
    finished_at: datetime | None
    status: Literal["running", "succeeded", "failed"]
    pages: int
    created: int
    updated: int
    unchanged: int
    withdrawn: int
    rejected: int
    error: str | None
    problems: list[dict[str, Any]]
    # Per-record warnings ({"identifier", "message"}), as in an import report; the first
    # MAX_WARNINGS are kept, warning_count counts them all.
    warnings: list[dict[str, Any]]
    warning_count: int
