"""Running a connector over documents and saving what it reads, record by record."""

from __future__ import annotations

import asyncio
import io
import zipfile
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from itertools import islice
from uuid import UUID, uuid4

import asyncpg
import msgspec
import structlog

from catalogue.database import Connection
from catalogue.errors import ConflictError, InvalidInputError, NotFoundError, UnprocessableError
from catalogue.imports import repository
from catalogue.imports.models import OUTCOMES, ImportReport, ReportItem
from catalogue.progress import Progress, no_progress
from catalogue.resources.models import Provenance, ResourceDraft
from catalogue.resources.outbox import wake_indexer
from catalogue.resources.service import SaveOutcome, save_batch
from catalogue.resources.validation import validate
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import Connector, Context, Record, Rejected, source_key

log = structlog.get_logger(__name__)

COMMIT_EVERY = 200
MAX_ZIP_ENTRIES = 10_000
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
# Each file of a zip is read up to this many bytes (counted as they expand, whatever its
# header claims); a larger one is rejected in the report without being read further.
MAX_ENTRY_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024
# Imports of one publisher running at once, across processes (PostgreSQL advisory locks).
MAX_IMPORTS_PER_PUBLISHER = 2
RETRY_AFTER_S = 5

SAME_CONTENT = "content "  # the claim of a record keyed by its content's hash, before it


def documents(name: str, data: bytes) -> Iterator[tuple[str, bytes | Rejected]]:
    """The documents of an upload: itself, or the files of a zip (bounded, never extracted).

    Each file is read in chunks and counted as it expands: one larger than
    ``MAX_ENTRY_BYTES``, or beyond ``MAX_UNZIPPED_BYTES`` for the whole zip, or damaged, is
    a rejected document with the reason, and the others are read.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        yield name, data
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        if len(entries) > MAX_ZIP_ENTRIES:
            raise InvalidInputError(f"{name} : plus de {MAX_ZIP_ENTRIES} fichiers dans le zip")
        if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
            raise InvalidInputError(
                f"{name} : le zip décompressé dépasse {MAX_UNZIPPED_BYTES} octets"
            )
        left = MAX_UNZIPPED_BYTES
        for entry in sorted(entries, key=lambda e: e.filename):
            content = _read_entry(archive, entry, min(MAX_ENTRY_BYTES, left))
            if isinstance(content, bytes):
                left -= len(content)
            yield entry.filename, content


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> bytes | Rejected:
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    return Rejected(
                        message=f"fichier de plus de {limit} octets une fois décompressé : non lu"
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # damaged (a header that does not match its content), encrypted, or unsupported
        return Rejected(message=f"fichier illisible dans le zip : {exc}")
    return b"".join(chunks)


def context_for(vocab: VocabularyIndex, *, strict: bool) -> Context:
    return Context(concept_for_label=vocab.concept_for_label, concept=vocab.lookup, strict=strict)


async def run_import(
    pool: asyncpg.Pool,
    vocab: VocabularyIndex,
    connector: Connector,
    publisher_id: UUID,
    uploads: list[tuple[str, bytes]],
    *,
    source: str,
    strict: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Save every record on its own: a bad record never stops the others.

    Records are committed by batches (each record in its own savepoint, so a refused one
    rolls back alone): one commit per record would cost more than the work itself.
    `progress` is told after each batch how many documents (files, or files of a zip)
    were read, of how many.
    """
    started = datetime.now(UTC)
    total = sum(document_count(data) for _, data in uploads)
    context = context_for(vocab, strict=strict)
    results = (
        (document, result)
        for name, data in uploads
        for document, content in documents(name, data)
        for result in (
            connector.read(content, context) if isinstance(content, bytes) else [content]
        )
    )
    async with pool.acquire() as conn, _import_slot(conn, publisher_id):
        if not await repository.publisher_exists(conn, publisher_id):
            raise NotFoundError("Éditeur introuvable.")
        items: list[ReportItem] = []
        claims: list[set[str]] = []
        # Unzipping and parsing run in a thread: the event loop keeps answering meanwhile.
        while batch := await asyncio.to_thread(_next_batch, results):
            async with conn.transaction():
                saved = await _save_batch(conn, vocab, connector.name, publisher_id, batch)
            items.extend(saved)
            claims.extend(
                _claims(result) if item.outcome != "rejected" else set()
                for (_, result), item in zip(batch, saved, strict=True)
            )
            progress(_documents_read(items), total)
        progress(total, total)
        warn_shared_claims(items, claims)
        await wake_indexer(conn)
        counts = {o: sum(1 for i in items if i.outcome == o) for o in OUTCOMES}
        # Stored, the report gets its id and finishing time from the database.
        report = ImportReport(
            id=uuid4(),
            publisher_id=publisher_id,
            connector=connector.name,
            source=source,
            started_at=started,
            finished_at=started,
            items=items,
            **counts,
        )
        report = await repository.insert_import(conn, report)
    log.info("import finished", connector=connector.name, **counts)
    return report


def document_count(data: bytes) -> int:
    """How many documents `documents` yields for this upload (a bad zip counts as one)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(1 for entry in archive.infolist() if not entry.is_dir()) or 1


def _documents_read(items: list[ReportItem]) -> int:
    """Documents started so far (the records of one document follow each other)."""
    return sum(1 for i, item in enumerate(items) if not i or items[i - 1].document != item.document)


def _next_batch(
    results: Iterator[tuple[str, Record | Rejected]],
) -> list[tuple[str, Record | Rejected]]:
    return list(islice(results, COMMIT_EVERY))


@asynccontextmanager
async def _import_slot(conn: Connection, publisher_id: UUID) -> AsyncIterator[None]:
    """One of the publisher's ``MAX_IMPORTS_PER_PUBLISHER`` slots, or a 409 with Retry-After."""
    for slot in range(MAX_IMPORTS_PER_PUBLISHER):
        if await repository.take_import_slot(conn, publisher_id, slot):
            break
    else:
        raise ConflictError(
            f"Déjà {MAX_IMPORTS_PER_PUBLISHER} imports en cours pour cet éditeur : "
            "réessayez quand l'un d'eux sera terminé.",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    try:
        yield
    finally:
        await repository.release_import_slot(conn, publisher_id, slot)


class _Valid(msgspec.Struct, frozen=True):
    """A record that passed validation, ready to save."""

    document: str
    record: Record
    draft: ResourceDraft
    provenance: Provenance
    changes: list[str]


async def _save_batch(
    conn: Connection,
    vocab: VocabularyIndex,
    connector: str,
    publisher_id: UUID,
    batch: list[tuple[str, Record | Rejected]],
) -> list[ReportItem]:
    """Each record of a batch checked, the valid ones saved together (`save_batch`): one
    report item for each, in order."""
    checked = [_checked(connector, document, result) for document, result in batch]
    valid = [item for item in checked if isinstance(item, _Valid)]
    saved = iter(
        await save_batch(conn, vocab, publisher_id, [(v.draft, v.provenance) for v in valid])
    )
    return [
        item if isinstance(item, ReportItem) else _reported(item, next(saved)) for item in checked
    ]


def _checked(connector: str, document: str, result: Record | Rejected) -> ReportItem | _Valid:
    """A rejection for the report, or the validated record."""
    if isinstance(result, Rejected):
        return ReportItem(
            outcome="rejected",
            document=document,
            line=result.line,
            source_id=result.source_id,
            message=result.message,
        )
    try:
        draft, changes = validate(result.draft)
    except UnprocessableError as exc:
        return ReportItem(
            outcome="rejected",
            document=document,
            line=result.line,
            source_id=result.source_id,
            message=exc.detail,
            warnings=result.warnings,
        )
    provenance = Provenance(
        connector=connector,
        source_id=result.source_id,
        harvested_at=datetime.now(UTC),
        source_key=source_key(result),
    )
    return _Valid(document, result, draft, provenance, changes)


def _reported(valid: _Valid, saved: SaveOutcome | str) -> ReportItem:
    """The report item of a saved record, or of one the database refused (`saved` says why)."""
    record = valid.record
    if isinstance(saved, str):
        return ReportItem(
            outcome="rejected",
            document=valid.document,
            line=record.line,
            source_id=record.source_id,
            message=saved,
        )
    return ReportItem(
        outcome=saved.outcome,
        document=valid.document,
        line=record.line,
        source_id=record.source_id,
        resource_id=saved.id,
        warnings=record_warnings(record, saved, valid.changes),
    )


def record_warnings(record: Record, saved: SaveOutcome, changes: list[str]) -> list[str]:
    """What a report says of a saved record: the reader's warnings, what validation changed
    (``validate``), then unknown concepts and what saving could not keep."""
    return [
        *record.warnings,
        *changes,
        *(f"concept inconnu gardé : {u}" for u in saved.unknown_concepts),
        *saved.warnings,
    ]


def _claims(result: Record | Rejected) -> set[str]:
    """What a record claims to be: its identifiers, and its source key when that is not one
    of them (the location, a source id, or its content for the hash)."""
    if isinstance(result, Rejected):
        return set()
    identifiers = {f"identifiant {i.kind} {i.value}" for i in result.draft.identifiers}
    key = source_key(result)
    if any(i.value == key for i in result.draft.identifiers):
        return identifiers
    if key == result.source_id:
        return {*identifiers, f"identifiant source {key}"}
    if key == result.draft.access_url:
        return {*identifiers, f"localisation {key}"}
    return {*identifiers, SAME_CONTENT + key}


def warn_shared_claims(items: list[ReportItem], claims: list[set[str]]) -> None:
    """Records of one import claiming the same identifier or key become one resource: each
    is told which others (document and line, or record) it was merged with."""
    claimants: dict[str, list[int]] = {}
    for index, claimed in enumerate(claims):
        for claim in claimed:
            claimants.setdefault(claim, []).append(index)
    for claim, indexes in sorted(claimants.items()):
        if len(indexes) < 2:
            continue
        for index in indexes:
            others = ", ".join(_where(items[other]) for other in indexes if other != index)
            said = (
                "le même contenu se lit aussi en"
                if claim.startswith(SAME_CONTENT)
                else f"{claim} est aussi revendiqué par"
            )
            items[index].warnings.append(f"{said} {others} : enregistrés comme une seule ressource")


def _where(item: ReportItem) -> str:
    if item.line is not None:
        return f"{item.document} ligne {item.line}"
    if item.source_id:
        return f"{item.document} enregistrement {item.source_id}"
    return item.document


async def read_report(pool: asyncpg.Pool, publisher_id: UUID, import_id: UUID) -> ImportReport:
    async with pool.acquire() as conn:
        report = await repository.import_by_id(conn, import_id, publisher_id)
    if report is None:
        raise NotFoundError("Import introuvable.")
    return report
