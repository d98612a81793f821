"""The communs' use cases, each one unit of work on the pool: publishing, editing (a new
version each time), adapting and reading here; files in ``filing.py``, reports and decisions
in ``moderation.py``, the rules they share in ``rules.py``.

A commun is a resource of the platform's publisher "Communs numériques" (``COMMUNS_PUBLISHER``),
saved through ``resources.service.save_resource``: search, OAI-PMH and the ScoLOMFR export carry
it like any resource. Its authorship is written on the resource as its contributors, already as
shown: the author's display name only when they chose to show it, else their establishment.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import TypeAlias
from uuid import UUID

import asyncpg
import structlog
from litestar.di import NamedDependency

from catalogue.communs import repository
from catalogue.communs.filing import CommunFiles, Incoming
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
from catalogue.communs.moderation import (
    MAX_LISTED,
    REPORTS_PER_HOUR,
    CommunModeration,
    NewDecision,
    NewReport,
    QueueEntry,
)
from catalogue.communs.repository import (
    COMMUN_CONNECTOR,
    COMMUNS_PUBLISHER,
    Author,
    Decision,
    NewCommun,
    Report,
    StoredFile,
)
from catalogue.communs.rules import (
    NOT_FOUND,
    check_files_or_link,
    check_licence,
    contributors,
    may_read,
    readable,
    resource_draft,
    shown_author,
    teacher,
)
from catalogue.database import Connection
from catalogue.errors import ConflictError, ForbiddenError, NotFoundError
from catalogue.identity.models import Principal
from catalogue.resources.models import Labelled, Provenance
from catalogue.resources.publishing import check_concepts
from catalogue.resources.service import save_resource
from catalogue.storage import FileStorage
from catalogue.vocabularies.index import VocabularyIndex

log = structlog.get_logger(__name__)


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
        self.files = CommunFiles(
            pool, storage, max_file=max_file_bytes, max_resource=max_resource_bytes
        )
        self.moderation = CommunModeration(pool, vocab, storage, reports_per_hour=reports_per_hour)

    def _check(self, draft: CommunDraft, chain: list[Credit], *, has_files: bool) -> None:
        check_licence(draft.licence, chain)
        check_files_or_link(draft, has_files=has_files)
        check_concepts(resource_draft(draft, State.PENDING, []), self._vocab)

    async def publish(
        self,
        principal: Principal,
        draft: CommunDraft,
        *,
        based_on: UUID | None = None,
        files: AsyncIterable[Incoming] | None = None,
    ) -> CommunView:
        """A new commun, or an adaptation of ``based_on``, with the files a form sends (or
        none). A teacher's first publication waits for an administrator's review; later ones
        are visible at once. Refused, nothing is kept: neither the commun nor a file."""
        person = teacher(principal)
        if files is not None:  # checked before a byte of a file is stored
            async with self._pool.acquire() as conn:
                await self._publishable(conn, principal, draft, based_on, has_files=True)
        async with (
            self.files.receiving(None, files, used=0) as staged,
            self._pool.acquire() as conn,
            conn.transaction(),
        ):
            chain, author = await self._publishable(
                conn, principal, draft, based_on, has_files=bool(staged)
            )
            state = State.VISIBLE if await repository.has_visible(conn, person) else State.PENDING
            credited = contributors(shown_author(author, show_name=draft.show_name), chain)
            saved = await save_resource(
                conn,
                self._vocab,
                COMMUNS_PUBLISHER,
                resource_draft(draft, state, credited),
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
            _, replaced = await self.files.record(conn, saved.id, staged, 1)
            view = await self._view(conn, saved.id)
        await self.files.forget(replaced)
        log.info(
            "commun published",
            commun=str(saved.id),
            state=state,
            adapted=bool(based_on),
            files=len(staged),
        )
        return view

    async def _publishable(
        self,
        conn: Connection,
        principal: Principal,
        draft: CommunDraft,
        based_on: UUID | None,
        *,
        has_files: bool,
    ) -> tuple[list[Credit], Author]:
        """The credit chain of the work adapted (none for an original), and the author, once
        the draft passes the rules (a 404 for an original the teacher may not read)."""
        chain: list[Credit] = []
        if based_on is not None:
            original = await repository.commun_by_id(conn, based_on)
            if original is None or not may_read(principal, original):
                raise NotFoundError(NOT_FOUND)
            chain = [
                Credit(
                    resource_id=original.id,
                    title=original.content.title,
                    authors=await repository.authors_shown(conn, original.id),
                    licence=original.licence,
                ),
                *original.credits,
            ]
        self._check(draft, chain, has_files=has_files)
        author = await repository.author(conn, teacher(principal))
        if author is None:
            raise ForbiddenError("Réservé aux enseignants.")
        return chain, author

    async def edit(
        self,
        principal: Principal,
        resource_id: UUID,
        draft: CommunDraft,
        *,
        files: AsyncIterable[Incoming] | None = None,
    ) -> CommunView:
        """A new version, which keeps the current files and adds those a form sends; the
        earlier versions stay readable with their files. Its state does not change. Refused,
        nothing is kept: neither the version nor a file."""
        person = teacher(principal)
        used = 0
        if files is not None:  # checked before a byte of a file is stored
            async with self._pool.acquire() as conn:
                stored = await repository.commun_by_id(conn, resource_id)
                if stored is None or stored.author_id != person:
                    raise NotFoundError(NOT_FOUND)
                self._check(draft, stored.credits, has_files=True)
                used = await repository.files_size(conn, resource_id)
        async with (
            self.files.receiving(resource_id, files, used=used) as staged,
            self._pool.acquire() as conn,
            conn.transaction(),
        ):
            locked = await repository.lock_commun(conn, resource_id)
            if locked is None or locked.author_id != person:
                raise NotFoundError(NOT_FOUND)
            has_files = bool(staged) or await repository.files_size(conn, resource_id) > 0
            self._check(draft, locked.credits, has_files=has_files)
            author = await repository.author(conn, person)
            assert author is not None  # the author of a stored commun is a person
            credited = contributors(shown_author(author, show_name=draft.show_name), locked.credits)
            await save_resource(
                conn,
                self._vocab,
                COMMUNS_PUBLISHER,
                resource_draft(draft, State(locked.state), credited),
                Provenance(connector=COMMUN_CONNECTOR),
                resource_id=resource_id,
            )
            await repository.update_commun(conn, locked, author, draft)
            _, replaced = await self.files.record(conn, resource_id, staged, locked.version + 1)
            view = await self._view(conn, resource_id)
        await self.files.forget(replaced)
        log.info("commun edited", commun=str(resource_id), version=view.version, files=len(staged))
        return view

    async def read(self, principal: Principal, resource_id: UUID) -> CommunView:
        async with self._pool.acquire() as conn:
            await readable(conn, principal, resource_id)
            return await self._view(conn, resource_id)

    async def versions(self, principal: Principal, resource_id: UUID) -> list[VersionSummary]:
        async with self._pool.acquire() as conn:
            await readable(conn, principal, resource_id)
            return await repository.versions(conn, resource_id)

    async def version(self, principal: Principal, resource_id: UUID, number: int) -> CommunVersion:
        """A version as it was, with the files it had."""
        async with self._pool.acquire() as conn:
            await readable(conn, principal, resource_id)
            found = await repository.version(conn, resource_id, number)
            if found is None:
                raise NotFoundError("Version introuvable.")
            found.files = await repository.version_files(conn, resource_id, number)
        return found

    async def own(self, principal: Principal) -> list[OwnCommun]:
        """ "Mes publications": the author's communs, with the last decision on each."""
        person = teacher(principal)
        async with self._pool.acquire() as conn:
            return await repository.own_communs(conn, person, MAX_LISTED)

    async def select(self, principal: Principal, resource_id: UUID, *, selected: bool) -> None:
        """ "Ajouter à mes ressources" (or remove it): a visible commun in the teacher's ENT
        médiacentre listing, free, with nothing to buy (404 for one they cannot see)."""
        person = teacher(principal)
        async with self._pool.acquire() as conn:
            stored = await readable(conn, principal, resource_id)
            if not selected:
                await repository.unselect_commun(conn, person, resource_id)
            elif stored.state != State.VISIBLE:
                raise ConflictError("Seul un commun visible s'ajoute à vos ressources.")
            else:
                await repository.select_commun(conn, person, resource_id)
        log.info("commun selected", commun=str(resource_id), selected=selected)

    # Files and moderation, as the handlers call them.
    async def add_file(
        self, principal: Principal, resource_id: UUID, name: str, chunks: AsyncIterable[bytes]
    ) -> FileView:
        return await self.files.add(principal, resource_id, name, chunks)

    async def file(self, principal: Principal, resource_id: UUID, file_id: UUID) -> StoredFile:
        return await self.files.find(principal, resource_id, file_id)

    def read_file(self, found: StoredFile, start: int, end: int) -> AsyncIterator[bytes]:
        return self.files.read(found, start, end)

    async def report(
        self, principal: Principal, resource_id: UUID, new: NewReport, *, offerings: bool = False
    ) -> Report:
        return await self.moderation.report(principal, resource_id, new, offerings=offerings)

    async def close_offering_reports(self, principal: Principal, resource_id: UUID) -> int:
        return await self.moderation.close_offering_reports(principal, resource_id)

    async def queue(self, principal: Principal) -> list[QueueEntry]:
        return await self.moderation.queue(principal)

    async def decide(self, principal: Principal, resource_id: UUID, new: NewDecision) -> Decision:
        return await self.moderation.decide(principal, resource_id, new)

    async def approve(self, principal: Principal, resource_id: UUID) -> ApprovalView:
        return await self.moderation.approve(principal, resource_id)

    async def _view(self, conn: Connection, resource_id: UUID) -> CommunView:
        stored = await repository.commun_by_id(conn, resource_id)
        if stored is None:
            raise NotFoundError(NOT_FOUND)
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
