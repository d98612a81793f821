"""The catalogue's records as oai_dc and as ScoLOMFR 3.2 notices (lxml elements)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

from lxml import etree

from catalogue.oai.records import Notice, NoticeContributor, OaiRecord
from catalogue.shipped import schemas_dir

LOM = "http://ltsc.ieee.org/xsd/LOM"
SCOLOMFR = "http://www.lom-fr.fr/xsd/SCOLOMFR"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSD = "http://www.w3.org/2001/XMLSchema"
LANGUAGE_URI = "http://id.loc.gov/vocabulary/iso639-2/"
CONCEPTS = "http://data.education.fr/voc/scolomfr/concept/"
SOURCE = "SCOLOMFRv3.2"
IS_BASED_ON = "http://purl.org/dc/terms/source"  # voc-009, LOM's "isbasedon"
# The metadata are written in French: vocabulary labels, and the language of the notice.
METADATA_LANGUAGE = "fre"
LEVELS_PURPOSE = f"{CONCEPTS}educational_level"  # niveau éducatif détaillé
DISCIPLINES_PURPOSE = f"{CONCEPTS}scolomfr-voc-028-num-003"  # domaine d'enseignement
# 1.1 catalogs of the resource's own identifiers (URLs under "URI", as LOM usage has it).
CATALOGS = {"ark": "ARK", "isbn": "ISBN", "url": "URI"}
# Characters XML 1.0 cannot carry: replaced, so that one odd resource never breaks a page.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

Label = Callable[[str], str]


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _sub(parent: etree._Element, namespace: str, name: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = xml_text(text)
    return element


def _lang_string(parent: etree._Element, name: str, text: str, language: str | None) -> None:
    string = _sub(_sub(parent, LOM, name), LOM, "string", text)
    if language:  # a resource that declares no language: its strings' language is unknown
        string.set("language", f"{LANGUAGE_URI}{language}")


def _vocabulary(parent: etree._Element, namespace: str, name: str, uri: str) -> None:
    element = _sub(parent, namespace, name)
    _sub(element, namespace, "source", SOURCE)
    _sub(element, namespace, "value", uri)


@functools.cache
def vocabulary_values(number: str) -> frozenset[str]:
    """The values the shipped ScoLOMFR 3.2.1 XSD accepts for a vocabulary ("003")."""
    path = schemas_dir() / "xsd" / "scolomfr-3.2.1" / "scolomfr" / "vocab" / f"voc_{number}.xsd"
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    return frozenset(str(e.get("value")) for e in tree.iter(f"{{{XSD}}}enumeration"))


def scolomfr(notice: Notice, label: Label, identifier: str) -> etree._Element:
    """A ScoLOMFR 3.2 notice (concept URIs only) that validates against the shipped XSD.

    The resource's own strings are in its (first) language; the OAI identifier is the
    notice's own (3.1), the resource's ARK, ISBN and URL identifiers are in 1.1.
    """
    language = notice.languages[0] if notice.languages else None
    lom = etree.Element(f"{{{LOM}}}lom", nsmap={None: LOM, "scolomfr": SCOLOMFR})
    general = _sub(lom, LOM, "general")
    for own in notice.identifiers:
        ident = _sub(general, LOM, "identifier")
        _sub(ident, LOM, "catalog", CATALOGS[own.kind])
        _sub(ident, LOM, "entry", own.value)
    _lang_string(general, "title", notice.title, language)
    for code in notice.languages:
        _sub(general, LOM, "language", f"{LANGUAGE_URI}{code}")
    # One 1.4 description a paragraph: readers trim the whitespace inside each one.
    for paragraph in _paragraphs(notice.description):
        _lang_string(general, "description", paragraph, language)
    for keyword in notice.keywords:
        _lang_string(general, "keyword", keyword, language)
    for uri in _concepts(notice.resource_types):
        _vocabulary(general, SCOLOMFR, "generalResourceType", uri)
    _life_cycle(lom, notice.contributors)
    meta = _sub(lom, LOM, "metaMetadata")
    ident = _sub(meta, LOM, "identifier")
    _sub(ident, LOM, "catalog", "URI")
    _sub(ident, LOM, "entry", identifier)
    _sub(meta, LOM, "metadataSchema", SOURCE)
    _sub(meta, LOM, "language", f"{LANGUAGE_URI}{METADATA_LANGUAGE}")
    if notice.formats or notice.access_url:
        technical = _sub(lom, LOM, "technical")
        for media_type in notice.formats:
            _sub(technical, LOM, "format", media_type)
        if notice.access_url:
            _sub(technical, LOM, "location", notice.access_url)
    educational = _sub(lom, LOM, "educational")
    for uri in _concepts(notice.pedagogical_types):
        _vocabulary(educational, LOM, "learningResourceType", uri)
    _vocabularies(educational, "intendedEndUserRole", notice.audiences)  # 5.5 public cible
    _rights_and_relation(lom, notice, identifier, language)
    for purpose, concepts in (
        (LEVELS_PURPOSE, notice.levels),
        (DISCIPLINES_PURPOSE, notice.disciplines),
    ):
        uris = _concepts(concepts)
        if uris:
            _classification(lom, purpose, uris, label)
    return lom


def _rights_and_relation(
    lom: etree._Element, notice: Notice, identifier: str, language: str | None
) -> None:
    if notice.rights:
        _lang_string(_sub(lom, LOM, "rights"), "description", notice.rights, language)
    if notice.based_on is not None:
        _based_on(lom, _sibling(identifier, notice.based_on))


def _sibling(identifier: str, resource_id: UUID) -> str:
    """The OAI identifier of another record of this repository."""
    return f"{identifier.rsplit(':', 1)[0]}:{resource_id}"


def _based_on(lom: etree._Element, original: str) -> None:
    """LOM 7: this resource is based on (adapts) the record ``original``. ScoLOMFR 3.2 names
    LOM's "isbasedon" by its voc-009 URI, Dublin Core's ``source`` (derived from)."""
    relation = _sub(lom, LOM, "relation")
    _vocabulary(relation, LOM, "kind", IS_BASED_ON)
    ident = _sub(_sub(relation, LOM, "resource"), LOM, "identifier")
    _sub(ident, LOM, "catalog", "URI")
    _sub(ident, LOM, "entry", original)


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def _life_cycle(lom: etree._Element, contributors: list[NoticeContributor]) -> None:
    """2.3 contributions: the role (a voc-003 concept, else its text as a label) and a vCard."""
    named = [c for c in contributors if c.name or c.organisation]
    if not named:
        return
    life_cycle = _sub(lom, LOM, "lifeCycle")
    for contributor in named:
        contribute = _sub(life_cycle, LOM, "contribute")
        role = contributor.role or ""
        if role:
            element = _sub(contribute, LOM, "role")
            uri = _role_uri(role)
            if uri:
                _sub(element, LOM, "source", SOURCE)
                _sub(element, LOM, "value", uri)
            else:
                _sub(element, LOM, "label", role)
        _sub(
            contribute,
            LOM,
            "entity",
            vcard(contributor.name, contributor.organisation),
        )


def _role_uri(role: str) -> str | None:
    roles = vocabulary_values("003")
    if role in roles:
        return role
    uri = f"{CONCEPTS}{role.strip().lower().replace(' ', '_')}"  # a LOM role: "author"
    return uri if uri in roles else None


def vcard(name: str | None, organisation: str | None) -> str:
    """A vCard 3.0 giving a formatted name (FN) and, if known, the organisation (ORG)."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{_vcard_escape(name or '')};;;;"]
    lines.append(f"FN:{_vcard_escape(name or '')}")
    if organisation:
        lines.append(f"ORG:{_vcard_escape(organisation)}")
    lines.append("END:VCARD")
    return "\n".join(lines)


def _vcard_escape(value: str) -> str:
    return re.sub(r"([\\,;])", r"\\\1", " ".join(value.split()))


def _vocabularies(parent: etree._Element, name: str, uris: list[str]) -> None:
    for uri in _concepts(uris):
        _vocabulary(parent, LOM, name, uri)


def _classification(lom: etree._Element, purpose: str, uris: list[str], label: Label) -> None:
    classification = _sub(lom, LOM, "classification")
    _vocabulary(classification, LOM, "purpose", purpose)
    for uri in uris:
        path = _sub(classification, LOM, "taxonPath")
        _sub(_sub(path, LOM, "source"), LOM, "string", SOURCE)
        taxon = _sub(path, LOM, "taxon")
        _sub(taxon, LOM, "id", uri)
        entry = _sub(_sub(taxon, LOM, "entry"), LOM, "string", label(uri))
        entry.set("language", f"{LANGUAGE_URI}{METADATA_LANGUAGE}")


def _concepts(uris: list[str]) -> list[str]:
    return [uri for uri in uris if uri.startswith(CONCEPTS)]


def _dc_identifier(kind: str, value: str) -> str:
    if kind == "isbn":
        return f"urn:isbn:{value}"
    return value


def oai_dc(record: OaiRecord, label: Label, identifier: str) -> etree._Element:
    """Dublin Core: title, description, every identifier, languages, rights and the rest."""
    dc = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC})
    _sub(dc, DC, "title", record.title)
    _sub(dc, DC, "identifier", identifier)
    known = {identifier}
    own = [_dc_identifier(i.kind, i.value) for i in record.identifiers]
    for value in [*own, record.access_url]:
        if value and value not in known:
            known.add(value)
            _sub(dc, DC, "identifier", value)
    if record.description:
        _sub(dc, DC, "description", record.description)
    _sub(dc, DC, "publisher", record.publisher_name)
    for contributor in record.contributors:
        name = contributor.name or contributor.organisation
        if name:
            _sub(dc, DC, "contributor", name)
    for language in record.languages:
        _sub(dc, DC, "language", language)
    for subject in [*record.keywords, *(label(u) for u in record.disciplines)]:
        _sub(dc, DC, "subject", subject)
    for uri in record.resource_types:
        _sub(dc, DC, "type", label(uri))
    for media_type in record.formats:
        _sub(dc, DC, "format", media_type)
    if record.rights:
        _sub(dc, DC, "rights", record.rights)
    if record.based_on is not None:
        _sub(dc, DC, "relation", _sibling(identifier, record.based_on))
    return dc
