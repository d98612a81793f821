"""Saving resources: vocabulary normalisation, de-duplication, and the search outbox."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal
from uuid import UUID, uuid4

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
    "gar_referenced",
    "gar_resource_id",
]
CONTENT_HASH = RESOURCE_COLUMNS.index("content_hash")
SOURCE_ID = RESOURCE_COLUMNS.index("source_id")
SOURCE_KEY = RESOURCE_COLUMNS.index("source_key")


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
        draft.gar_referenced,
        draft.gar_resource_id,
    ]


class _Record(msgspec.Struct, frozen=True):
    """A record ready to write: its normalised draft, its row values and what finds it."""

    draft: ResourceDraft
    unknown: list[str]
    values: list[Any]
    lookup: repository.Lookup

    def claims(self) -> list[tuple[str, ...]]:
        """What makes another record of a batch the same resource as this one."""
        key, source_id = self.lookup.source_key, self.values[SOURCE_ID]
        return [
            *([("key", self.lookup.connector, key)] if key else []),
            *([("source", self.lookup.connector, source_id)] if source_id else []),
            *((str(i.kind), i.value) for i in self.draft.identifiers),
        ]

    def new(self) -> repository.NewResource:
        row = dict(zip(RESOURCE_COLUMNS, self.values, strict=True))
        return repository.NewResource(uuid4(), row, self.draft.identifiers, self.draft.offers)


def _record(
    vocab: VocabularyIndex,
    publisher_id: UUID,
    draft: ResourceDraft,
    provenance: Provenance | None,
) -> _Record:
    provenance = provenance or Provenance()
    draft, unknown = normalise_draft(draft, vocab)
    values = resource_values(publisher_id, draft, unknown, provenance)
    lookup = repository.Lookup(provenance.connector, values[SOURCE_KEY], draft.identifiers)
    return _Record(draft, unknown, values, lookup)


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
    record = _record(vocab, publisher_id, draft, provenance)
    async with conn.transaction():
        if resource_id is None:
            saved = await _write(conn, publisher_id, record)
        else:
            saved = await _update(conn, publisher_id, record, resource_id)
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
    prepared = [_record(vocab, publisher_id, *record) for record in records]
    try:
        async with conn.transaction():
            saved = await _write_batch(conn, publisher_id, prepared)
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
        return f"refusé par la base de données : {exc}"


async def _write_batch(
    conn: Connection, publisher_id: UUID, records: list[_Record]
) -> list[SaveOutcome]:
    """A batch in three statements when its records are new or unchanged: one finds what each
    duplicates, one creates the new ones, one announces them. Records that share a source
    record, an identifier or the resource they duplicate with another of the batch are
    written one by one, in order, as alone (the first creates, the next ones update it)."""
    await repository.plan_each_record(conn)
    found = await repository.find_existing(conn, publisher_id, [r.lookup for r in records])
    claims = [
        [*set(r.claims()), *([("found", found[n].id)] if n in found else [])]
        for n, r in enumerate(records)
    ]
    claimed = Counter(claim for own in claims for claim in own)
    alone = {n for n, own in enumerate(claims) if any(claimed[c] > 1 for c in own)}
    new = {n: r.new() for n, r in enumerate(records) if n not in found and n not in alone}
    held = await repository.create_resources(conn, publisher_id, list(new.values())) if new else {}
    saved = []
    for n, record in enumerate(records):
        if n in alone:
            saved.append(await _write(conn, publisher_id, record))
        elif n in new:
            resource_id = new[n].id
            saved.append(_outcome(resource_id, "created", record, held.get(resource_id, [])))
        else:
            saved.append(await _found(conn, publisher_id, record, found[n]))
    return saved


async def _write(conn: Connection, publisher_id: UUID, record: _Record) -> SaveOutcome:
    """One record written, in the caller's transaction, found by source record or identifier
    first: two statements for a new one or an unchanged one, more for a change."""
    found = await repository.find_existing(conn, publisher_id, [record.lookup])
    if found:
        return await _found(conn, publisher_id, record, found[0])
    new = record.new()
    held = await repository.create_resources(conn, publisher_id, [new])
    return _outcome(new.id, "created", record, held.get(new.id, []))


async def _found(
    conn: Connection, publisher_id: UUID, record: _Record, existing: repository.Existing
) -> SaveOutcome:
    if existing.content_hash == record.values[CONTENT_HASH]:
        return _outcome(existing.id, "unchanged", record, [])
    return await _update(conn, publisher_id, record, existing.id)


async def _update(
    conn: Connection, publisher_id: UUID, record: _Record, resource_id: UUID
) -> SaveOutcome:
    if not await repository.update_resource(conn, resource_id, record.values):
        return _outcome(resource_id, "unchanged", record, [])
    held = await repository.replace_children(
        conn, resource_id, publisher_id, record.draft.identifiers, record.draft.offers
    )
    return _outcome(resource_id, "updated", record, held)


def _outcome(
    resource_id: UUID,
    outcome: Literal["created", "updated", "unchanged"],
    record: _Record,
    held: list[HeldIdentifier],
) -> SaveOutcome:
    warnings = [
        f"identifiant {h.kind} {h.value} déjà porté par la ressource {h.owner} : non rattaché"
        for h in held
    ]
    return SaveOutcome(
        id=resource_id, outcome=outcome, unknown_concepts=record.unknown, warnings=warnings
    )


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
        gar_referenced=stored.gar_referenced,
        gar_resource_id=stored.gar_resource_id,
    )
