"""ScoLOMFR vocabulary values as they come in notices, resolved to concept URIs: current
URIs, retired ones (replaced by their successor), 1.x concept ids, LOM values and labels, and
the taxon paths of classifications (9). A value the vocabularies do not know is kept as given
and reported: never dropped."""

from __future__ import annotations

import re

from lxml import etree

from connectors.contract import Context
from connectors.lomxml import child_text, children, group

CONCEPT_PREFIX = "http://data.education.fr/voc/scolomfr/concept/"
_FORMER_ID = re.compile(r"^scolomfr-voc-\d{3}-num-\d+$")  # a concept id without its URI (1.x)
_LOM_SLUG = re.compile(r"^[a-z][a-z ]*$")  # a LOM value ("teacher", "higher education")
SCHEMES = {
    "resource_types": ("scolomfr-voc-005",),
    "pedagogical_types": ("scolomfr-voc-010",),
    "audiences": ("scolomfr-voc-011",),
    "levels": ("scolomfr-voc-012", "scolomfr-voc-022"),
    "disciplines": ("scolomfr-voc-015",),
}


def resolve(
    value: str, schemes: tuple[str, ...], context: Context, warnings: list[str]
) -> str | None:
    """A vocabulary value as a concept URI of these schemes, when the vocabularies know it:
    a URI (a retired one replaced by its successor), a concept id without its URI
    ("scolomfr-voc-022-num-027"), a LOM value ("teacher", "higher education") or a label."""
    if value.startswith(("http://", "https://")):
        concept = context.concept(value)
        if concept is not None and concept.replaced_by and concept.replaced_by != value:
            warnings.append(f"concept retiré {value} remplacé par {concept.replaced_by}")
            return concept.replaced_by
        return value if concept is not None and concept.scheme in schemes else None
    if _FORMER_ID.match(value) or _LOM_SLUG.match(value):
        uri = CONCEPT_PREFIX + value.replace(" ", "_")
        concept = context.concept(uri)
        if concept is not None and concept.scheme in schemes:
            warnings.append(f"valeur {value!r} lue comme {uri}")
            return resolve(uri, schemes, context, warnings)
    concept_uri = context.concept_for_label(value, schemes)
    if concept_uri:
        warnings.append(f"libellé {value!r} lu comme {concept_uri}")
    return concept_uri


def values(
    elements: list[etree._Element],
    schemes: tuple[str, ...],
    context: Context,
    warnings: list[str],
) -> list[str]:
    """Vocabulary values as concept URIs; one the vocabularies do not know is kept as given
    (the catalogue keeps it apart as an unknown concept, and says so)."""
    found: list[str] = []
    lookup = context.concept
    for element in elements:
        value = child_text(element, "value")
        if not value:
            continue
        concept = lookup(value)  # the usual case first: a current concept's URI
        if concept is None or concept.replaced_by or concept.scheme not in schemes:
            value = resolve(value, schemes, context, warnings) or value
        if value not in found:
            found.append(value)
    return found


def classifications(
    classifications: list[etree._Element], context: Context, warnings: list[str]
) -> tuple[list[str], list[str]]:
    """Detailed levels and teaching domains from classification taxon paths."""
    levels: list[str] = []
    disciplines: list[str] = []
    for classification in classifications:
        parts = group(classification)
        purpose = " ".join([child_text(p, "value") for p in parts.get("purpose", ())]).lower()
        if "educational_level" in purpose or "educational level" in purpose:
            target, schemes = levels, SCHEMES["levels"]
        elif "voc-028-num-003" in purpose or "domaine" in purpose or "discipline" in purpose:
            target, schemes = disciplines, SCHEMES["disciplines"]
        else:
            if parts.get("taxonPath"):
                warnings.append(
                    f"classification (9) d'objectif {purpose or '?'!r} non lue : ignorée"
                )
            continue
        for path in parts.get("taxonPath", ()):
            taxons = children(path, "taxon")
            if len(taxons) == 1:  # the usual path, one current concept: taken at once
                uri = child_text(taxons[0], "id")
                concept = context.concept(uri)
                if concept is not None and not concept.replaced_by and concept.scheme in schemes:
                    if uri not in target:
                        target.append(uri)
                    continue
            for uri in _taxon_values(taxons, schemes, context, warnings):
                if uri not in target:
                    target.append(uri)
    return levels, disciplines


def _taxon_values(
    taxons: list[etree._Element],
    schemes: tuple[str, ...],
    context: Context,
    warnings: list[str],
) -> list[str]:
    """The values of one taxon path. Taxons run root to leaf, and a path then stands for its
    leaf; but 1.x exports also list sibling values in one path ("école primaire, voie
    générale..."). Consecutive taxons that are not broader or narrower than one another are
    each a value; one the vocabularies do not know is kept as given (and reported)."""
    values: list[str] = []
    current: str | None = None  # the narrowest concept of the hierarchy being read
    for taxon in taxons:
        raw = child_text(taxon, "id")
        # A URI is trusted, known or not (its label is never read instead); 1.x ids
        # ("scolomfr-voc-022-num-087") were renumbered since, so their label goes first.
        if raw.startswith(("http://", "https://")):
            uri: str | None = resolve(raw, schemes, context, warnings) or raw
        else:
            label = child_text(taxon, "entry")
            uri = resolve(label, schemes, context, warnings) if label else None
            if uri is None and raw:
                uri = resolve(raw, schemes, context, warnings)
            if uri is None:  # unknown to the vocabularies: a value of its own
                if label or raw:
                    values.append(label or raw)
                current = None
                continue
        assert uri is not None
        if current is not None and _within(current, uri, context):
            values[values.index(current)] = current = uri  # narrower: the path goes on
        elif current is None or not _within(uri, current, context):
            values.append(uri)
            current = uri
    return values


def _within(broader: str, narrower: str, context: Context) -> bool:
    concept = context.concept(narrower)
    return concept is not None and broader in concept.ancestors
