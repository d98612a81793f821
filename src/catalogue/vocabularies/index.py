"""The vocabularies in memory (a few thousand concepts): labels, hierarchy, deprecations."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TypeAlias

import msgspec
from litestar.di import NamedDependency

from catalogue.database import Connection
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.vocabularies")
SCHEME_PREFIX = "scolomfr-voc-"
EXPANSIONS_KEPT = 100_000  # lists of concepts remembered with their ancestors and labels


def label_key(label: str) -> str:
    """A label folded for comparison: case, accents and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", " ".join(label.lower().split()))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class ConceptRecord(msgspec.Struct, frozen=True, kw_only=True):
    uri: str
    scheme: str
    label: str
    alt_labels: list[str]
    broader: list[str]
    ancestors: list[str]
    replaced_by: str | None
    deprecated: bool


class Normalised(msgspec.Struct, kw_only=True):
    """Concept URIs after the deprecation map; those we do not know are kept and reported."""

    uris: list[str]
    unknown: list[str]


class VocabularyIndex:
    def __init__(self, concepts: list[ConceptRecord]) -> None:
        self._by_uri = {c.uri: c for c in concepts}
        self._by_scheme: dict[str, list[ConceptRecord]] = {}
        self._by_label: dict[str, list[ConceptRecord]] | None = None
        # A list of concepts with their ancestors, and their labels: a rebuild meets the same
        # few thousand lists over and over (expanding each again was a third of its Python).
        self._expanded: dict[tuple[str, ...], tuple[tuple[str, ...], frozenset[str]]] = {}
        for concept in concepts:
            self._by_scheme.setdefault(concept.scheme, []).append(concept)

    @classmethod
    async def load(cls, conn: Connection) -> VocabularyIndex:
        rows = await conn.fetch(SQL["all_concepts"])
        return cls([msgspec.convert(dict(row), ConceptRecord) for row in rows])

    def __len__(self) -> int:
        return len(self._by_uri)

    def get(self, uri: str) -> ConceptRecord | None:
        return self._by_uri.get(uri)

    @property
    def lookup(self) -> Callable[[str], ConceptRecord | None]:
        """``get`` as the dict's own method: connectors call it for every value they read."""
        return self._by_uri.get

    def label(self, uri: str) -> str:
        concept = self._by_uri.get(uri)
        return concept.label if concept else uri

    def scheme(self, name: str) -> list[ConceptRecord] | None:
        """A scheme by its full name or its number ("022" for "scolomfr-voc-022")."""
        found = self._by_scheme.get(name)
        if found is None and name.isascii() and name.isdigit():
            found = self._by_scheme.get(f"{SCHEME_PREFIX}{int(name):03d}")
        return found

    def schemes(self) -> list[str]:
        return sorted(self._by_scheme)

    def normalise(self, uris: list[str], schemes: tuple[str, ...]) -> Normalised:
        """Map retired concepts to their replacement; keep unknown or foreign URIs apart."""
        kept: list[str] = []
        unknown: list[str] = []
        for raw in uris:
            uri = raw.strip()
            concept = self._by_uri.get(uri)
            while concept is not None and concept.replaced_by and concept.replaced_by != uri:
                uri = concept.replaced_by
                concept = self._by_uri.get(uri)
            if concept is None or concept.scheme not in schemes:
                unknown.append(raw)
            elif uri not in kept:
                kept.append(uri)
        return Normalised(uris=kept, unknown=unknown)

    def concept_for_label(self, label: str, schemes: tuple[str, ...]) -> str | None:
        """The concept a label names in these schemes (case and accents ignored), if one."""
        if self._by_label is None:
            self._by_label = {}
            for concept in self._by_uri.values():
                for name in (concept.label, *concept.alt_labels):
                    self._by_label.setdefault(label_key(name), []).append(concept)
        for concept in self._by_label.get(label_key(label), []):
            if concept.scheme in schemes and not concept.deprecated:
                return concept.uri
        return None

    def with_ancestors(self, uris: list[str]) -> list[str]:
        """The concepts and their ancestors, sorted; a concept unknown here stays as it is."""
        return list(self._expansion(uris)[0])

    def labels(self, uris: list[str]) -> frozenset[str]:
        """The labels of these concepts and their ancestors (an unknown one's is its URI)."""
        return self._expansion(uris)[1]

    def _expansion(self, uris: list[str]) -> tuple[tuple[str, ...], frozenset[str]]:
        key = tuple(uris)
        found = self._expanded.get(key)
        if found is None:
            if len(self._expanded) >= EXPANSIONS_KEPT:
                self._expanded.clear()
            ancestors: set[str] = set()
            for uri in uris:
                concept = self._by_uri.get(uri)
                ancestors.update(concept.ancestors if concept else (uri,))
            found = (tuple(sorted(ancestors)), frozenset(map(self.label, ancestors)))
            self._expanded[key] = found
        return found


Vocabulary: TypeAlias = NamedDependency[VocabularyIndex]
"""The vocabulary index loaded at start (``vocab``)."""
