"""Queries of communs (statements in ``communs/sql/``), returning msgspec Structs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from catalogue.communs.models import (
    CommunDraft,
    CommunVersion,
    Credit,
    DecisionTaken,
    FiledReport,
    FileView,
    OwnCommun,
    PublishedCommun,
    VersionSummary,
)
from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.communs")

# The platform's own publisher, whose resources the communs are (migration 0023).
COMMUNS_PUBLISHER = UUID("00000000-0000-4000-8000-00000000c033")
COMMUN_CONNECTOR = "commun"


class Author(msgspec.Struct, frozen=True, kw_only=True):
    """Who publishes. ``display_name`` is used only when they chose to show it."""

    id: UUID
    display_name: str
    establishment_uai: str | None
    establishment_name: str | None
    academie: str | None


class StoredCommun(msgspec.Struct, kw_only=True):
    id: UUID
    author_id: UUID
    establishment_uai: str | None
    academie: str | None
    show_name: bool
    licence: str
    based_on: UUID | None
    credits: list[Credit]
    state: str
    version: int
    created_at: datetime
    updated_at: datetime
    content: CommunDraft


class NewCommun(msgspec.Struct, kw_only=True):
    id: UUID
    author: Author
    show_name: bool
    licence: str
    based_on: UUID | None
    credits: list[Credit]
    state: str


class Decision(msgspec.Struct, kw_only=True):
    id: int
    resource_id: UUID
    action: str
    reason: str
    created_at: datetime


class Report(msgspec.Struct, kw_only=True):
    id: UUID
    resource_id: UUID
    reason: str
    created_at: datetime


class OpenReport(msgspec.Struct, kw_only=True):
    id: UUID
    reason: str
    text: str
    created_at: datetime


class Awaiting(msgspec.Struct, kw_only=True):
    """A commun in the moderation queue: awaiting its first review, or reported."""

    id: UUID
    title: str
    state: str
    academie: str | None
    updated_at: datetime
    open_reports: int
    reasons: list[str]


async def author(conn: Connection, person_id: UUID) -> Author | None:
    return await fetch_one(conn, Author, SQL["author"], person_id)


async def has_visible(conn: Connection, person_id: UUID) -> bool:
    return bool(await conn.fetchval(SQL["has_visible"], person_id))


async def insert_commun(conn: Connection, new: NewCommun, content: CommunDraft) -> None:
    await conn.execute(
        SQL["insert_commun"],
        new.id,
        new.author.id,
        new.author.establishment_uai,
        new.author.academie,
        new.show_name,
        new.licence,
        new.based_on,
        new.credits,
        new.state,
    )
    await insert_version(conn, new.id, 1, content)


async def insert_version(conn: Connection, resource_id: UUID, version: int, content: Any) -> None:
    await conn.execute(SQL["insert_version"], resource_id, version, content)


async def lock_commun(conn: Connection, resource_id: UUID) -> StoredCommun | None:
    return await fetch_one(conn, StoredCommun, SQL["lock_commun"], resource_id)


async def commun_by_id(conn: Connection, resource_id: UUID) -> StoredCommun | None:
    return await fetch_one(conn, StoredCommun, SQL["commun_by_id"], resource_id)


async def authors_shown(conn: Connection, resource_id: UUID) -> list[str]:
    names: list[str] = await conn.fetchval(SQL["authors_shown"], resource_id)
    return names


async def update_commun(
    conn: Connection, stored: StoredCommun, author: Author, content: CommunDraft
) -> None:
    """A new version: the content kept beside the earlier ones."""
    version = stored.version + 1
    await conn.execute(
        SQL["update_commun"],
        stored.id,
        content.show_name,
        content.licence,
        stored.state,
        version,
        author.establishment_uai,
        author.academie,
    )
    await insert_version(conn, stored.id, version, content)


async def set_state(conn: Connection, resource_id: UUID, state: str) -> None:
    await conn.execute(SQL["set_state"], resource_id, state)


async def versions(conn: Connection, resource_id: UUID) -> list[VersionSummary]:
    return await fetch_all(conn, VersionSummary, SQL["versions"], resource_id)


async def version(conn: Connection, resource_id: UUID, number: int) -> CommunVersion | None:
    return await fetch_one(conn, CommunVersion, SQL["version"], resource_id, number)


async def own_communs(conn: Connection, person_id: UUID, limit: int) -> list[OwnCommun]:
    """The author's communs, then the ones an administrator deleted (state "deleted")."""
    return [
        *await fetch_all(conn, OwnCommun, SQL["own_communs"], person_id, limit),
        *await fetch_all(conn, OwnCommun, SQL["deleted_communs"], person_id, limit),
    ]


async def insert_decision(
    conn: Connection,
    stored: StoredCommun,
    decided_by: UUID,
    action: str,
    reason: str,
) -> Decision:
    decision = await fetch_one(
        conn,
        Decision,
        SQL["insert_decision"],
        stored.id,
        stored.author_id,
        stored.content.title,
        decided_by,
        action,
        reason,
    )
    assert decision is not None  # INSERT ... RETURNING returns its row
    return decision


async def close_reports(conn: Connection, resource_id: UUID) -> None:
    await conn.execute(SQL["close_reports"], resource_id)


async def delete_commun(conn: Connection, resource_id: UUID) -> None:
    """The commun's rows go; its resource stays, withdrawn and emptied, as a tombstone."""
    await conn.execute(SQL["delete_reports"], resource_id)
    await conn.execute(SQL["delete_commun"], resource_id)
    await conn.execute(SQL["bury_resource"], resource_id)


async def reports_since(conn: Connection, person_id: UUID, window: timedelta) -> int:
    count: int = await conn.fetchval(SQL["reports_since"], person_id, window)
    return count


async def insert_report(
    conn: Connection, resource_id: UUID, person_id: UUID, reason: str, text: str
) -> Report:
    report = await fetch_one(
        conn, Report, SQL["insert_report"], resource_id, person_id, reason, text
    )
    assert report is not None  # INSERT ... RETURNING returns its row
    return report


async def moderation_queue(conn: Connection, academie: str | None, limit: int) -> list[Awaiting]:
    return await fetch_all(conn, Awaiting, SQL["moderation_queue"], academie, limit)


async def open_reports(conn: Connection, resource_id: UUID) -> list[OpenReport]:
    return await fetch_all(conn, OpenReport, SQL["open_reports"], resource_id)


class StoredFile(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime
    storage_key: str


async def files_size(conn: Connection, resource_id: UUID) -> int:
    size: int = await conn.fetchval(SQL["files_size"], resource_id)
    return size


async def insert_file(
    conn: Connection,
    resource_id: UUID,
    *,
    name: str,
    media_type: str,
    size: int,
    sha256: str,
    storage_key: str,
    version: int,
) -> FileView:
    """A file of the current version ``version``."""
    saved = await fetch_one(
        conn,
        FileView,
        SQL["insert_file"],
        resource_id,
        name,
        media_type,
        size,
        sha256,
        storage_key,
        version,
    )
    assert saved is not None  # INSERT ... RETURNING returns its row
    return saved


async def make_room_for(conn: Connection, resource_id: UUID, name: str, version: int) -> list[str]:
    """Before a file named ``name`` joins the current version ``version``: one an earlier
    version had stays that version's (closed at the version before); one uploaded at this
    version is replaced, and its storage key returned, to delete once committed."""
    await conn.execute(SQL["close_file"], resource_id, name, version)
    rows = await conn.fetch(SQL["replace_file"], resource_id, name, version)
    return [row["storage_key"] for row in rows]


async def files(conn: Connection, resource_id: UUID) -> list[FileView]:
    """The current version's files."""
    return await fetch_all(conn, FileView, SQL["files"], resource_id)


async def version_files(conn: Connection, resource_id: UUID, number: int) -> list[FileView]:
    """The files version ``number`` had."""
    return await fetch_all(conn, FileView, SQL["version_files"], resource_id, number)


async def file(conn: Connection, resource_id: UUID, file_id: UUID) -> StoredFile | None:
    """A file of any version of the commun."""
    return await fetch_one(conn, StoredFile, SQL["file"], resource_id, file_id)


async def file_keys(conn: Connection, resource_id: UUID) -> list[str]:
    return [row["storage_key"] for row in await conn.fetch(SQL["file_keys"], resource_id)]


async def select_commun(conn: Connection, person_id: UUID, resource_id: UUID) -> None:
    await conn.execute(SQL["select_commun"], person_id, resource_id)


async def unselect_commun(conn: Connection, person_id: UUID, resource_id: UUID) -> None:
    await conn.execute(SQL["unselect_commun"], person_id, resource_id)


async def reportable_offering(conn: Connection, resource_id: UUID) -> bool:
    return bool(await conn.fetchval(SQL["reportable_offering"], resource_id))


async def offering_queue(conn: Connection, limit: int) -> list[Awaiting]:
    return await fetch_all(conn, Awaiting, SQL["offering_queue"], limit)


async def close_offering_reports(conn: Connection, resource_id: UUID) -> int:
    """The open reports on a publisher's resource closed; how many there were."""
    closed: int = await conn.fetchval(SQL["close_offering_reports"], resource_id)
    return closed


# A person's own data (their download)


async def personal_communs(conn: Connection, person_id: UUID) -> list[PublishedCommun]:
    return await fetch_all(conn, PublishedCommun, SQL["personal_communs"], person_id)


async def personal_reports(conn: Connection, person_id: UUID) -> list[FiledReport]:
    return await fetch_all(conn, FiledReport, SQL["personal_reports"], person_id)


async def personal_decisions(conn: Connection, person_id: UUID) -> list[DecisionTaken]:
    return await fetch_all(conn, DecisionTaken, SQL["personal_decisions"], person_id)


async def erase_report_texts(conn: Connection, people: list[UUID]) -> int:
    """How many reports of these people lost their free text."""
    emptied: int = await conn.fetchval(SQL["erase_report_texts"], people)
    return emptied
