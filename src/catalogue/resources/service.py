"""Saving resources: vocabulary normalisation, de-duplication, and the search outbox."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Literal
from uuid import UUID

import asyncpg
import msgspec

from catalogue.database import Connection
from catalogue.errors import NotFoundError
from catalogue.resources import repository
from catalogue.resources.models import (
    Labelled,
    Provenance,
    ProvenanceView,
    ResourceDraft,
    ResourceView,
    Status,
)
from catalogue.resources.outbox import announce_changes
from catalogue.resources.repository import HeldIdentifier
from catalogue.vocabularies.extra import ACCESSIBILITY_SCHEME
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.languages import normalise_language

# Which vocabularies each field accepts (levels: coarse 012 and detailed 022).
VOCABULARY_FIELDS: dict[str, tuple[str, ...]] = {
    "resource_types": ("scolomfr-voc-005",),
    "pedagogical_types": ("scolomfr-voc-010",),
    "audiences": ("scolomfr-voc-011",),
    "levels": ("scolomfr-voc-012", "scolomfr-voc-022"),
    "disciplines": ("scolomfr-voc-015",),
    "accessibility": (ACCESSIBILITY_SCHEME,),
}


class SaveOutcome(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: UUID
    outcome: Literal["created", "updated", "unchanged"]
    unknown_concepts: list[str]
    # What could not be kept as given (an identifier another resource holds).
    warnings: list[str] = msgspec.field(default_factory=list)


def normalise_draft(
    draft: ResourceDraft, vocab: VocabularyIndex
) -> tuple[ResourceDraft, list[str]]:
    """Retired concepts replaced, unknown ones set apart (kept and reported, never dropped);
    language codes as the catalogue stores them (unknown codes kept as they are)."""
    changes: dict[str, list[str]] = {"languages": stored_languages(draft.languages)}
    unknown: list[str] = []
    for field, schemes in VOCABULARY_FIELDS.items():
        result = vocab.normalise(getattr(draft, field), schemes)
        changes[field] = result.uris
        unknown.extend(result.unknown)
    return msgspec.structs.replace(draft, **changes), unknown


def stored_languages(languages: list[str]) -> list[str]:
    codes = []
    for value in languages:
        found = normalise_language(value)
        code = found.code if found else value.strip().lower()
        if code not in codes:
            codes.append(code)
    return codes


# The resource columns that resource_values() fills, in its order.
RESOURCE_COLUMNS = [
    "publisher_id",
    "status",
    "title",
    "description",
    "keywords",
    "languages",
    "resource_types",
    "pedagogical_types",
    "audiences",
    "levels",
    "disciplines",
    "accessibility",
    "formats",
    "rights",
    "thumbnail_url",
    "access_url",
    "contributors",
    "unknown_concepts",
    "connector",
    "source_id",
    "harvested_at",
    "content_hash",
    "source_key",
]
CONTENT_HASH = RESOURCE_COLUMNS.index("content_hash")


def resource_values(
    publisher_id: UUID, draft: ResourceDraft, unknown: list[str], provenance: Provenance
) -> list[Any]:
    """A normalised draft as the values of RESOURCE_COLUMNS; the hash says what changed."""
    content_hash = hashlib.sha256(msgspec.json.encode([draft, unknown])).hexdigest()
    return [
        publisher_id,
        str(draft.status),
        draft.title,
        draft.description,
        draft.keywords,
        draft.languages,
        draft.resource_types,
        draft.pedagogical_types,
        draft.audiences,
        draft.levels,
        draft.disciplines,
        draft.accessibility,
        draft.formats,
        draft.rights,
        draft.thumbnail_url,
        draft.access_url,
        msgspec.to_builtins(draft.contributors),
        unknown,
        provenance.connector,
        provenance.source_id,
        provenance.harvested_at,
        content_hash,
        provenance.source_key or provenance.source_id,
    ]


async def save_resource(
    conn: Connection,
    vocab: VocabularyIndex,
    publisher_id: UUID,
    draft: ResourceDraft,
    provenance: Provenance | None = None,
    *,
    resource_id: UUID | None = None,
    wake_worker: bool = True,
) -> SaveOutcome:
    """Create or update (the given id, or found by source record or identifier) in one
    transaction."""
    async with conn.transaction():
        saved = await _write(conn, vocab, publisher_id, draft, provenance, resource_id=resource_id)
        if saved.outcome != "unchanged":
            await announce_changes(conn, [saved.id], wake_worker=wake_worker)
    return saved


async def save_batch(
    conn: Connection,
    vocab: VocabularyIndex,
    publisher_id: UUID,
    records: Sequence[tuple[ResourceDraft, Provenance]],
) -> list[SaveOutcome | str]:
    """Save a batch (an import's or a harvest's) in the caller's transaction: each record's
    outcome, or why the database refused it. Meant for thousands of records: all are written
    at once, and only when the database refuses one is each saved again alone (in its own
    savepoint), so that a refused record rolls back alone. The search index is told of the
    changes; wake its worker once the whole run is saved (`wake_indexer`)."""
    try:
        async with conn.transaction():
            await repository.plan_each_record(conn)
            saved = [await _write(conn, vocab, publisher_id, *record) for record in records]
            await announce_changes(
                conn, [s.id for s in saved if s.outcome != "unchanged"], wake_worker=False
            )
            return list(saved)
    except asyncpg.PostgresError:
        return [await _save_alone(conn, vocab, publisher_id, *record) for record in records]


async def _save_alone(
    conn: Connection,
    vocab: VocabularyIndex,
    publisher_id: UUID,
    draft: ResourceDraft,
    provenance: Provenance,
) -> SaveOutcome | str:
    try:
        return await save_resource(conn, vocab, publisher_id, draft, provenance, wake_worker=False)
    except asyncpg.PostgresError as exc:
        return f"refused by the database: {exc}"


async def _write(
    conn: Connection,
    vocab: VocabularyIndex,
    publisher_id: UUID,
    draft: ResourceDraft,
    provenance: Provenance | None,
    *,
    resource_id: UUID | None = None,
) -> SaveOutcome:
    """One resource written, in the caller's transaction: two statements for a new one or an
    unchanged one, more for a change."""
    provenance = provenance or Provenance()
    draft, unknown = normalise_draft(draft, vocab)
    values = resource_values(publisher_id, draft, unknown, provenance)
    if resource_id is None:
        found = await repository.find_existing(
            conn,
            publisher_id,
            draft.identifiers,
            provenance.connector,
            provenance.source_key or provenance.source_id,
        )
        if found is None:
            resource_id, held = await repository.create_resource(
                conn, values, draft.identifiers, draft.offers
            )
            return _outcome(resource_id, "created", unknown, held)
        if found.content_hash == values[CONTENT_HASH]:
            return _outcome(found.id, "unchanged", unknown, [])
        resource_id = found.id
    if not await repository.update_resource(conn, resource_id, values):
        return _outcome(resource_id, "unchanged", unknown, [])
    held = await repository.replace_children(
        conn, resource_id, publisher_id, draft.identifiers, draft.offers
    )
    return _outcome(resource_id, "updated", unknown, held)


def _outcome(
    resource_id: UUID,
    outcome: Literal["created", "updated", "unchanged"],
    unknown: list[str],
    held: list[HeldIdentifier],
) -> SaveOutcome:
    warnings = [
        f"identifier {h.kind} {h.value} belongs to resource {h.owner}: not attached" for h in held
    ]
    return SaveOutcome(id=resource_id, outcome=outcome, unknown_concepts=unknown, warnings=warnings)


def _labelled(vocab: VocabularyIndex, uris: list[str]) -> list[Labelled]:
    return [Labelled(uri, vocab.label(uri)) for uri in uris]


async def read_resource(
    conn: Connection, vocab: VocabularyIndex, resource_id: UUID, *, publisher_id: UUID | None
) -> ResourceView:
    """A published resource of an approved publisher (or approved on its own) for everyone;
    any status for its own publisher. Anything else is "not found", never "forbidden"."""
    stored = await repository.resource_by_id(conn, resource_id)
    if stored is None or not (
        (stored.status == Status.PUBLISHED and stored.visible)
        or stored.publisher_id == publisher_id
    ):
        raise NotFoundError("Ressource introuvable.")
    return ResourceView(
        id=stored.id,
        publisher_id=stored.publisher_id,
        publisher_name=stored.publisher_name,
        status=stored.status,
        title=stored.title,
        description=stored.description,
        keywords=stored.keywords,
        languages=stored.languages,
        resource_types=_labelled(vocab, stored.resource_types),
        pedagogical_types=_labelled(vocab, stored.pedagogical_types),
        audiences=_labelled(vocab, stored.audiences),
        levels=_labelled(vocab, stored.levels),
        disciplines=_labelled(vocab, stored.disciplines),
        accessibility=_labelled(vocab, stored.accessibility),
        formats=stored.formats,
        rights=stored.rights,
        thumbnail_url=stored.thumbnail_url,
        access_url=stored.access_url,
        identifiers=stored.identifiers,
        contributors=stored.contributors,
        unknown_concepts=stored.unknown_concepts,
        offers=stored.offers,
        provenance=ProvenanceView(
            connector=stored.connector,
            source_id=stored.source_id,
            harvested_at=stored.harvested_at,
            content_hash=stored.content_hash,
            source_key=stored.source_key,
        ),
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )
