"""The Tantivy index's layout: its fields, their French analysis, a document as the index takes
it, and the layout's version. How the index is searched is `tantivy_search`; the index on
disk and the backend are `tantivy_index`.

Each text is analysed twice, once per analyzer, never more: stemmed (``title``, and ``body``
for the rest: keywords, description, publisher), and folded but not stemmed (``words``: every
text, what typo tolerance compares). The concepts' labels are not in the documents: each
concept's label is analysed once, in `tantivy_concepts`, and a query word found there matches
the documents carrying the concept. The description is stored once, in the
hit (``hit``, msgpack); snippets are made from it at search time with the ``body`` field's
analysis. Documents reach Tantivy as JSON (``as_json``), which the binding parses in Rust:
no Python object per field.

French analysis: simple tokenizer, lower case, French stop words (and the elided articles,
"l'" and "d'"), ASCII folding (accents, and "œ" to "oe"), Snowball French stemmer (stemmed
fields only).

``LAYOUT`` numbers this layout, analysis included: change the fields, an analyzer, the stop
words or what a document puts where, and raise it. Each generation records the layout it
was built with (``catalogue-layout``; none: layout 1, the first); a process opens only
generations of its own layout and asks for ``catalogue index rebuild`` otherwise.
"""

from __future__ import annotations

import functools
from pathlib import Path
from uuid import UUID

import msgspec
import tantivy

from catalogue.errors import UpstreamUnavailableError
from catalogue.search.models import (
    FACET_ATTRIBUTES,
    OutdatedIndexError,
    SearchDocument,
)
from catalogue.shipped import schemas_dir

LAYOUT = 3  # 3: the concepts' labels left out of the documents (tantivy_concepts)
LAYOUT_FILE = "catalogue-layout"
FRENCH = "catalogue_fr"  # stemmed: what a word matches as typed
FOLDED = "catalogue_folded"  # not stemmed: what typo tolerance compares
ELIDED = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
FIELDS = FACET_ATTRIBUTES
SNIPPET_FIELD = "body"  # the description is analysed in it: snippets take its terms


class Stored(msgspec.Struct, array_like=True):
    """What a hit shows, stored with the document, and the description its snippet is made
    from at search time."""

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
    description: str


class _Indexed(msgspec.Struct):
    """A document as JSON for ``IndexWriter.add_json``: the schema's field names."""

    id: UUID
    title: str
    body: list[str]
    words: list[str]
    disciplines: list[str]
    levels: list[str]
    resource_types: list[str]
    pedagogical_types: list[str]
    publisher_id: UUID
    free: str
    licence_types: list[str]
    accessibility: list[str]
    languages: list[str]
    audiences: list[str]
    commun: str
    min_price_cents: int
    published_at: int
    hit: bytes  # base64 in JSON, as Tantivy reads a bytes field


_encode_stored = msgspec.msgpack.Encoder().encode
decode_stored = msgspec.msgpack.Decoder(Stored).decode
_encode_json = msgspec.json.Encoder().encode


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
    # Every searchable text but the title (keywords, concept labels, description, publisher).
    builder.add_text_field("body", tokenizer_name=FRENCH, index_option="freq")
    builder.add_text_field("words", tokenizer_name=FOLDED, index_option="basic")
    for name in FIELDS.values():
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("min_price_cents", fast=True)  # sorts only: not indexed
    builder.add_integer_field("published_at", fast=True)
    builder.add_bytes_field("hit", stored=True)
    return builder.build()


def as_json(document: SearchDocument) -> str:
    """The document as ``IndexWriter.add_json`` takes it."""
    body = [*document.keywords, document.description, document.publisher_name]
    stored = Stored(
        document.id,
        document.title,
        document.publisher_id,
        document.publisher_name,
        document.levels_tagged,
        document.disciplines_tagged,
        document.min_price_cents,
        document.free,
        document.thumbnail_url,
        document.licence_types,
        document.description,
    )
    indexed = _Indexed(
        document.id,
        document.title,
        body,
        [document.title, *body],
        document.disciplines,
        document.levels,
        document.resource_types,
        document.pedagogical_types,
        document.publisher_id,
        "true" if document.free else "false",
        document.licence_types,
        document.accessibility,
        document.languages,
        document.audiences,
        "true" if document.commun else "false",
        document.min_price_cents,
        document.published_at,
        _encode_stored(stored),
    )
    return _encode_json(indexed).decode()


# The layout on disk ----------------------------------------------------------------------------


def layout_of(generation: Path) -> int:
    """The layout a generation was built with: 1 when it records none (the first layout)."""
    try:
        return int((generation / LAYOUT_FILE).read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return 1
    except (ValueError, UnicodeDecodeError):
        return 0  # unreadable: not this layout


def mark_layout(generation: Path) -> None:
    """Record this layout in a new generation, before its index is made."""
    (generation / LAYOUT_FILE).write_text(f"{LAYOUT}\n", encoding="ascii")


def outdated(generation: Path) -> str | None:
    """Why this process cannot use the generation, or None when it can."""
    found = layout_of(generation)
    if found == LAYOUT:
        return None
    if found > LAYOUT:
        return (
            f"the search index {generation} was built with layout {found} by a later version "
            f"of the catalogue, and this one reads layout {LAYOUT}: upgrade this process"
        )
    return (
        f"the search index {generation} was built with layout {found} and this version of "
        f"the catalogue reads layout {LAYOUT}: the worker rebuilds it at its next change, "
        "or run `catalogue index rebuild`"
    )


def open_index(generation: Path) -> tantivy.Index:
    """A generation of this layout (a new one is created). OutdatedIndexError for an earlier
    layout (a rebuild replaces it); UpstreamUnavailableError for a later one: a process of an
    earlier version, during an upgrade, must not rebuild the index the new one made."""
    if (reason := outdated(generation)) is not None:
        later = layout_of(generation) > LAYOUT
        raise (UpstreamUnavailableError if later else OutdatedIndexError)(f"Tantivy: {reason}")
    index = tantivy.Index(schema(), path=str(generation))
    stemmed, folded = analyzers()
    index.register_tokenizer(FRENCH, stemmed)
    index.register_tokenizer(FOLDED, folded)
    index.config_reader("Manual", 1)  # reloaded on the worker's notice (see reload())
    return index
