"""The concepts' labels, searched once per process instead of in every document
(search/tantivy_concepts.py); every backend finding the same documents by a label is
tests/integration/test_search_conformance.py."""

from __future__ import annotations

import gc

from catalogue.search.outbox import _no_cycle_collection
from catalogue.search.tantivy_concepts import Concept, ConceptLexicon
from catalogue.search.tantivy_search import analysed_groups

C = "http://data.education.fr/voc/scolomfr/concept/"
MATHS = f"{C}scolomfr-voc-015-num-919"
MATHS_C3 = f"{C}scolomfr-voc-015-num-945"
COLLEGE = f"{C}scolomfr-voc-022-num-016"
SIXIEME = f"{C}scolomfr-voc-022-num-018"
TEACHER = f"{C}teacher"

LEXICON = ConceptLexicon(
    [
        Concept(MATHS, "scolomfr-voc-015", "mathématiques", [MATHS]),
        Concept(MATHS_C3, "scolomfr-voc-015", "mathématiques cycle 3", [MATHS_C3, MATHS]),
        Concept(COLLEGE, "scolomfr-voc-022", "collège", [COLLEGE]),
        Concept(SIXIEME, "scolomfr-voc-022", "6e : sixième du collège", [SIXIEME, COLLEGE]),
        Concept(TEACHER, "scolomfr-voc-011", "enseignant", [TEACHER]),
    ]
)


def stem(word: str) -> str:
    (group,) = analysed_groups([[word]])
    return group.alternatives[0][0]


def test_a_label_word_finds_the_broadest_concepts_with_it_in_their_field() -> None:
    # Both maths concepts have the word; a document under the narrower one carries the
    # broader one too, so the broader alone selects them all.
    assert LEXICON.exact(stem("Mathématiques")) == (("disciplines", MATHS),)
    assert LEXICON.exact(stem("collège")) == (("levels", COLLEGE),)
    assert LEXICON.exact(stem("sixième")) == (("levels", SIXIEME),)
    assert LEXICON.exact(stem("cycle")) == (("disciplines", MATHS_C3),)
    assert LEXICON.exact(stem("géographie")) == ()


def test_a_typo_finds_the_labels_within_its_distance() -> None:
    assert LEXICON.typos("mathematiqes", 2) == (("disciplines", MATHS),)
    assert LEXICON.typos("colege", 1) == (("levels", COLLEGE),)
    assert LEXICON.typos("colege", 0) == ()


def test_only_the_label_fields_concepts_are_kept() -> None:
    """An audience's label is not among a document's words (as `concept_labels`)."""
    assert LEXICON.size == 4
    assert LEXICON.exact(stem("enseignant")) == ()


def test_without_vocabularies_labels_match_nothing() -> None:
    assert ConceptLexicon([]).exact(stem("collège")) == ()


def test_a_rebuild_turns_the_cycle_collector_off_and_back_to_what_it_was() -> None:
    with _no_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _no_cycle_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
