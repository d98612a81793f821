"""How the Tantivy index is searched: queries composed from a `SearchQuery`, and the hits,
snippets and facet counts read back. What the index holds (its fields, their French analysis,
the documents) is `tantivy_layout`; the index on disk and the backend are `tantivy_index`.

Typos: fuzzy terms on the unstemmed folded words, distance 1 from 5 letters and 2 from 9. A
word matched as typed (stemmed) weighs more than any number of typo matches; when no
document has every word, the last words are dropped one by one, as the other backends do.
A word also matches the documents carrying a concept whose label has it (as typed, or within
the typo distance): the labels are searched in the `ConceptLexicon`, not in each document.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
import tantivy

from catalogue.errors import UpstreamUnavailableError
from catalogue.search.models import (
    FacetField,
    Hit,
    SearchQuery,
    Sort,
)
from catalogue.search.tantivy_concepts import ConceptLexicon, concepts_query
from catalogue.search.tantivy_layout import (
    FIELDS,
    SNIPPET_FIELD,
    Stored,
    analyzers,
    decode_stored,
    schema,
)

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


# Queries -----------------------------------------------------------------------------------


def _should(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _must(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])


def _word(term: str, lexicon: ConceptLexicon | None) -> tantivy.Query:
    """One stemmed word, in the title (weighing more) or anywhere else; with a lexicon, also
    in the label of one of the document's concepts (found there, not in the document)."""
    parts = [
        tantivy.Query.boost_query(
            tantivy.Query.term_query(schema(), "title", term, index_option="freq"), TITLE_BOOST
        ),
        tantivy.Query.term_query(schema(), "body", term, index_option="freq"),
    ]
    if lexicon is not None and (labelled := concepts_query(lexicon.exact(term))) is not None:
        parts.append(labelled)
    return _should(parts)


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


def _group_query(group: Group, lexicon: ConceptLexicon) -> tantivy.Query:
    """The documents with the word (or a synonym) as typed, text or concepts' labels, score
    EXACT_BONUS, plus the BM25 of their text (a word only in a label adds nothing to it);
    with a typo, TYPO_SCORE."""

    def exact(labels: ConceptLexicon | None) -> tantivy.Query:
        return _should([_must([_word(t, labels) for t in alt]) for alt in group.alternatives])

    parts = [tantivy.Query.const_score_query(exact(lexicon), EXACT_BONUS), exact(None)]
    if group.folded and (distance := typo_distance(group.folded)):
        fuzzy = [tantivy.Query.fuzzy_term_query(schema(), "words", group.folded, distance)]
        if (labelled := concepts_query(lexicon.typos(group.folded, distance))) is not None:
            fuzzy.append(labelled)
        parts.append(tantivy.Query.const_score_query(_should(fuzzy), TYPO_SCORE))
    return _should(parts)


def _filters(filters: dict[FacetField, tuple[str, ...]]) -> list[tantivy.Query]:
    return [
        tantivy.Query.const_score_query(
            tantivy.Query.term_set_query(schema(), FIELDS[field], list(values)), 0.0
        )
        for field, values in filters.items()
        if values
    ]


def compose(query: SearchQuery, groups: Sequence[Group], lexicon: ConceptLexicon) -> tantivy.Query:
    parts = [*(_group_query(g, lexicon) for g in groups), *_filters(query.filters)]
    return _must(parts) if parts else tantivy.Query.all_query()


def _snippet_query(groups: Sequence[Group]) -> tantivy.Query | None:
    terms = {term for group in groups for alt in group.alternatives for term in alt}
    queries = [
        tantivy.Query.term_query(schema(), SNIPPET_FIELD, t, index_option="freq")
        for t in sorted(terms)
    ]
    return _should(queries) if queries else None


_ORDER: dict[Sort, tuple[str, tantivy.Order]] = {
    Sort.PRICE_ASC: ("min_price_cents", tantivy.Order.Asc),
    Sort.PRICE_DESC: ("min_price_cents", tantivy.Order.Desc),
    Sort.NEWEST: ("published_at", tantivy.Order.Desc),
}


class Matched(msgspec.Struct):
    """What Tantivy found for one search: the page's documents (addresses in this searcher),
    the number of matches, the facet counts, and the query that marks snippets."""

    addresses: list[Any]
    total: int
    facets: dict[FacetField, dict[str, int]]
    snippet_query: tantivy.Query | None


def match(searcher: tantivy.Searcher, query: SearchQuery, lexicon: ConceptLexicon) -> Matched:
    """The search itself and its facet counts: the long calls, during which the binding
    releases the GIL (for the search thread). Words are dropped from the end while nothing
    matches them all."""
    groups = analysed_groups(query.groups) if query.text else []
    compiled = compose(query, groups, lexicon)
    found = _page(searcher, query, compiled, ranked=bool(groups))
    for _ in range(MAX_DROPPED_WORDS):
        if _total(found) or len(groups) < 2:
            break
        groups = groups[:-1]
        compiled = compose(query, groups, lexicon)
        found = _page(searcher, query, compiled, ranked=True)
    return Matched(
        addresses=[address for _, address in found.hits],
        total=_total(found),
        facets=facet_counts(searcher, compiled, query.facets),
        snippet_query=_snippet_query(groups),
    )


def _total(found: tantivy.SearchResult) -> int:
    """The number of matches (searched with count=True; the binding's stub omits it)."""
    count: int = found.count  # type: ignore[attr-defined]
    return count


def _page(
    searcher: tantivy.Searcher, query: SearchQuery, compiled: tantivy.Query, *, ranked: bool
) -> tantivy.SearchResult:
    offset = (query.page - 1) * query.per_page
    order = _ORDER.get(query.sort)
    if order is None and not ranked:
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


def hits(searcher: tantivy.Searcher, found: Matched) -> list[Hit]:
    """The page's hits with their snippets: many short calls, some releasing the GIL for a
    few microseconds. Run in the event loop's thread: in the search thread, each would hand
    the GIL back and forth with a busy event loop (milliseconds each under load). A snippet
    is made from the stored description, analysed as the field it is indexed in."""
    generator = None
    if found.snippet_query is not None and found.addresses:
        generator = tantivy.SnippetGenerator.create(
            searcher, found.snippet_query, schema(), SNIPPET_FIELD
        )
        generator.set_max_num_chars(SNIPPET_CHARS)
    page = []
    for address in found.addresses:
        stored = _stored(searcher.doc(address))
        snippet = ""
        if generator is not None:
            text = tantivy.Document(**{SNIPPET_FIELD: stored.description})
            snippet = marked_html(generator.snippet_from_doc(text).to_html())
        if not snippet:
            snippet = html.escape(stored.description[:SNIPPET_CHARS])
        page.append(_hit(stored, snippet))
    return page


def _hit(stored: Stored, snippet: str) -> Hit:
    return Hit(
        id=stored.id,
        title=stored.title,
        snippet=snippet,
        publisher_id=stored.publisher_id,
        publisher_name=stored.publisher_name,
        levels_tagged=stored.levels_tagged,
        disciplines_tagged=stored.disciplines_tagged,
        min_price_cents=stored.min_price_cents,
        free=stored.free,
        thumbnail_url=stored.thumbnail_url,
        licence_types=stored.licence_types,
    )


def marked_html(snippet: str) -> str:
    """Tantivy's snippet as HTML (text escaped, matches in <b></b>) with <mark> instead: a
    "<b>" written in the text itself arrives escaped ("&lt;b&gt;"), so only Tantivy's own
    tags are replaced."""
    return snippet.replace("<b>", "<mark>").replace("</b>", "</mark>")


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


def _stored(document: tantivy.Document) -> Stored:
    raw = document.get_first("hit")
    if not isinstance(raw, bytes):
        raise UpstreamUnavailableError("Tantivy: a document without its stored hit")
    return decode_stored(raw)
