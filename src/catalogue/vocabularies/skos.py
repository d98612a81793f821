"""Read the shipped ScoLOMFR SKOS files into concepts, safely (lxml, no DTD, no network)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import msgspec
from lxml import etree

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ISOTHES = "http://purl.org/iso25964/skos-thes#"
CONCEPT_PREFIX = "http://data.education.fr/voc/scolomfr/concept/"
_SCHEME = re.compile(r"/(scolomfr-voc-\d{3})$")
_CYCLE = re.compile(r"^cycle\b", re.IGNORECASE)

SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


class Concept(msgspec.Struct, kw_only=True):
    uri: str
    scheme: str
    label: str
    alt_labels: list[str]
    broader: list[str]
    related: list[str]
    narrower: list[str]
    deprecated: bool
    replaced_by: str | None = None
    ancestors: list[str] = msgspec.field(default_factory=list)


def _resource(element: etree._Element) -> str | None:
    value = element.get(f"{{{RDF}}}resource")
    return str(value) if value is not None else None


def _text(element: etree._Element) -> str:
    return " ".join((element.text or "").split())


def parse_skos(path: Path) -> list[Concept]:
    tree = etree.parse(str(path), SAFE_PARSER)
    concepts = []
    for description in tree.getroot().iter(f"{{{RDF}}}Description"):
        uri = description.get(f"{{{RDF}}}about", "")
        if not uri.startswith(CONCEPT_PREFIX):
            continue
        schemes = [
            match[1]
            for e in description.iter(f"{{{SKOS}}}inScheme")
            if (match := _SCHEME.search(_resource(e) or ""))
        ]
        labels = [_text(e) for e in description.iter(f"{{{SKOS}}}prefLabel")]
        if not schemes or not labels:
            continue
        status = [_text(e) for e in description.iter(f"{{{ISOTHES}}}status")]
        concepts.append(
            Concept(
                uri=uri,
                scheme=schemes[0],
                label=labels[0],
                alt_labels=[_text(e) for e in description.iter(f"{{{SKOS}}}altLabel")],
                broader=[r for e in description.iter(f"{{{SKOS}}}broader") if (r := _resource(e))],
                related=[r for e in description.iter(f"{{{SKOS}}}related") if (r := _resource(e))],
                narrower=[
                    r for e in description.iter(f"{{{SKOS}}}narrower") if (r := _resource(e))
                ],
                deprecated="Obsolète" in status,
            )
        )
    return concepts


def parse_deprecations(path: Path) -> dict[str, str]:
    """Deprecated concept URI -> its replacement (REMPLACE_PAR)."""
    tree = etree.parse(str(path), SAFE_PARSER)
    mapping = {}
    for concept in tree.getroot().iter("CONCEPT"):
        uri, replacement = concept.findtext("ID"), concept.findtext("REMPLACE_PAR")
        if uri and replacement:
            mapping[uri.strip()] = replacement.strip()
    return mapping


def with_ancestors(concepts: Iterable[Concept]) -> list[Concept]:
    """Each concept's ancestors: itself and every concept whose filter must match it.

    Parents are SKOS broader concepts (either direction of the link), and, in ScoLOMFR, the
    cycles a level is ``related`` to: "cycle 3 (2016)" is related to CM1, CM2 and 6e.
    """
    by_uri = {c.uri: c for c in concepts}
    parents: dict[str, set[str]] = {uri: set(c.broader) for uri, c in by_uri.items()}
    for concept in by_uri.values():
        for child in concept.narrower:
            parents.setdefault(child, set()).add(concept.uri)
        if _CYCLE.match(concept.label):
            for level in concept.related:
                if level in by_uri and not _CYCLE.match(by_uri[level].label):
                    parents.setdefault(level, set()).add(concept.uri)

    resolved: dict[str, list[str]] = {}

    def ancestors(uri: str, seen: frozenset[str]) -> list[str]:
        if uri in resolved:
            return resolved[uri]
        found = {uri}
        for parent in parents.get(uri, ()):
            if parent not in seen:
                found.update(ancestors(parent, seen | {uri}))
        resolved[uri] = sorted(found)
        return resolved[uri]

    for concept in by_uri.values():
        concept.ancestors = ancestors(concept.uri, frozenset())
    return list(by_uri.values())


def load_folder(folder: Path) -> tuple[list[Concept], str]:
    """Every concept of a folder of SKOS files, with deprecations applied, and a checksum."""
    digest = hashlib.sha256()
    concepts: list[Concept] = []
    deprecations: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".skos.rdf"):
            concepts.extend(parse_skos(path))
        elif "conceptsDeprecies" in path.name:
            deprecations.update(parse_deprecations(path))
        else:
            continue
        digest.update(path.read_bytes())
    for concept in concepts:
        if concept.uri in deprecations:
            concept.replaced_by = deprecations[concept.uri]
            concept.deprecated = True
    return with_ancestors(concepts), digest.hexdigest()
