"""The Tantivy backend: a search index embedded in each process, kept in CATALOGUE_DATA_DIR.

The index lives in ``<data dir>/search-index``: ``current`` is a symbolic link to one
generation (``gen-<nanoseconds>``); ``catalogue index rebuild`` writes a new generation beside
it and swaps the link (``Path.replace``, atomic). The job worker is the only writer: it takes the
index's writer lock for each batch of the outbox (waiting while another holds it) and commits
before the outbox rows are deleted, so a worker killed at any point leaves the rows of any
change not committed. After each commit it sends a PostgreSQL notice; every serving process
then reloads its reader (``reload``).

Searches run in a thread of their own (SEARCH_THREADS), never in the event loop: the binding
releases the GIL while Tantivy searches and aggregates, so the event loop goes on serving
meanwhile (bench/search.py measures it).

French analysis: simple tokenizer, lower case, French stop words (and the elided articles,
"l'" and "d'"), ASCII folding (accents, and "œ" to "oe"), Snowball French stemmer. Typos:
fuzzy terms on the unstemmed folded words, distance 1 from 5 letters and 2 from 9. A word
matched as typed (stemmed) weighs more than any number of typo matches; when no document has
every word, the last words are dropped one by one, as the other backends do.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html
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
    FacetField,
    Hit,
    SearchDocument,
    SearchQuery,
    Sort,
)
from catalogue.shipped import schemas_dir

log = structlog.get_logger(__name__)
T = TypeVar("T")

FRENCH = "catalogue_fr"  # stemmed: what a word matches as typed
FOLDED = "catalogue_folded"  # not stemmed: what typo tolerance compares
ELIDED = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
FIELDS: dict[FacetField, str] = {
    FacetField.DISCIPLINE: "disciplines",
    FacetField.LEVEL: "levels",
    FacetField.RESOURCE_TYPE: "resource_types",
    FacetField.PEDAGOGICAL_TYPE: "pedagogical_types",
    FacetField.PUBLISHER: "publisher_id",
    FacetField.FREE: "free",
    FacetField.LICENCE_TYPE: "licence_types",
    FacetField.ACCESSIBILITY: "accessibility",
    FacetField.LANGUAGE: "languages",
    FacetField.AUDIENCE: "audiences",
}
TITLE_BOOST = 2.0
# Each query word matched as typed adds EXACT_BONUS: a document with more words as typed
# ranks above one matching them only through typos, whatever BM25 says of either.
EXACT_BONUS = 1000.0
TYPO_SCORE = 0.001
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
MAX_DROPPED_WORDS = 4
SNIPPET_CHARS = 200
FACET_VALUES = 1000
WRITER_HEAP = 32_000_000
REBUILD_HEAP = 256_000_000
# Searches run in one thread per process, in turn. The binding releases the GIL inside
# Tantivy's own work, but each search also runs Python (building the query, reading the hits):
# with several search threads they queue for the GIL at each return from Tantivy, and 16
# concurrent searches went from 237 to 150 queries/s with 4 threads (bench notes in
# docs/benchmarks.md). One thread leaves the other core to the event loop; more processes
# (`serve --workers N`) use more cores.
SEARCH_THREADS = 1
CURRENT = "current"
GENERATION = "gen-"


class _Stored(msgspec.Struct, array_like=True):
    """What a hit shows, stored with the document (the snippet is made at search time)."""

    id: UUID
    title: str
    publisher_id: UUID
    publisher_name: str
    levels_tagged: list[str]
    disciplines_tagged: list[str]
    min_price_cents: int
    free: bool
    thumbnail_url: str | None
    licence_types: list[str]


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(_Stored).decode


@functools.cache
def stop_words() -> list[str]:
    lines = (schemas_dir() / "search" / "stopwords-fr.txt").read_text(encoding="utf-8")
    return [*(w for line in lines.splitlines() if (w := line.strip())), *ELIDED]


def _analyzer(*, stemmed: bool) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.custom_stopword(stop_words()))
        .filter(tantivy.Filter.ascii_fold())
    )
    if stemmed:
        builder = builder.filter(tantivy.Filter.stemmer("french"))
    return builder.build()


@functools.cache
def analyzers() -> tuple[tantivy.TextAnalyzer, tantivy.TextAnalyzer]:
    """The stemmed analyzer and the folded one."""
    return _analyzer(stemmed=True), _analyzer(stemmed=False)


@functools.cache
def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", tokenizer_name=FRENCH, index_option="freq")
    # Every searchable field (title, keywords, concept labels, description, publisher).
    builder.add_text_field("body", tokenizer_name=FRENCH, index_option="freq")
    builder.add_text_field("description", stored=True, tokenizer_name=FRENCH, index_option="basic")
    builder.add_text_field("words", tokenizer_name=FOLDED, index_option="basic")
    for name in FIELDS.values():
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("min_price_cents", indexed=True, fast=True)
    builder.add_integer_field("published_at", indexed=True, fast=True)
    builder.add_bytes_field("hit", stored=True)
    return builder.build()


def open_index(path: Path) -> tantivy.Index:
    index = tantivy.Index(schema(), path=str(path))
    stemmed, folded = analyzers()
    index.register_tokenizer(FRENCH, stemmed)
    index.register_tokenizer(FOLDED, folded)
    index.config_reader("Manual", 1)  # reloaded on the worker's notice (see reload())
    return index


def as_tantivy(document: SearchDocument) -> tantivy.Document:
    searchable = [
        document.title,
        *document.keywords,
        *document.concept_labels,
        document.description,
        document.publisher_name,
    ]
    stored = _Stored(
        id=document.id,
        title=document.title,
        publisher_id=document.publisher_id,
        publisher_name=document.publisher_name,
        levels_tagged=document.levels_tagged,
        disciplines_tagged=document.disciplines_tagged,
        min_price_cents=document.min_price_cents,
        free=document.free,
        thumbnail_url=document.thumbnail_url,
        licence_types=document.licence_types,
    )
    values: dict[str, Any] = {
        "id": str(document.id),
        "title": document.title,
        "body": searchable,
        "description": document.description,
        "words": searchable,
        "disciplines": document.disciplines,
        "levels": document.levels,
        "resource_types": document.resource_types,
        "pedagogical_types": document.pedagogical_types,
        "publisher_id": str(document.publisher_id),
        "free": "true" if document.free else "false",
        "licence_types": document.licence_types,
        "accessibility": document.accessibility,
        "languages": document.languages,
        "audiences": document.audiences,
        "min_price_cents": document.min_price_cents,
        "published_at": document.published_at,
        "hit": _encode(stored),
    }
    return tantivy.Document.from_dict({k: v for k, v in values.items() if v != []}, schema())


# Queries -----------------------------------------------------------------------------------


def _should(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _must(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _word(term: str) -> tantivy.Query:
    """One stemmed word, in the title (weighing more) or anywhere."""
    return _should(
        [
            tantivy.Query.boost_query(
                tantivy.Query.term_query(schema(), "title", term, index_option="freq"),
                TITLE_BOOST,
            ),
            tantivy.Query.term_query(schema(), "body", term, index_option="freq"),
        ]
    )


def typo_distance(word: str) -> int:
    """Meilisearch's rule: no typo below 5 letters, one from 5, two from 9."""
    return 2 if len(word) >= TWO_TYPOS_FROM else 1 if len(word) >= ONE_TYPO_FROM else 0


class Group(msgspec.Struct, frozen=True):
    """One query word with its synonyms: each alternative's stemmed terms (all needed), and
    the folded word that typos are measured against (single words only)."""

    alternatives: tuple[tuple[str, ...], ...]
    folded: str | None


def analysed_groups(groups: Sequence[Sequence[str]]) -> list[Group]:
    """The query's groups as the index's terms; a group of stop words only is left out."""
    stemmed, folded = analyzers()
    found = []
    for group in groups:
        alternatives = tuple(
            dict.fromkeys(terms for alt in group if (terms := tuple(stemmed.analyze(alt))))
        )
        if not alternatives:
            continue
        words = folded.analyze(group[0]) if len(group) == 1 else []
        found.append(Group(alternatives, words[0] if len(words) == 1 else None))
    return found


def _group_query(group: Group) -> tantivy.Query:
    exact = _should([_must([_word(term) for term in alt]) for alt in group.alternatives])
    parts = [tantivy.Query.const_score_query(exact, EXACT_BONUS), exact]
    if group.folded and (distance := typo_distance(group.folded)):
        fuzzy = tantivy.Query.fuzzy_term_query(schema(), "words", group.folded, distance)
        parts.append(tantivy.Query.const_score_query(fuzzy, TYPO_SCORE))
    return _should(parts)


def _filters(filters: dict[FacetField, tuple[str, ...]]) -> list[tantivy.Query]:
    return [
        tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(schema(), FIELDS[field], list(values)), 0.0
        )
        for field, values in filters.items()
        if values
    ]


def compose(query: SearchQuery, groups: Sequence[Group]) -> tantivy.Query:
    parts = [*(_group_query(g) for g in groups), *_filters(query.filters)]
    return _must(parts) if parts else tantivy.Query.all_query()


def _snippet_query(groups: Sequence[Group]) -> tantivy.Query | None:
    terms = {term for group in groups for alt in group.alternatives for term in alt}
    queries = [
        tantivy.Query.term_query(schema(), "description", t, index_option="basic")
        for t in sorted(terms)
    ]
    return _should(queries) if queries else None


def marked(fragment: str, ranges: Sequence[tuple[int, int]]) -> str:
    """The fragment escaped, each highlighted byte range inside <mark></mark>."""
    raw = fragment.encode()
    out, at = [], 0
    for start, end in sorted(ranges):
        if start < at:
            continue
        out.append(html.escape(raw[at:start].decode(errors="ignore")))
        out.append("<mark>" + html.escape(raw[start:end].decode(errors="ignore")) + "</mark>")
        at = end
    out.append(html.escape(raw[at:].decode(errors="ignore")))
    return "".join(out)


_ORDER: dict[Sort, tuple[str, tantivy.Order]] = {
    Sort.PRICE_ASC: ("min_price_cents", tantivy.Order.Asc),
    Sort.PRICE_DESC: ("min_price_cents", tantivy.Order.Desc),
    Sort.NEWEST: ("published_at", tantivy.Order.Desc),
}


def run_search(searcher: tantivy.Searcher, query: SearchQuery) -> BackendResult:
    """One search on one searcher (a consistent set of segments), in the calling thread."""
    groups = analysed_groups(query.groups) if query.text else []
    found = _page(searcher, query, groups)
    for _ in range(MAX_DROPPED_WORDS):
        if _total(found) or len(groups) < 2:
            break
        groups = groups[:-1]
        found = _page(searcher, query, groups)
    compiled = compose(query, groups)
    return BackendResult(
        hits=_hits(searcher, found.hits, _snippet_query(groups)),
        total=_total(found),
        facets=facet_counts(searcher, compiled, query.facets),
    )


def _total(found: tantivy.SearchResult) -> int:
    """The number of matches (searched with count=True; the binding's stub omits it)."""
    count: int = found.count  # type: ignore[attr-defined]
    return count


def _page(
    searcher: tantivy.Searcher, query: SearchQuery, groups: Sequence[Group]
) -> tantivy.SearchResult:
    compiled = compose(query, groups)
    offset = (query.page - 1) * query.per_page
    order = _ORDER.get(query.sort)
    if order is None and not groups:
        order = _ORDER[Sort.NEWEST]  # nothing to rank: the newest first, as PostgreSQL
    if order is None:
        return searcher.search(compiled, query.per_page, count=True, offset=offset)
    field, direction = order
    return searcher.search(
        compiled,
        query.per_page,
        count=True,
        order_by_field=field,
        offset=offset,
        order=direction,
    )


def _hits(
    searcher: tantivy.Searcher, found: list[tuple[Any, Any]], snippet_query: tantivy.Query | None
) -> list[Hit]:
    generator = None
    if snippet_query is not None and found:
        generator = tantivy.SnippetGenerator.create(
            searcher, snippet_query, schema(), "description"
        )
        generator.set_max_num_chars(SNIPPET_CHARS)
    hits = []
    for _, address in found:
        document = searcher.doc(address)
        stored = _stored(document)
        description = document.get_first("description") or ""
        snippet = html.escape(description[:SNIPPET_CHARS])
        if generator is not None:
            cut = generator.snippet_from_doc(document)
            if cut.fragment():
                snippet = marked(cut.fragment(), [(r.start, r.end) for r in cut.highlighted()])
        hits.append(Hit(**msgspec.structs.asdict(stored), snippet=snippet))
    return hits


def facet_counts(
    searcher: tantivy.Searcher, compiled: tantivy.Query, asked: Sequence[FacetField]
) -> dict[FacetField, dict[str, int]]:
    if not asked:
        return {}
    spec = {
        field.value: {"terms": {"field": FIELDS[field], "size": FACET_VALUES}} for field in asked
    }
    found = searcher.aggregate(compiled, spec)
    return {
        field: {
            str(bucket["key"]): int(bucket["doc_count"])
            for bucket in found.get(field.value, {}).get("buckets", [])
        }
        for field in asked
    }


def indexed_ids(searcher: tantivy.Searcher) -> list[UUID]:
    """Every document's id (tests and checks; the whole index in memory)."""
    found = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1)).hits
    return [_stored(searcher.doc(address)).id for _, address in found]


def _stored(document: tantivy.Document) -> _Stored:
    raw = document.get_first("hit")
    if not isinstance(raw, bytes):
        raise UpstreamUnavailableError("Tantivy: a document without its stored hit")
    return _decode(raw)


# The index on disk ---------------------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    link = root / CURRENT
    return root / link.readlink() if link.is_symlink() else None


def _new_generation(root: Path) -> Path:
    path = root / f"{GENERATION}{time.time_ns()}"
    path.mkdir(parents=True)
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


class TantivyBackend:
    """An index in ``root``: searches in this backend's search thread, writes (the worker
    only) in a thread of their own that may wait for the writer lock."""

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

    # Reading --------------------------------------------------------------------------------

    async def prepare(self) -> None:
        await self._in_thread(self._prepare)

    def _prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if current_generation(self.root) is None:
            generation = _new_generation(self.root)
            open_index(generation)  # an empty index
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
            if reader is None or reader.generation != generation:
                index = open_index(generation)
                reader = _Reader(generation, index, index.searcher())
            else:
                reader.index.reload()
                reader = _Reader(generation, reader.index, reader.index.searcher())
        except (OSError, ValueError) as exc:
            log.warning("search index reload failed", error=str(exc))
            return
        self._reader = reader

    def generation(self) -> Path | None:
        """The generation this process reads (None before the first reload)."""
        return self._reader.generation if self._reader else None

    def searcher(self) -> tantivy.Searcher:
        if self._reader is None:
            self.reload()
        if self._reader is None:
            raise UpstreamUnavailableError("Tantivy: no index (run `catalogue index rebuild`)")
        return self._reader.searcher

    async def index_lines(self) -> list[str]:
        """``catalogue index status``'s lines about the index on disk."""
        engine = f"engine: Tantivy {importlib.metadata.version('tantivy')}"
        if current_generation(self.root) is None:
            return [engine, f"index: none yet in {self.root} (the worker or a rebuild makes it)"]
        searcher = await self._in_thread(self.searcher)
        return [engine, f"index: {self.generation()}", f"documents: {searcher.num_docs}"]

    def notice_handlers(self) -> dict[str, Callable[[str], None]]:
        """The PostgreSQL notices this backend listens to (see identity.listener)."""
        return {repository.INDEX_CHANGED: lambda _payload: self.reload()}

    async def search(self, query: SearchQuery) -> BackendResult:
        searcher = self.searcher()
        return await self._in_thread(run_search, searcher, query)

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
        writer = self._acquire(open_index(generation), WRITER_HEAP)
        try:
            for resource_id in removed:
                writer.delete_documents_by_term("id", str(resource_id))
            _add_all(writer, documents)
            writer.commit()
        finally:
            release(writer)

    def _acquire(self, index: tantivy.Index, heap: int, threads: int = 1) -> Any:
        """The index's writer, waited for while another process holds its lock (another
        worker's batch, or a rebuild); UpstreamUnavailableError after writer_wait_s, and the
        outbox keeps the changes for the next attempt. In a thread: it may wait."""
        deadline = time.monotonic() + self.writer_wait_s
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise UpstreamUnavailableError(f"Tantivy writer: {exc}") from exc
                time.sleep(0.05)

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
        """A new generation beside the current one, then the swap. The current index's
        writer lock is held meanwhile: the worker's batches wait (then fail and stay in the
        outbox), so no change is written to the old generation after it was read."""
        await self.prepare()
        old = current_generation(self.root)
        assert old is not None
        fresh = _new_generation(self.root)
        count = 0
        held = await _writing(self._acquire, open_index(old), WRITER_HEAP)
        try:
            writer = await _writing(self._acquire, open_index(fresh), REBUILD_HEAP, 2)
            try:
                async for batch in batches:
                    await _writing(_add_all, writer, batch)
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
    for document in documents:
        writer.add_document(as_tantivy(document))


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
