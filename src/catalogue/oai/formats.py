"""The catalogue's records as oai_dc and as ScoLOMFR 3.2 notices (lxml elements)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

LOM = "http://ltsc.ieee.org/xsd/LOM"
SCOLOMFR = "http://www.lom-fr.fr/xsd/SCOLOMFR"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
LANGUAGE_URI = "http://id.loc.gov/vocabulary/iso639-2/"
CONCEPTS = "http://data.education.fr/voc/scolomfr/concept/"
SOURCE = "SCOLOMFRv3.2"
PURPOSES = {
    "levels": (f"{CONCEPTS}educational_level", "niveau éducatif détaillé"),
    "disciplines": (f"{CONCEPTS}scolomfr-voc-028-num-003", "domaine d'enseignement"),
}

Label = Callable[[str], str]


def _sub(parent: etree._Element, namespace: str, name: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = text
    return element


def _lang_string(parent: etree._Element, name: str, text: str) -> None:
    _sub(_sub(parent, LOM, name), LOM, "string", text).set("language", f"{LANGUAGE_URI}fre")


def _vocabulary(parent: etree._Element, namespace: str, name: str, uri: str) -> None:
    element = _sub(parent, namespace, name)
    _sub(element, namespace, "source", SOURCE)
    _sub(element, namespace, "value", uri)


def scolomfr(row: Any, label: Label, identifier: str) -> etree._Element:
    """A ScoLOMFR 3.2 notice (concept URIs only) that validates against the shipped XSD."""
    lom = etree.Element(f"{{{LOM}}}lom", nsmap={None: LOM, "scolomfr": SCOLOMFR})
    general = _sub(lom, LOM, "general")
    ident = _sub(general, LOM, "identifier")
    _sub(ident, LOM, "catalog", "URI")
    _sub(ident, LOM, "entry", identifier)
    _lang_string(general, "title", row["title"])
    for language in row["languages"]:
        _sub(general, LOM, "language", f"{LANGUAGE_URI}{language}")
    if row["description"]:
        _lang_string(general, "description", row["description"])
    for keyword in row["keywords"]:
        _lang_string(general, "keyword", keyword)
    for uri in _concepts(row["resource_types"]):
        _vocabulary(general, SCOLOMFR, "generalResourceType", uri)
    meta = _sub(lom, LOM, "metaMetadata")
    _sub(meta, LOM, "metadataSchema", SOURCE)
    if row["access_url"]:
        _sub(_sub(lom, LOM, "technical"), LOM, "location", row["access_url"])
    educational = _sub(lom, LOM, "educational")
    for uri in _concepts(row["pedagogical_types"]):
        _vocabulary(educational, LOM, "learningResourceType", uri)
    for field, (purpose, _name) in PURPOSES.items():
        uris = _concepts(row[field])
        if uris:
            _classification(lom, purpose, uris, label)
    return lom


def _classification(lom: etree._Element, purpose: str, uris: list[str], label: Label) -> None:
    classification = _sub(lom, LOM, "classification")
    _vocabulary(classification, LOM, "purpose", purpose)
    for uri in uris:
        path = _sub(classification, LOM, "taxonPath")
        _sub(_sub(path, LOM, "source"), LOM, "string", SOURCE)
        taxon = _sub(path, LOM, "taxon")
        _sub(taxon, LOM, "id", uri)
        _sub(_sub(taxon, LOM, "entry"), LOM, "string", label(uri))


def _concepts(uris: list[str]) -> list[str]:
    return [uri for uri in uris if uri.startswith(CONCEPTS)]


def oai_dc(row: Any, label: Label, identifier: str) -> etree._Element:
    dc = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC})
    _sub(dc, DC, "title", row["title"])
    _sub(dc, DC, "identifier", identifier)
    if row["access_url"]:
        _sub(dc, DC, "identifier", row["access_url"])
    if row["description"]:
        _sub(dc, DC, "description", row["description"])
    _sub(dc, DC, "publisher", row["publisher_name"])
    for language in row["languages"]:
        _sub(dc, DC, "language", language)
    for subject in [*row["keywords"], *(label(u) for u in row["disciplines"])]:
        _sub(dc, DC, "subject", subject)
    for uri in row["resource_types"]:
        _sub(dc, DC, "type", label(uri))
    if row["rights"]:
        _sub(dc, DC, "rights", row["rights"])
    return dc
