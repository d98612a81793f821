"""The generator's tables compiled against a vocabulary, once per ``generate`` call.

Everything that depends on the vocabulary is resolved here: each product's voc-005 and voc-010
concepts, each family's main and narrower voc-015 concepts, and the level windows (one to three
consecutive levels of one stage) a resource is drawn in, so that producing an item only draws
from precomputed tuples.
"""

from __future__ import annotations

import bisect
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.demo.tables import (
    FAMILIES,
    LEVELS,
    PRODUCTS,
    PUBLISHERS,
    Family,
    Level,
    ProductSpec,
    Topic,
    low,
)
from catalogue.vocabularies.skos import Concept

RESOURCE_TYPES = "scolomfr-voc-005"
PEDAGOGICAL_TYPES = "scolomfr-voc-010"
DISCIPLINES = "scolomfr-voc-015"
LEVELS_SCHEME = "scolomfr-voc-022"

_LEVEL_BY_KEY = {level.key: level for level in LEVELS}
_CYCLE_KEYS = {
    cycle: frozenset(level.key for level in LEVELS if level.cycle == cycle) for cycle in (2, 3, 4)
}
_WINDOW_SIZES = ((1, 0.55), (2, 0.30), (3, 0.15))
_SPECIAL_PRODUCTS = {p.noun: p for p in PRODUCTS.special}


@dataclass(frozen=True, slots=True)
class Product:
    noun: str
    low: str  # the noun inside a sentence: "exercices interactifs"
    keyword: str
    resource_types: tuple[str, ...]
    pedagogical_types: tuple[str, ...]
    formats: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Window:
    """One to three consecutive levels of one stage, with all that depends on them."""

    uris: tuple[str, ...]
    short: str  # "5e", "CE1-CE2", "2de-Tle"
    en: str  # "en 5e", "en CE1 et CE2", "de la seconde à la terminale"
    de: str  # "de 5e", "de CE1 et CE2", "du CP au CE2"
    keyword: str
    exam: str | None  # "brevet", "bac"
    narrower: tuple[str, ...]
    topics: tuple[Topic, ...]
    products: tuple[Product, ...]
    exam_products: tuple[Product, ...]


@dataclass(frozen=True, slots=True)
class CompiledFamily:
    spec: Family
    uri: str
    windows: tuple[Window, ...]
    window_weights: tuple[float, ...]  # cumulative
    signatures: tuple[tuple[str, Product], ...]


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    slug: str
    isbn_prefix: str  # "9782" and a three-digit publisher code


@dataclass(frozen=True, slots=True)
class Compiled:
    families: tuple[CompiledFamily, ...]
    family_weights: tuple[float, ...]  # cumulative
    publishers: tuple[Publisher, ...]
    publisher_weights: tuple[float, ...]  # cumulative


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return tuple(cumulative)


def pick(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
    return min(index, len(cumulative) - 1)  # random() * total may round up to total


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


class _Vocabulary:
    """Non-deprecated concepts by scheme and label, and the levels voc-015 concepts are about."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        live = sorted((c for c in concepts if not c.deprecated), key=lambda c: c.uri)
        self._by_label: dict[tuple[str, str], list[Concept]] = {}
        for concept in live:
            self._by_label.setdefault((concept.scheme, concept.label), []).append(concept)
        self.disciplines = [c for c in live if c.scheme == DISCIPLINES]
        self._labels = {c.uri: c.label for c in self.disciplines}
        self._parents: dict[str, set[str]] = {c.uri: set(c.broader) for c in self.disciplines}
        for concept in self.disciplines:
            for child in concept.narrower:
                self._parents.setdefault(child, set()).add(concept.uri)
        self._levels: dict[str, frozenset[str] | None] = {}

    def uri(self, scheme: str, label: str) -> str:
        """The concept with this label; a top concept first when several share it."""
        found = self._by_label.get((scheme, label))
        if not found:
            raise ValueError(f"no concept labelled {label!r} in {scheme}")
        return min(found, key=lambda c: (bool(c.broader), c.uri)).uri

    def has(self, scheme: str, label: str) -> bool:
        return (scheme, label) in self._by_label

    def descendants(self, root: str) -> list[Concept]:
        return [c for c in self.disciplines if c.uri != root and root in c.ancestors]

    def levels(self, uri: str, seen: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """Level keys a voc-015 concept is about: its label's, else its parents' (None: any)."""
        if uri in self._levels:
            return self._levels[uri]
        found = _label_levels(self._labels.get(uri, ""))
        if found is None:
            inherited: set[str] = set()
            for parent in sorted(self._parents.get(uri, set()) - seen):
                inherited |= self.levels(parent, seen | {uri}) or set()
            found = frozenset(inherited) if inherited else None
        self._levels[uri] = found
        return found


_SUFFIX = re.compile(r"\(([^()]*)\)\s*$")
_CYCLE = re.compile(r"\bcycle (\d)\b")
_LEVEL_WORD = re.compile(r"\b(CP|CE1|CE2|CM1|CM2|6e|5e|4e|3e)\b")


def _label_levels(label: str) -> frozenset[str] | None:
    """Levels a label names in its last parenthesis: "(mathématiques cycle 4)", "(histoire 5e)"."""
    suffix = _SUFFIX.search(label)
    if suffix is None:
        return None
    cycles = _CYCLE.findall(suffix[1])
    if cycles:
        return frozenset().union(*(_CYCLE_KEYS.get(int(c), frozenset()) for c in cycles))
    words = _LEVEL_WORD.findall(suffix[1])
    return frozenset(words) if words else None


def _product(vocabulary: _Vocabulary, spec: ProductSpec) -> Product:
    return Product(
        noun=spec.noun,
        low=low(spec.noun),
        keyword=spec.keyword,
        resource_types=tuple(vocabulary.uri(RESOURCE_TYPES, t) for t in spec.resource_types),
        pedagogical_types=tuple(
            vocabulary.uri(PEDAGOGICAL_TYPES, t) for t in spec.pedagogical_types
        ),
        formats=spec.formats,
    )


def _phrases(levels: Sequence[Level]) -> tuple[str, str, str]:
    """The short form, "en ..." and "de ..." of consecutive levels of one stage."""
    first, last = levels[0], levels[-1]
    if len(levels) == 1:
        return first.key, f"en {first.name}", f"de {first.name}"
    short = f"{first.key}-{last.key}"
    if len(levels) == 2:
        return short, f"en {first.name} et {last.name}", f"de {first.name} et {last.name}"
    span = (
        f"du {first.name} au {last.name}"
        if first.stage == "e"
        else f"de la {first.name} à la {last.name}"
    )
    return short, span, span


def _windows(
    vocabulary: _Vocabulary,
    family: Family,
    narrower: Sequence[tuple[str, frozenset[str]]],
    products: tuple[tuple[Product, ...], tuple[Product, ...]],
) -> tuple[list[Window], list[float]]:
    levels = [_LEVEL_BY_KEY[key] for key in family.levels.split()]
    windows: list[Window] = []
    weights: list[float] = []
    for stage in "ecl":
        in_stage = [level for level in levels if level.stage == stage]
        topics = tuple(t for t in family.topics if stage in t.stages)
        if not in_stage:
            continue
        if len(topics) < 4:
            raise ValueError(f"{family.name}: too few topics for stage {stage!r}")
        sizes = [(k, w) for k, w in _WINDOW_SIZES if k <= len(in_stage)]
        total = sum(w for _, w in sizes)
        for size, size_weight in sizes:
            starts = len(in_stage) - size + 1
            for start in range(starts):
                chosen = in_stage[start : start + size]
                keys = frozenset(level.key for level in chosen)
                short, en, de = _phrases(chosen)
                exam = "bac" if keys & {"1re", "Tle"} else "brevet" if "3e" in keys else None
                windows.append(
                    Window(
                        uris=tuple(vocabulary.uri(LEVELS_SCHEME, level.label) for level in chosen),
                        short=short,
                        en=en,
                        de=de,
                        keyword=chosen[0].name.lower(),
                        exam=exam,
                        narrower=tuple(uri for uri, fits in narrower if keys <= fits),
                        topics=topics,
                        products=products[0],
                        exam_products=products[1],
                    )
                )
                weights.append(len(in_stage) * size_weight / total / starts)
    return windows, weights


def _family(
    vocabulary: _Vocabulary,
    family: Family,
    general: tuple[Product, ...],
    exams: tuple[Product, ...],
) -> CompiledFamily:
    main = next(
        (
            vocabulary.uri(DISCIPLINES, label)
            for label in family.labels
            if vocabulary.has(DISCIPLINES, label)
        ),
        None,
    )
    if main is None:
        raise ValueError(f"no concept for the discipline {family.name!r}")
    tree = vocabulary.uri(DISCIPLINES, family.tree) if family.tree else main
    match = re.compile(family.tree_match) if family.tree_match else None
    narrower: list[tuple[str, frozenset[str]]] = []
    for concept in vocabulary.descendants(tree):
        fits = vocabulary.levels(concept.uri)
        if fits and (match is None or match.search(concept.label)):
            narrower.append((concept.uri, fits))
    for label, keys in family.lycee:
        narrower.append((vocabulary.uri(DISCIPLINES, label), frozenset(keys.split())))
    special = tuple(_product(vocabulary, _SPECIAL_PRODUCTS[noun]) for noun in family.products)
    windows, weights = _windows(vocabulary, family, narrower, (general + special, exams))
    by_noun = {p.noun: p for p in (*general, *special)}
    signatures = tuple(
        (title, by_noun.get(noun) or _product(vocabulary, _SPECIAL_PRODUCTS[noun]))
        for title, noun in family.signatures
    )
    return CompiledFamily(
        spec=family,
        uri=main,
        windows=tuple(windows),
        window_weights=_cumulative(weights),
        signatures=signatures,
    )


def compile_tables(concepts: Sequence[Concept]) -> Compiled:
    vocabulary = _Vocabulary(concepts)
    general = tuple(_product(vocabulary, spec) for spec in PRODUCTS.general)
    exams = tuple(_product(vocabulary, spec) for spec in PRODUCTS.exam)
    families = tuple(_family(vocabulary, f, general, exams) for f in FAMILIES)
    publishers = tuple(
        Publisher(name, _slug(name), f"9782{200 + 12 * i:03d}") for i, name in enumerate(PUBLISHERS)
    )
    return Compiled(
        families=families,
        family_weights=_cumulative([f.weight for f in FAMILIES]),
        publishers=publishers,
        # A few large publishers and a long tail, as in the real market.
        publisher_weights=_cumulative([1 / (i + 1) ** 0.5 for i in range(len(PUBLISHERS))]),
    )
