"""The Tantivy backend: a search index embedded in each process, kept in CATALOGUE_DATA_DIR.

The index lives in ``<data dir>/search-index``: ``current`` is a symbolic link to one
generation (``gen-<nanoseconds>``); ``catalogue index rebuild`` writes a new generation beside
it and swaps the link (``Path.replace``, atomic). The job worker is the only writer: it takes the
index's writer lock for each batch of the outbox (waiting while another holds it) and commits
before the outbox rows are deleted, so a worker killed at any point leaves the rows of any
change not committed. After each commit it sends a PostgreSQL notice; every serving process
then reloads its reader (``reload``).

Searches and their facet counts run in a thread of their own (SEARCH_THREADS): the binding
releases the GIL while Tantivy searches and aggregates (bench/search.py measures it). The
page's hits and snippets are read afterwards in the event loop: short calls, some of which
release the GIL, which in the thread would hand it back and forth with a busy loop.

What the index holds is `tantivy_layout`, how it is searched `tantivy_search`, the concepts'
labels `tantivy_concepts` (read from PostgreSQL once per process). Each generation records its
layout: a process reads and writes only generations of its own, and an index built by an
earlier version (another layout) answers nothing until ``catalogue index rebuild`` replaces
it (the worker does at its next drain, `search.outbox.drain`; the advice is in the log and
the status meanwhile). A generation of a later layout is left alone: a process of an earlier
version, during an upgrade, must not rebuild what the new one made.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import shutil
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
import structlog
import tantivy

from catalogue.errors import UpstreamUnavailableError
from catalogue.search import repository
from catalogue.search.models import (
    BackendName,
    BackendResult,
    OutdatedIndexError,
    SearchDocument,
    SearchQuery,
)
from catalogue.search.tantivy_concepts import NO_CONCEPTS, ConceptLexicon
from catalogue.search.tantivy_layout import (
    as_json,
    mark_layout,
    open_index,
    outdated,
)
from catalogue.search.tantivy_search import hits, match

log = structlog.get_logger(__name__)
T = TypeVar("T")
WRITER_HEAP = 32_000_000
REBUILD_HEAP = 256_000_000
REBUILD_THREADS = 2
ADD_CHUNK = 500  # documents a rebuild adds between two turns of the event loop
# Searches run in one thread per process, in turn: the binding releases the GIL inside Tantivy,
# but with several threads they queued for it at each return to Python (16 concurrent searches:
# 237 queries/s with one thread, 150 with 4; docs/benchmarks.md). More cores: `--workers N`.
SEARCH_THREADS = 1
CURRENT = "current"
GENERATION = "gen-"
UNBUILT = "catalogue-unbuilt"  # in a generation made empty at start, until a rebuild replaces it


# The index on disk ---------------------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    link = root / CURRENT
    return root / link.readlink() if link.is_symlink() else None


def _new_generation(root: Path) -> Path:
    path = root / f"{GENERATION}{time.time_ns()}"
    path.mkdir(parents=True)
    mark_layout(path)
    return path


def swap(root: Path, generation: Path) -> None:
    """Point ``current`` at ``generation`` in one rename: readers see the old or the new."""
    staged = root / f".{CURRENT}-{time.time_ns()}"
    staged.symlink_to(generation.name)
    staged.replace(root / CURRENT)


def remove_stale(root: Path, keep: Sequence[Path]) -> None:
    """Generations other than ``keep`` (the current one and the previous, which a process
    that has not reloaded yet may still read)."""
    kept = {path.name for path in keep}
    for path in root.glob(f"{GENERATION}*"):
        if path.name not in kept:
            shutil.rmtree(path, ignore_errors=True)


class _Reader(msgspec.Struct):
    generation: Path
    index: tantivy.Index
    searcher: tantivy.Searcher
    loaded_at: float  # wall clock (seconds), to compare with the index files' times


def _committed_at(generation: Path) -> float | None:
    """When the generation's last commit was written (Tantivy rewrites meta.json at each)."""
    try:
        return (generation / "meta.json").stat().st_mtime
    except OSError:
        return None


class TantivyBackend:
    """An index in ``root``: searches in the search thread, writes (the worker only) in a
    thread of their own."""

    name: BackendName = "tantivy"

    def __init__(
        self,
        root: Path,
        pool: asyncpg.Pool | None = None,
        *,
        search_threads: int = SEARCH_THREADS,
        writer_wait_s: float = 30.0,
    ) -> None:
        self.root = root
        self.pool = pool  # the notices after each commit; None: this process only
        self.writer_wait_s = writer_wait_s
        self._executor = ThreadPoolExecutor(search_threads, thread_name_prefix="tantivy")
        self._reader: _Reader | None = None
        self._refused: str | None = None  # why the current generation is not read
        self._lexicon: ConceptLexicon | None = None  # the concepts' labels (concepts())

    # Reading --------------------------------------------------------------------------------

    async def prepare(self) -> None:
        with contextlib.suppress(OSError, asyncpg.PostgresError):  # else at the first search
            await self.concepts()
        await self._in_thread(self._prepare)

    async def concepts(self) -> ConceptLexicon:
        """The concepts' labels (`tantivy_concepts`), read from the vocabularies once per
        process: at prepare(), or at the first search if the database was away then."""
        if self._lexicon is None and self.pool is not None:
            async with self.pool.acquire() as conn:
                concepts = await repository.concepts(conn)
            self._lexicon = await self._in_thread(ConceptLexicon, concepts)
        return self.lexicon

    @property
    def lexicon(self) -> ConceptLexicon:
        return self._lexicon or NO_CONCEPTS

    def _prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if current_generation(self.root) is None:
            generation = _new_generation(self.root)
            open_index(generation)  # an empty index, built from PostgreSQL by the worker first
            (generation / UNBUILT).touch()
            with contextlib.suppress(FileExistsError):  # another process made one meanwhile
                (self.root / CURRENT).symlink_to(generation.name)
            if current_generation(self.root) != generation:
                shutil.rmtree(generation, ignore_errors=True)
        self.reload()

    def reload(self) -> None:
        """See the last commit (and a swapped generation): on the worker's notice."""
        generation = current_generation(self.root)
        if generation is None:
            return
        reader = self._reader
        try:
            loaded_at = time.time()  # before reading: a commit written meanwhile counts unseen
            if reader is None or reader.generation != generation:
                index = open_index(generation)
                reader = _Reader(generation, index, index.searcher(), loaded_at)
            else:
                reader.index.reload()
                reader = _Reader(generation, reader.index, reader.index.searcher(), loaded_at)
        except UpstreamUnavailableError as exc:  # another layout's (tantivy_layout.open_index)
            self._refuse(exc.detail)
            return
        except (OSError, ValueError) as exc:
            log.warning("search index reload failed", error=str(exc))
            return
        self._reader, self._refused = reader, None

    def _refuse(self, reason: str) -> None:
        """The current generation is of another layout: searches answer why (logged once)."""
        if self._refused != reason:
            log.error("search index not read", error=reason)
        self._refused = reason

    def generation(self) -> Path | None:
        """The generation this process reads (None before the first reload)."""
        return self._reader.generation if self._reader else None

    def searcher(self) -> tantivy.Searcher:
        if self._reader is None or self._reader.generation != current_generation(self.root):
            self.reload()  # the first search, or a rebuild swapped in before its notice came
        if self._reader is None:
            if self._refused is not None:
                raise UpstreamUnavailableError(self._refused)
            raise UpstreamUnavailableError("Tantivy: no index (run `catalogue index rebuild`)")
        return self._reader.searcher

    async def index_lines(self) -> list[str]:
        """``catalogue index status``'s lines about the index on disk."""
        engine = f"engine: Tantivy {importlib.metadata.version('tantivy')}"
        generation = current_generation(self.root)
        if generation is None:
            return [engine, f"index: none yet in {self.root} (the worker or a rebuild makes it)"]
        if (reason := outdated(generation)) is not None:
            return [engine, f"index: {reason}"]
        if (generation / UNBUILT).exists():
            return [engine, f"index: {generation}, empty, built by the worker at its next drain"]
        searcher = await self._in_thread(self.searcher)
        return [engine, f"index: {self.generation()}", f"documents: {searcher.num_docs}"]

    def measures(self) -> dict[str, float]:
        """/metrics: this process's index (documents, generation time, reload age) and how
        long a commit on disk has waited unseen by it (0 when read: a notice missed shows)."""
        reader = self._reader
        if reader is None:
            return {"search_engine_up": 0.0}
        now = time.time()
        current = current_generation(self.root)
        committed = _committed_at(current) if current is not None else None
        unseen = current != reader.generation or (committed or 0.0) > reader.loaded_at
        return {
            "search_engine_up": 1.0,
            "search_engine_documents": float(reader.searcher.num_docs),
            "search_index_generation": int(reader.generation.name.removeprefix(GENERATION)) / 1e9,
            "search_index_reload_age_seconds": max(0.0, now - reader.loaded_at),
            "search_index_unseen_commit_seconds": (
                max(0.0, now - (committed or reader.loaded_at)) if unseen else 0.0
            ),
        }

    def notice_handlers(self) -> dict[str, Callable[[str], None]]:
        """The PostgreSQL notices this backend listens to (see identity.listener)."""
        return {repository.INDEX_CHANGED: lambda _payload: self.reload()}

    async def search(self, query: SearchQuery) -> BackendResult:
        """The search and its facets in the search thread; the page's hits read here (see
        ``tantivy_search.hits``)."""
        searcher, lexicon = self.searcher(), await self.concepts()
        found = await self._in_thread(match, searcher, query, lexicon)
        try:
            page = hits(searcher, found)
        except (OSError, ValueError) as exc:
            raise UpstreamUnavailableError(f"Tantivy: {exc}") from exc
        return BackendResult(hits=page, total=found.total, facets=found.facets)

    async def check(self) -> None:
        await self._in_thread(self.searcher)

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _in_thread(self, call: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, call, *args)
        except (OSError, ValueError) as exc:
            raise UpstreamUnavailableError(f"Tantivy: {exc}") from exc

    # Writing (the worker) -------------------------------------------------------------------

    async def upsert(self, documents: list[SearchDocument]) -> None:
        if documents:
            await self._write(documents, [document.id for document in documents])

    async def delete(self, ids: list[UUID]) -> None:
        if ids:
            await self._write([], ids)

    async def _write(self, documents: list[SearchDocument], removed: list[UUID]) -> None:
        if current_generation(self.root) is None:
            await self.prepare()
        await _writing(self._commit, documents, removed)
        self.reload()
        await self.notify()

    def _commit(self, documents: list[SearchDocument], removed: list[UUID]) -> None:
        generation = current_generation(self.root)
        assert generation is not None  # prepared just before
        index = open_index(generation)  # another layout's raises first
        if (generation / UNBUILT).exists():  # new, or switched to from another backend
            raise OutdatedIndexError(f"Tantivy: {generation} is not built yet: building it")
        writer = self._acquire(index, WRITER_HEAP)
        try:
            for resource_id in removed:
                writer.delete_documents_by_term("id", str(resource_id))
            _add_all(writer, documents)
            writer.commit()
        finally:
            release(writer)

    def _acquire(self, index: tantivy.Index, heap: int, threads: int = 1) -> Any:
        """The index's writer, waited for while another process holds its lock (a worker, a
        rebuild); UpstreamUnavailableError after writer_wait_s (the outbox keeps the changes)."""
        deadline = time.monotonic() + self.writer_wait_s
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise UpstreamUnavailableError(f"Tantivy writer: {exc}") from exc
                time.sleep(0.05)

    def _hold(self, generation: Path) -> Any:
        """The generation's writer lock, whatever its layout: a rebuild replaces an outdated
        one. In a thread: it may wait."""
        return self._acquire(tantivy.Index.open(str(generation)), WRITER_HEAP)

    async def notify(self) -> None:
        if self.pool is None:
            return
        try:
            async with self.pool.acquire() as conn:
                await repository.notify_index_changed(conn)
        except (OSError, asyncpg.PostgresError) as exc:
            # The commit stands; readers see it at their next notice or reconnection.
            log.warning("search index notice not sent", error=type(exc).__name__)

    async def rebuild(self, batches: AsyncIterator[list[SearchDocument]]) -> int:
        """A new generation beside the current one, then the swap; the current one's writer
        lock held meanwhile (the worker's batches wait, then stay in the outbox)."""
        await self.prepare()
        old = current_generation(self.root)
        assert old is not None
        fresh = _new_generation(self.root)
        count = 0
        held = await _writing(self._hold, old)
        try:
            writer = await _writing(self._acquire, open_index(fresh), REBUILD_HEAP, REBUILD_THREADS)
            try:
                async for batch in batches:
                    await _adding(writer, batch)
                    count += len(batch)
                await _writing(writer.commit)
            finally:
                await _writing(release, writer)
            swap(self.root, fresh)
        except BaseException:
            if current_generation(self.root) != fresh:
                shutil.rmtree(fresh, ignore_errors=True)
            raise
        finally:
            await _writing(release, held)
        remove_stale(self.root, [old, fresh])
        self.reload()
        await self.notify()
        log.info("search index rebuilt", generation=fresh.name, documents=count)
        return count


def _add_all(writer: Any, documents: list[SearchDocument]) -> None:
    """Each document as JSON: the binding parses it in Rust, no Python object per field."""
    add = writer.add_json
    for document in documents:
        add(as_json(document))


async def _adding(writer: Any, documents: list[SearchDocument]) -> None:
    """A rebuild's batch, added from the event loop's thread, ADD_CHUNK documents at a time
    with the loop let in between (its reader meanwhile takes the next rows): from a thread,
    the GIL went back and forth with the loop (slower, docs/benchmarks.md). ``add_json`` only
    queues the document for Tantivy's indexing threads. Only a rebuild runs it, never a search."""
    for start in range(0, len(documents), ADD_CHUNK):
        try:
            _add_all(writer, documents[start : start + ADD_CHUNK])
        except ValueError as exc:
            raise UpstreamUnavailableError(f"Tantivy: {exc}") from exc
        await asyncio.sleep(0)


def release(writer: Any) -> None:
    """Drop the writer and its lock; what it did not commit is lost (the outbox keeps it)."""
    writer.wait_merging_threads()


async def _writing(call: Callable[..., T], *args: Any) -> T:
    """A write in a thread of its own (it may wait for the writer lock): never in the
    searches' threads."""
    try:
        return await asyncio.to_thread(call, *args)
    except (OSError, ValueError) as exc:
        raise UpstreamUnavailableError(f"Tantivy: {exc}") from exc
