"""The concepts' labels, searched at query time instead of being indexed in every document.

A document carries its concepts (with their ancestors) in its facet fields; the labels of
those concepts ("collège", "sciences de la vie et de la Terre") were also analysed into the
document's text, twice (stemmed and folded): about a third of the Tantivy rebuild's work
(`docs/benchmarks.md`), for a vocabulary of a few thousand concepts repeated over every
document. The labels are analysed here once, in a small index in memory, one entry per
concept. A query word matches a document when the document's own text has it, or when the
document carries a concept whose label has it (the word as typed, stemmed; or within the
typo distance of one of the label's folded words): ``tantivy_search`` asks this lexicon for
those concepts and adds them to the word's query as a filter on the facet fields.
"""

from __future__ import annotations

import functools

import msgspec
import tantivy

from catalogue.resources.service import VOCABULARY_FIELDS
from catalogue.search.tantivy_layout import FOLDED, FRENCH, analyzers, schema

LABEL_FIELDS = ("levels", "disciplines", "resource_types", "pedagogical_types")
"""The facet fields whose concepts' labels count as a document's words (as `concept_labels`)."""
FIELD_OF_SCHEME = {scheme: field for field in LABEL_FIELDS for scheme in VOCABULARY_FIELDS[field]}
_MOST = 10_000  # concepts a word can match: more than the vocabularies hold


class Concept(msgspec.Struct, array_like=True):
    """A concept as the lexicon reads it (search/sql/concepts.sql)."""

    uri: str
    scheme: str
    label: str
    ancestors: list[str]  # itself included


Found = tuple[tuple[str, str], ...]
"""Concepts found for a word: (facet field, URI) pairs."""


@functools.cache
def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("uri", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("label", tokenizer_name=FRENCH, index_option="basic")
    builder.add_text_field("words", tokenizer_name=FOLDED, index_option="basic")
    return builder.build()


class ConceptLexicon:
    """Concepts by the words of their labels; empty when the vocabularies are unknown (a
    backend without a database: labels then match nothing)."""

    def __init__(self, concepts: list[Concept]) -> None:
        kept = [c for c in concepts if c.scheme in FIELD_OF_SCHEME]
        index = tantivy.Index(_schema())  # in memory
        stemmed, folded = analyzers()
        index.register_tokenizer(FRENCH, stemmed)
        index.register_tokenizer(FOLDED, folded)
        writer = index.writer(15_000_000, 1)
        for c in kept:
            writer.add_document(tantivy.Document(uri=c.uri, label=c.label, words=c.label))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._searcher = index.searcher()
        self._field = {c.uri: FIELD_OF_SCHEME[c.scheme] for c in kept}
        self._broader = {c.uri: frozenset(c.ancestors) - {c.uri} for c in kept}
        self.size = len(kept)

    @functools.lru_cache(maxsize=4096)  # noqa: B019  # one lexicon per process, kept for its life
    def exact(self, term: str) -> Found:
        """The concepts whose label has this stemmed term."""
        return self._found(tantivy.Query.term_query(_schema(), "label", term))

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def typos(self, word: str, distance: int) -> Found:
        """The concepts whose label has a folded word within ``distance`` of this one."""
        return self._found(tantivy.Query.fuzzy_term_query(_schema(), "words", word, distance))

    def _found(self, query: tantivy.Query) -> Found:
        """The concepts found, less those under another one found: a document carries its
        concepts' ancestors, so the broadest concepts already select every document (and
        "mathématiques" is one concept to look up, not the 284 whose label has the word)."""
        if not self.size:
            return ()
        hits = self._searcher.search(query, _MOST).hits
        found = {str(self._searcher.doc(address)["uri"][0]) for _, address in hits}
        broadest = sorted(u for u in found if not self._broader[u] & found)
        return tuple((self._field[uri], uri) for uri in broadest)


@functools.lru_cache(maxsize=4096)
def concepts_query(found: Found) -> tantivy.Query | None:
    """Documents carrying any of these concepts, or None for none: a term query each, a
    union of their postings (kept: a query may be composed again as words are dropped)."""
    if not found:
        return None
    terms = [tantivy.Query.term_query(schema(), field, uri) for field, uri in found]
    if len(terms) == 1:
        return terms[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, term) for term in terms])


NO_CONCEPTS = ConceptLexicon([])  # labels match nothing (no database to read them from)
