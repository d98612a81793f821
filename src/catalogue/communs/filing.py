"""A commun's files as use cases: uploads streamed to the file storage and recorded in the
current version, and files read back at any version."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import structlog

from catalogue.communs import repository
from catalogue.communs.files import Upload, check_name
from catalogue.communs.models import FileView
from catalogue.communs.repository import StoredFile
from catalogue.communs.rules import NOT_FOUND, readable, teacher
from catalogue.errors import NotFoundError
from catalogue.identity.models import Principal
from catalogue.storage import FileStorage

log = structlog.get_logger(__name__)


class CommunFiles:
    """Files of communs (``CommunService.files``)."""

    def __init__(
        self, pool: asyncpg.Pool, storage: FileStorage, *, max_file: int, max_resource: int
    ) -> None:
        self._pool = pool
        self._storage = storage
        self._max_file = max_file
        self._max_resource = max_resource

    async def add(
        self, principal: Principal, resource_id: UUID, name: str, chunks: AsyncIterable[bytes]
    ) -> FileView:
        """A file streamed to the storage as it comes, then recorded in the current version
        (a file of the same name uploaded at this version is replaced; one an earlier version
        had stays that version's). Too large, empty or of a type communs do not take: a 422
        naming it, and nothing kept."""
        person = teacher(principal)
        name = check_name(name)
        async with self._pool.acquire() as conn:
            stored = await repository.commun_by_id(conn, resource_id)
            if stored is None or stored.author_id != person:
                raise NotFoundError(NOT_FOUND)
            used = await repository.files_size(conn, resource_id)
        upload = Upload(name, chunks, max_file=self._max_file, room=self._max_resource - used)
        key = f"communs/{resource_id}/{uuid4()}"
        await self._storage.put(key, upload.stream())
        try:
            saved, replaced = await self._record(resource_id, upload, key)
        except BaseException:
            await self._storage.delete(key)
            raise
        for old in replaced:  # once the replacement is committed
            await self._storage.delete(old)
        log.info("commun file stored", commun=str(resource_id), file=str(saved.id), size=saved.size)
        return saved

    async def _record(
        self, resource_id: UUID, upload: Upload, key: str
    ) -> tuple[FileView, list[str]]:
        """The stored file recorded in the current version, unless the commun went meanwhile
        or its files now pass the limit (another upload finished first)."""
        assert upload.media_type is not None  # the stream refuses an untyped file
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await repository.lock_commun(conn, resource_id)
            if stored is None:
                raise NotFoundError(NOT_FOUND)
            replaced = await repository.make_room_for(
                conn, resource_id, upload.name, stored.version
            )
            saved = await repository.insert_file(
                conn,
                resource_id,
                name=upload.name,
                media_type=upload.media_type,
                size=upload.size,
                sha256=upload.sha256,
                storage_key=key,
                version=stored.version,
            )
            if await repository.files_size(conn, resource_id) > self._max_resource:
                raise upload.refused(
                    "dépasse la taille maximale des fichiers d'une ressource "
                    f"({self._max_resource} octets)"
                )
        return saved, replaced

    async def find(self, principal: Principal, resource_id: UUID, file_id: UUID) -> StoredFile:
        """A file, of any version, of a commun the caller may read (404 otherwise)."""
        async with self._pool.acquire() as conn:
            await readable(conn, principal, resource_id)
            found = await repository.file(conn, resource_id, file_id)
        if found is None:
            raise NotFoundError("Fichier introuvable.")
        return found

    def read(self, found: StoredFile, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of a file ``find`` returned."""
        return self._storage.read(found.storage_key, start, end)
