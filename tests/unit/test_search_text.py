"""French query text: the query's words grouped with their school synonyms, as every
backend receives them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue.search.text import fold, normalise, query_groups, synonyms


def groups_phrase_by_phrase(text: str) -> list[tuple[str, ...]]:
    """The grouping as first written: each candidate run of words folded as a whole."""
    words = normalise(text).split()
    table = synonyms()
    groups: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        for size in range(min(8, len(words) - i), 0, -1):
            alternatives = table.get(fold(" ".join(words[i : i + size])))
            if alternatives:
                groups.append(alternatives)
                i += size
                break
        else:
            groups.append((words[i],))
            i += 1
    return groups


def test_synonyms_are_found_on_the_longest_run_of_words() -> None:
    groups = query_groups("Les Sciences de la Vie et de la Terre, en 5e")
    assert any("svt" in group for group in groups)
    assert query_groups("SVT") == [synonyms()["svt"]]
    assert query_groups("l’Œuvre d'art") == [("oeuvre",), ("art",)]


SCHOOL_WORDS = sorted({word for term in synonyms() for word in term.split()})
ACCENTED = ["Révolution", "élève", "ŒUVRE", "l’éducation", "d'histoire", "ﬁn", "Çà", "-", "3e"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(SCHOOL_WORDS), st.sampled_from(ACCENTED), st.text(max_size=12)),
        max_size=12,
    )
)
def test_folding_word_by_word_groups_as_folding_each_phrase(words: list[str]) -> None:
    text = " ".join(words)
    assert query_groups(text) == groups_phrase_by_phrase(text)
