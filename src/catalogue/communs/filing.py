"""A commun's files as use cases: uploads streamed to the file storage and recorded in the
current version (one by the API, or the files of a publish or edit form), and files read back
at any version."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from typing import NamedTuple, Protocol
from uuid import UUID, uuid4

import asyncpg
import structlog

from catalogue.communs import repository
from catalogue.communs.files import Upload, check_name
from catalogue.communs.models import FileView
from catalogue.communs.repository import StoredFile
from catalogue.communs.rules import NOT_FOUND, readable, teacher
from catalogue.database import Connection
from catalogue.errors import NotFoundError, UnprocessableError
from catalogue.identity.models import Principal
from catalogue.storage import FileStorage

log = structlog.get_logger(__name__)


class Incoming(Protocol):
    """A file as a form sends it: its name, then its bytes as they come."""

    @property
    def filename(self) -> str: ...

    @property
    def chunks(self) -> AsyncIterable[bytes]: ...


class Staged(NamedTuple):
    """A file in the storage, checked, that no version records yet."""

    upload: Upload
    key: str


async def _no_files() -> AsyncIterator[Incoming]:
    return
    yield


def _new_name(name: str, staged: list[Staged]) -> str:
    """The name of a form's next file (``check_name``), which no file before it has."""
    name = check_name(name)
    if name in {s.upload.name for s in staged}:
        message = f"Le fichier « {name} » est déposé deux fois."
        raise UnprocessableError(message, errors=[{"key": name, "message": message}])
    return name


class CommunFiles:
    """Files of communs (``CommunService.files``)."""

    def __init__(
        self, pool: asyncpg.Pool, storage: FileStorage, *, max_file: int, max_resource: int
    ) -> None:
        self._pool = pool
        self._storage = storage
        self._max_file = max_file
        self._max_resource = max_resource

    @property
    def max_file(self) -> int:
        """The largest file (bytes), ``CATALOGUE_COMMUN_MAX_FILE_BYTES``."""
        return self._max_file

    @property
    def max_resource(self) -> int:
        """The largest total of a commun's files, ``CATALOGUE_COMMUN_MAX_RESOURCE_BYTES``."""
        return self._max_resource

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
        staged = await self._store(resource_id, name, chunks, room=self._max_resource - used)
        try:
            saved, replaced = await self._record_one(resource_id, staged)
        except BaseException:
            await self._storage.delete(staged.key)
            raise
        await self.forget(replaced)  # once the replacement is committed
        log.info("commun file stored", commun=str(resource_id), file=str(saved.id), size=saved.size)
        return saved

    async def _record_one(self, resource_id: UUID, staged: Staged) -> tuple[FileView, list[str]]:
        """The stored file recorded in the current version, unless the commun went meanwhile
        or its files now pass the limit (another upload finished first)."""
        async with self._pool.acquire() as conn, conn.transaction():
            locked = await repository.lock_commun(conn, resource_id)
            if locked is None:
                raise NotFoundError(NOT_FOUND)
            [saved], replaced = await self.record(conn, resource_id, [staged], locked.version)
        return saved, replaced

    @asynccontextmanager
    async def receiving(
        self, resource_id: UUID | None, files: AsyncIterable[Incoming] | None, *, used: int
    ) -> AsyncIterator[list[Staged]]:
        """The files of a form, each streamed to the storage as it comes, against the same
        limits as ``add`` (the room a resource has left shrinks with each file); the block
        then records them. Should a file be refused, or the block fail, none is kept."""
        staged: list[Staged] = []
        try:
            async for incoming in files or _no_files():
                name = _new_name(incoming.filename, staged)
                room = self._max_resource - used - sum(s.upload.size for s in staged)
                staged.append(await self._store(resource_id, name, incoming.chunks, room=room))
            yield staged
        except BaseException:
            for done in staged:
                await self._storage.delete(done.key)
            raise

    async def record(
        self, conn: Connection, resource_id: UUID, staged: list[Staged], version: int
    ) -> tuple[list[FileView], list[str]]:
        """Stored files recorded in version ``version`` (the current one), in the caller's
        transaction, unless the commun's files then pass the limit (another upload finished
        first); the storage keys of files they replace, to ``forget`` once committed."""
        saved: list[FileView] = []
        replaced: list[str] = []
        for one in staged:
            upload = one.upload
            assert upload.media_type is not None  # the stream refuses an untyped file
            replaced += await repository.make_room_for(conn, resource_id, upload.name, version)
            saved.append(
                await repository.insert_file(
                    conn,
                    resource_id,
                    name=upload.name,
                    media_type=upload.media_type,
                    size=upload.size,
                    sha256=upload.sha256,
                    storage_key=one.key,
                    version=version,
                )
            )
        if staged and await repository.files_size(conn, resource_id) > self._max_resource:
            raise staged[-1].upload.refused(
                "dépasse la taille maximale des fichiers d'une ressource "
                f"({self._max_resource} octets)"
            )
        return saved, replaced

    async def forget(self, keys: list[str]) -> None:
        """Stored files no version records any more."""
        for key in keys:
            await self._storage.delete(key)

    async def _store(
        self, resource_id: UUID | None, name: str, chunks: AsyncIterable[bytes], *, room: int
    ) -> Staged:
        upload = Upload(name, chunks, max_file=self._max_file, room=room)
        key = f"communs/{resource_id or 'nouveaux'}/{uuid4()}"
        await self._storage.put(key, upload.stream())
        return Staged(upload, key)

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
