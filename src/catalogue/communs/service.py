"""The communs' use cases, each one unit of work on the pool: publishing, editing (a new
version each time), adapting, reading, reporting and moderating.

A commun is a resource of the platform's publisher "Communs numériques" (``COMMUNS_PUBLISHER``),
saved through ``resources.service.save_resource``: search, OAI-PMH and the ScoLOMFR export carry
it like any resource. Its authorship is written on the resource as its contributors, already as
shown: the author's display name only when they chose to show it, else their establishment.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta
from typing import Annotated, TypeAlias
from uuid import UUID, uuid4

import asyncpg
import msgspec
import structlog
from litestar.di import NamedDependency

from catalogue.communs import repository
from catalogue.communs.files import Upload, check_name
from catalogue.communs.models import (
    LICENCES,
    ApprovalView,
    CommunDraft,
    CommunVersion,
    CommunView,
    Credit,
    FileView,
    OwnCommun,
    State,
    VersionSummary,
)
from catalogue.communs.repository import (
    COMMUN_CONNECTOR,
    COMMUNS_PUBLISHER,
    Author,
    Awaiting,
    Decision,
    NewCommun,
    OpenReport,
    Report,
    SavedFile,
    StoredCommun,
    StoredFile,
)
from catalogue.database import Connection
from catalogue.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from catalogue.identity.models import Principal, Role
from catalogue.limits import TooManyRequestsError
from catalogue.resources.models import (
    Contributor,
    Labelled,
    Provenance,
    ResourceDraft,
    Status,
)
from catalogue.resources.outbox import announce_changes
from catalogue.resources.publishing import check_concepts
from catalogue.resources.service import save_resource
from catalogue.storage import FileStorage
from catalogue.vocabularies.index import VocabularyIndex

log = structlog.get_logger(__name__)

SHARE_ALIKE = "CC-BY-SA-4.0"
# Licences that require attribution: an adaptation may not drop it (no CC0).
ATTRIBUTION = frozenset({"CC-BY-4.0", "CC-BY-SA-4.0", "etalab-2.0"})
ANONYMOUS_AUTHOR = "Enseignant ou enseignante de l'Éducation nationale"
ORIGINAL_AUTHOR_ROLE = "content provider"  # LOM role: the authors of the work adapted
REPORTS_PER_HOUR = 10
REPORT_WINDOW = timedelta(hours=1)
MAX_LISTED = 500
_NOT_FOUND = "Commun introuvable."
_RESOURCE_STATUS = {
    State.PENDING: Status.DRAFT,
    State.VISIBLE: Status.PUBLISHED,
    State.HIDDEN: Status.WITHDRAWN,
}


class ReportReason(enum.StrEnum):
    ILLEGAL = "illegal"
    COPYRIGHT = "copyright"
    PERSONAL_DATA = "personal_data"
    INAPPROPRIATE = "inappropriate"
    ERROR = "error"
    OTHER = "other"


class NewReport(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: ReportReason
    text: Annotated[str, msgspec.Meta(max_length=2_000)] = ""


class Action(enum.StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    RESTORE = "restore"
    DELETE = "delete"


class NewDecision(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    action: Action
    reason: Annotated[str, msgspec.Meta(max_length=2_000)] = ""


class QueueEntry(msgspec.Struct, kw_only=True):
    commun: Awaiting
    reports: list[OpenReport]


# Which state an action leaves, from which states.
_TRANSITIONS: dict[Action, tuple[frozenset[State], State | None]] = {
    Action.APPROVE: (frozenset({State.PENDING}), State.VISIBLE),
    Action.HIDE: (frozenset({State.PENDING, State.VISIBLE}), State.HIDDEN),
    Action.RESTORE: (frozenset({State.HIDDEN}), State.VISIBLE),
    Action.DELETE: (frozenset(State), None),
}


def check_licence(licence: str, chain: list[Credit]) -> None:
    """An open licence, and one an adaptation may take: share-alike stays share-alike, and
    attribution is never released into CC0 (422 otherwise)."""
    if licence not in LICENCES:
        choices = ", ".join(LICENCES)
        message = f"Licence non ouverte : {licence!r}. Licences acceptées : {choices}."
        raise UnprocessableError(message, errors=[{"key": "licence", "message": message}])
    earlier = {credit.licence for credit in chain}
    if SHARE_ALIKE in earlier and licence != SHARE_ALIKE:
        message = (
            "Une adaptation d'une ressource sous CC BY-SA 4.0 reste sous CC BY-SA 4.0 "
            "(partage dans les mêmes conditions)."
        )
        raise UnprocessableError(message, errors=[{"key": "licence", "message": message}])
    if earlier & ATTRIBUTION and licence == "CC0-1.0":
        message = (
            "Une adaptation d'une ressource dont la licence exige l'attribution ne peut pas "
            "être versée dans le domaine public (CC0)."
        )
        raise UnprocessableError(message, errors=[{"key": "licence", "message": message}])


def shown_author(author: Author, *, show_name: bool) -> Contributor:
    """The author as pages, exports and OAI-PMH show them. When the name is not shown, it is
    not written anywhere: the establishment stands for it."""
    establishment = author.establishment_name
    if show_name and author.display_name.strip():
        return Contributor(
            role="author", name=author.display_name.strip(), organisation=establishment
        )
    return Contributor(role="author", name=establishment or ANONYMOUS_AUTHOR)


def _contributors(author: Contributor, chain: list[Credit]) -> list[Contributor]:
    contributors = [author]
    for credit in chain:
        for name in credit.authors:
            credited = Contributor(role=ORIGINAL_AUTHOR_ROLE, name=name)
            if credited not in contributors:
                contributors.append(credited)
    return contributors


def _resource_draft(
    content: CommunDraft, state: State, contributors: list[Contributor]
) -> ResourceDraft:
    licence = LICENCES[content.licence]
    return ResourceDraft(
        title=content.title,
        description=content.description,
        keywords=content.keywords,
        languages=[content.language],
        resource_types=content.resource_types,
        pedagogical_types=content.pedagogical_types,
        levels=content.levels,
        disciplines=content.disciplines,
        rights=f"{licence.label} {licence.url}",
        access_url=content.link,
        contributors=contributors,
        status=_RESOURCE_STATUS[state],
    )


def _teacher(principal: Principal) -> UUID:
    person = principal.person_id
    if person is None or not principal.has(Role.TEACHER):
        raise ForbiddenError("Réservé aux enseignants.")
    return person


def _moderates(principal: Principal, academie: str | None) -> bool:
    if principal.kind != "person":
        return False
    if principal.has(Role.NATIONAL_ADMIN):
        return True
    return (
        principal.has(Role.ACADEMIE_ADMIN)
        and academie is not None
        and principal.academie == academie
    )


def _may_read(principal: Principal, stored: StoredCommun) -> bool:
    return (
        stored.state == State.VISIBLE
        or principal.person_id == stored.author_id
        or _moderates(principal, stored.academie)
    )


class CommunService:
    """Communs over HTTP (the API and the pages make one call each)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        vocab: VocabularyIndex,
        storage: FileStorage,
        *,
        max_file_bytes: int,
        max_resource_bytes: int,
        reports_per_hour: int = REPORTS_PER_HOUR,
    ) -> None:
        self._pool = pool
        self._vocab = vocab
        self._storage = storage
        self._max_file = max_file_bytes
        self._max_resource = max_resource_bytes
        self._reports_per_hour = reports_per_hour

    async def add_file(
        self,
        principal: Principal,
        resource_id: UUID,
        name: str,
        chunks: AsyncIterable[bytes],
    ) -> FileView:
        """A file streamed to the storage as it comes, then recorded (a file of the same name
        is replaced). Too large, empty or of a type communs do not take: a 422 naming it, and
        nothing kept."""
        person = _teacher(principal)
        name = check_name(name)
        async with self._pool.acquire() as conn:
            stored = await repository.commun_by_id(conn, resource_id)
            if stored is None or stored.author_id != person:
                raise NotFoundError(_NOT_FOUND)
            used = await repository.files_size(conn, resource_id)
        upload = Upload(name, chunks, max_file=self._max_file, room=self._max_resource - used)
        key = f"communs/{resource_id}/{uuid4()}"
        await self._storage.put(key, upload.stream())
        try:
            saved = await self._record_file(resource_id, upload, key)
        except BaseException:
            await self._storage.delete(key)
            raise
        if saved.replaced_key:
            await self._storage.delete(saved.replaced_key)
        log.info("commun file stored", commun=str(resource_id), file=str(saved.id), size=saved.size)
        return FileView(
            id=saved.id,
            name=saved.name,
            media_type=saved.media_type,
            size=saved.size,
            sha256=saved.sha256,
            created_at=saved.created_at,
        )

    async def _record_file(self, resource_id: UUID, upload: Upload, key: str) -> SavedFile:
        """The stored file recorded, unless the commun went meanwhile or its files now pass
        the limit (another upload finished first)."""
        assert upload.media_type is not None  # the stream refuses an untyped file
        async with self._pool.acquire() as conn, conn.transaction():
            if await repository.lock_commun(conn, resource_id) is None:
                raise NotFoundError(_NOT_FOUND)
            saved = await repository.insert_file(
                conn,
                resource_id,
                name=upload.name,
                media_type=upload.media_type,
                size=upload.size,
                sha256=upload.sha256,
                storage_key=key,
            )
            if await repository.files_size(conn, resource_id) > self._max_resource:
                raise upload.refused(
                    "dépasse la taille maximale des fichiers d'une ressource "
                    f"({self._max_resource} octets)"
                )
        return saved

    async def file(self, principal: Principal, resource_id: UUID, file_id: UUID) -> StoredFile:
        """A file of a commun the caller may read (404 otherwise)."""
        async with self._pool.acquire() as conn:
            await self._readable(conn, principal, resource_id)
            found = await repository.file(conn, resource_id, file_id)
        if found is None:
            raise NotFoundError("Fichier introuvable.")
        return found

    def read_file(self, found: StoredFile, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of a file ``file`` returned."""
        return self._storage.read(found.storage_key, start, end)

    def _check(self, draft: CommunDraft, chain: list[Credit]) -> None:
        check_licence(draft.licence, chain)
        check_concepts(_resource_draft(draft, State.PENDING, []), self._vocab)

    async def publish(
        self, principal: Principal, draft: CommunDraft, *, based_on: UUID | None = None
    ) -> CommunView:
        """A new commun, or an adaptation of ``based_on``. A teacher's first publication waits
        for an administrator's review; later ones are visible at once."""
        person = _teacher(principal)
        async with self._pool.acquire() as conn, conn.transaction():
            chain: list[Credit] = []
            if based_on is not None:
                original = await repository.commun_by_id(conn, based_on)
                if original is None or not _may_read(principal, original):
                    raise NotFoundError(_NOT_FOUND)
                chain = [
                    Credit(
                        resource_id=original.id,
                        title=original.content.title,
                        authors=await repository.authors_shown(conn, original.id),
                        licence=original.licence,
                    ),
                    *original.credits,
                ]
            self._check(draft, chain)
            author = await repository.author(conn, person)
            if author is None:
                raise ForbiddenError("Réservé aux enseignants.")
            state = State.VISIBLE if await repository.has_visible(conn, person) else State.PENDING
            contributors = _contributors(shown_author(author, show_name=draft.show_name), chain)
            saved = await save_resource(
                conn,
                self._vocab,
                COMMUNS_PUBLISHER,
                _resource_draft(draft, state, contributors),
                Provenance(connector=COMMUN_CONNECTOR),
            )
            new = NewCommun(
                id=saved.id,
                author=author,
                show_name=draft.show_name,
                licence=draft.licence,
                based_on=based_on,
                credits=chain,
                state=state,
            )
            await repository.insert_commun(conn, new, draft)
            log.info("commun published", commun=str(saved.id), state=state, adapted=bool(based_on))
            return await self._view(conn, saved.id)

    async def edit(self, principal: Principal, resource_id: UUID, draft: CommunDraft) -> CommunView:
        """A new version; the earlier ones stay readable. Its state does not change."""
        person = _teacher(principal)
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await repository.lock_commun(conn, resource_id)
            if stored is None or stored.author_id != person:
                raise NotFoundError(_NOT_FOUND)
            self._check(draft, stored.credits)
            author = await repository.author(conn, person)
            assert author is not None  # the author of a stored commun is a person
            contributors = _contributors(
                shown_author(author, show_name=draft.show_name), stored.credits
            )
            await save_resource(
                conn,
                self._vocab,
                COMMUNS_PUBLISHER,
                _resource_draft(draft, State(stored.state), contributors),
                Provenance(connector=COMMUN_CONNECTOR),
                resource_id=resource_id,
            )
            await repository.update_commun(conn, stored, author, draft)
            log.info("commun edited", commun=str(resource_id), version=stored.version + 1)
            return await self._view(conn, resource_id)

    async def read(self, principal: Principal, resource_id: UUID) -> CommunView:
        async with self._pool.acquire() as conn:
            await self._readable(conn, principal, resource_id)
            return await self._view(conn, resource_id)

    async def versions(self, principal: Principal, resource_id: UUID) -> list[VersionSummary]:
        async with self._pool.acquire() as conn:
            await self._readable(conn, principal, resource_id)
            return await repository.versions(conn, resource_id)

    async def version(self, principal: Principal, resource_id: UUID, number: int) -> CommunVersion:
        async with self._pool.acquire() as conn:
            await self._readable(conn, principal, resource_id)
            found = await repository.version(conn, resource_id, number)
        if found is None:
            raise NotFoundError("Version introuvable.")
        return found

    async def own(self, principal: Principal) -> list[OwnCommun]:
        """ "Mes publications": the author's communs, with the last decision on each."""
        person = _teacher(principal)
        async with self._pool.acquire() as conn:
            return await repository.own_communs(conn, person, MAX_LISTED)

    async def report(self, principal: Principal, resource_id: UUID, new: NewReport) -> Report:
        """Anyone signed in reports a commun they can see; at most ``reports_per_hour``."""
        person = principal.person_id
        if person is None:
            raise ForbiddenError("Réservé aux personnes connectées.")
        async with self._pool.acquire() as conn, conn.transaction():
            await self._readable(conn, principal, resource_id)
            if (
                await repository.reports_since(conn, person, REPORT_WINDOW)
                >= self._reports_per_hour
            ):
                raise TooManyRequestsError(
                    "Trop de signalements en une heure : réessayez plus tard.",
                    retry_after_s=3600,
                )
            report = await repository.insert_report(
                conn, resource_id, person, str(new.reason), new.text
            )
        log.info("commun reported", commun=str(resource_id), reason=str(new.reason))
        return report

    async def queue(self, principal: Principal) -> list[QueueEntry]:
        """Communs awaiting their first review and reported ones, in the administrator's
        académie (every académie for a national administrator)."""
        if principal.has(Role.NATIONAL_ADMIN):
            academie = None
        elif principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
            academie = principal.academie
        else:
            raise ForbiddenError("Réservé aux administrateurs d'académie.")
        async with self._pool.acquire() as conn:
            waiting = await repository.moderation_queue(conn, academie, MAX_LISTED)
            return [
                QueueEntry(commun=c, reports=await repository.open_reports(conn, c.id))
                for c in waiting
            ]

    async def decide(self, principal: Principal, resource_id: UUID, new: NewDecision) -> Decision:
        """Approve, hide, restore or delete, logged; the open reports are closed."""
        moderator = principal.person_id
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await repository.lock_commun(conn, resource_id)
            if stored is None:
                raise NotFoundError(_NOT_FOUND)
            if moderator is None or not _moderates(principal, stored.academie):
                raise ForbiddenError("Réservé aux administrateurs de l'académie de l'auteur.")
            allowed, after = _TRANSITIONS[new.action]
            if State(stored.state) not in allowed:
                raise ConflictError(
                    f"Décision impossible : la ressource est dans l'état « {stored.state} »."
                )
            decision = await repository.insert_decision(
                conn, stored, moderator, str(new.action), new.reason
            )
            await repository.close_reports(conn, resource_id)
            keys: list[str] = []
            if after is None:
                keys = await repository.file_keys(conn, resource_id)
                await repository.delete_commun(conn, resource_id)
                await announce_changes(conn, [resource_id])
            else:
                await repository.set_state(conn, resource_id, after)
                await self._save_state(conn, stored, after)
        for key in keys:  # once the deletion is committed
            await self._storage.delete(key)
        log.info("commun moderated", commun=str(resource_id), action=str(new.action))
        return decision

    async def approve(self, principal: Principal, resource_id: UUID) -> ApprovalView:
        await self.decide(principal, resource_id, NewDecision(action=Action.APPROVE))
        return ApprovalView(id=resource_id, state=State.VISIBLE)

    async def _save_state(self, conn: Connection, stored: StoredCommun, state: State) -> None:
        """The resource's status follows the commun's state (the search index is told)."""
        contributors = await self._contributors_of(conn, stored)
        await save_resource(
            conn,
            self._vocab,
            COMMUNS_PUBLISHER,
            _resource_draft(stored.content, state, contributors),
            Provenance(connector=COMMUN_CONNECTOR),
            resource_id=stored.id,
        )

    async def _contributors_of(self, conn: Connection, stored: StoredCommun) -> list[Contributor]:
        author = await repository.author(conn, stored.author_id)
        assert author is not None  # the author of a stored commun is a person
        return _contributors(shown_author(author, show_name=stored.show_name), stored.credits)

    async def _readable(
        self, conn: Connection, principal: Principal, resource_id: UUID
    ) -> StoredCommun:
        stored = await repository.commun_by_id(conn, resource_id)
        if stored is None or not _may_read(principal, stored):
            raise NotFoundError(_NOT_FOUND)
        return stored

    async def _view(self, conn: Connection, resource_id: UUID) -> CommunView:
        stored = await repository.commun_by_id(conn, resource_id)
        if stored is None:
            raise NotFoundError(_NOT_FOUND)
        content = stored.content
        return CommunView(
            id=stored.id,
            version=stored.version,
            state=State(stored.state),
            title=content.title,
            description=content.description,
            levels=self._labelled(content.levels),
            disciplines=self._labelled(content.disciplines),
            resource_types=self._labelled(content.resource_types),
            pedagogical_types=self._labelled(content.pedagogical_types),
            language=content.language,
            keywords=content.keywords,
            link=content.link,
            licence=LICENCES[stored.licence],
            authors=await repository.authors_shown(conn, resource_id),
            show_name=stored.show_name,
            based_on=stored.based_on,
            credits=stored.credits,
            free=True,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            files=await repository.files(conn, resource_id),
        )

    def _labelled(self, uris: list[str]) -> list[Labelled]:
        return [Labelled(uri, self._vocab.label(uri)) for uri in uris]


Communs: TypeAlias = NamedDependency[CommunService]
"""The communs' use cases (``communs``), as handlers ask for them."""
