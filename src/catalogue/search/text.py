"""French text for search: apostrophes, elisions, ligatures, case, school synonyms."""

from __future__ import annotations

import functools
import re
import unicodedata

import msgspec

from catalogue.shipped import schemas_dir

MAX_QUERY_CHARS = 1000
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)'", re.IGNORECASE)
_WORD = re.compile(r"[\w][\w-]*", re.UNICODE)


def clean(text: str) -> str:
    """Readable text without control characters, typographic apostrophes unified."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t ")


def normalise(text: str) -> str:
    """Lower case, no elision, no ligature: "L’Œuvre d'art" -> "oeuvre art"."""
    text = _ELISION.sub("", clean(text).translate(_LIGATURES))
    return " ".join(_WORD.findall(text.lower()))


def fold(text: str) -> str:
    """Normalised and without accents, as pg_trgm and typo tolerance compare words."""
    return _unaccented(normalise(text))


def _unaccented(normalised: str) -> str:
    decomposed = unicodedata.normalize("NFKD", normalised)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Synonyms(msgspec.Struct):
    groups: list[list[str]]


@functools.cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Each term (folded) -> every term of its group, itself included."""
    raw = (schemas_dir() / "search" / "synonymes.json").read_bytes()
    table: dict[str, tuple[str, ...]] = {}
    for group in msgspec.json.decode(raw, type=_Synonyms).groups:
        terms = tuple(dict.fromkeys(normalise(term) for term in group))
        for term in terms:
            table[fold(term)] = tuple(dict.fromkeys((*table.get(fold(term), ()), *terms)))
    return table


def query_groups(text: str) -> list[tuple[str, ...]]:
    """The query's words, each with its synonyms; multi-word synonyms ("svt" <-> "sciences de
    la vie et de la terre") are matched on the longest run of words first."""
    words = normalise(text).split()
    # Each word folded once: a run of normalised words folds word by word (fold(" ".join(w))
    # is " ".join(map(fold, w))), and a query tries up to eight runs from each word.
    folded = [_unaccented(word) for word in words]
    table = synonyms()
    groups: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        for size in range(min(8, len(words) - i), 0, -1):
            alternatives = table.get(" ".join(folded[i : i + size]))
            if alternatives:
                groups.append(alternatives)
                i += size
                break
        else:
            groups.append((words[i],))
            i += 1
    return groups
