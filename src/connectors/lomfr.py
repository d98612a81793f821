"""The ScoLOMFR / LOM-FR connector: notices of every version, read leniently and safely.

Elements are matched by local name, so the LOM namespace may be prefixed, default, in lower
case (``http://ltsc.ieee.org/xsd/lom``) or absent. Text is read with or without ``<string>``,
trimmed; vocabulary values may be concept URIs (ScoLOMFR 2 and later) or labels (1.x), which
are resolved through the vocabularies. Each notice gives a record and its warnings; with
``strict``, a notice must also validate against the shipped ScoLOMFR 3.2.1 XSD.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator

from lxml import etree

from catalogue.resources.models import (
    Contributor,
    Identifier,
    IdentifierKind,
    ResourceDraft,
    Status,
)
from catalogue.shipped import schemas_dir
from connectors.contract import Context, Record, Rejected

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
LANGUAGE_URI = "http://id.loc.gov/vocabulary/iso639-2/"
_TWO_LETTER = {"fr": "fre", "en": "eng", "de": "ger", "es": "spa", "it": "ita", "pt": "por"}
_SAFE = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_VCARD_ESCAPE = re.compile(r"\\([,;\\nN])")
SCHEMES = {
    "resource_types": ("scolomfr-voc-005",),
    "pedagogical_types": ("scolomfr-voc-010",),
    "audiences": ("scolomfr-voc-011",),
    "levels": ("scolomfr-voc-012", "scolomfr-voc-022"),
    "disciplines": ("scolomfr-voc-015",),
}


class NoticeError(ValueError):
    pass


# Local names by tag. Reading a notice looks up some sixty names: the hot loops below read
# this dict inline (`names.get(tag) or _name(element)`) to spare a call each time, and go
# over children with `element[:]`, a plain list, which costs a fifth of lxml's iterator.
_LOCAL_NAMES: dict[object, str] = {}


def _name(element: etree._Element) -> str:
    tag = element.tag  # "{namespace}local" or "local"; comments and PIs have no str tag
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rpartition("}")[2] if isinstance(tag, str) else ""
        if len(_LOCAL_NAMES) < 4096:  # a hostile document must not grow it without end
            _LOCAL_NAMES[tag] = name
    return name


def _line(element: etree._Element) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    # Faster here than lxml's own "{*}name" filter, which prepares a matcher at each call.
    names = _LOCAL_NAMES
    return [child for child in element[:] if (names.get(child.tag) or _name(child)) == name]


def _group(*elements: etree._Element) -> dict[str, list[etree._Element]]:
    """The children of these elements by local name, read once (sections have many)."""
    groups: dict[str, list[etree._Element]] = {}
    names = _LOCAL_NAMES
    for element in elements:
        for child in element[:]:
            name = names.get(child.tag) or _name(child)
            if name in groups:
                groups[name].append(child)
            else:
                groups[name] = [child]
    return groups


def _path(element: etree._Element, *names: str) -> list[etree._Element]:
    found = [element]
    for name in names:
        found = [child for parent in found for child in _children(parent, name)]
    return found


def _text(element: etree._Element) -> str:
    """A LangString's text (the French one first), or the element's own text, trimmed."""
    count = len(element)
    if count:
        names = _LOCAL_NAMES
        chosen = None
        if count == 1:  # the usual LangString: one <string>, whatever its language
            only = element[0]
            if (names.get(only.tag) or _name(only)) == "string":
                chosen = only
        else:
            for string in element[:]:
                if (names.get(string.tag) or _name(string)) != "string":
                    continue
                language = string.get("language")
                if language and language.endswith(("fre", "fr")):
                    chosen = string
                    break
                if chosen is None:
                    chosen = string
        if chosen is not None:
            element = chosen
        if len(element):
            return " ".join("".join(element.itertext()).split())
    text = element.text
    return " ".join(text.split()) if text else ""


def _texts(elements: list[etree._Element]) -> list[str]:
    return [text for element in elements if (text := _text(element))]


def _first_text(elements: Iterable[etree._Element]) -> str:
    for element in elements:
        if text := _text(element):
            return text
    return ""


def _child_text(element: etree._Element, name: str) -> str:
    """The first non-empty text among the children of that local name."""
    names = _LOCAL_NAMES
    for child in element[:]:
        if (names.get(child.tag) or _name(child)) == name and (text := _text(child)):
            return text
    return ""


def _language(value: str) -> str | None:
    code = value.removeprefix(LANGUAGE_URI).strip().lower()
    code = _TWO_LETTER.get(code, code)
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


class LomFrConnector:
    name = "lomfr"
    description = "Notices ScoLOMFR / LOM-FR en XML (versions 1.x à 3.x et suivantes)"

    def read(self, data: bytes, context: Context) -> Iterator[Record | Rejected]:
        try:
            notices = self._notices(data)
        except NoticeError as exc:
            yield Rejected(message=str(exc))
            return
        for notice in notices:
            try:
                yield self._record(notice, context)
            except NoticeError as exc:
                yield Rejected(message=str(exc), line=_line(notice))

    def _notices(self, data: bytes) -> list[etree._Element]:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise NoticeError(f"document over {MAX_DOCUMENT_BYTES} bytes")
        if _DTD.search(data):
            raise NoticeError(
                "DTDs and entity declarations are refused (XXE, billion laughs, external DTDs)"
            )
        try:
            root = etree.fromstring(data, _SAFE)
        except etree.XMLSyntaxError as exc:
            raise NoticeError(f"not well-formed XML: {exc}") from None
        notices = [root] if _name(root) == "lom" else [e for e in root.iter() if _name(e) == "lom"]
        if not notices:
            raise NoticeError("no <lom> notice in the document")
        return notices

    def _record(self, lom: etree._Element, context: Context) -> Record:
        warnings: list[str] = []
        if context.strict:
            _validate(lom)
        sections = _group(lom)
        if not sections.get("general"):
            raise NoticeError("no <general> section (1. Général)")
        general = _group(sections["general"][0])
        title = _first_text(general.get("title", ()))
        if not title:
            raise NoticeError("no title (1.2 titre)")
        identifiers, source_id = _identifiers(general.get("identifier", []), warnings)
        educational = _group(*sections.get("educational", [])[:1])
        # 1.10 typologie générale (voc-005); 1.9 documentType is DCMI types: not a facet.
        resource_types = _values(
            general.get("generalResourceType", []), SCHEMES["resource_types"], context, warnings
        )
        pedagogical_types = _values(
            educational.get("learningResourceType", []),
            SCHEMES["pedagogical_types"],
            context,
            warnings,
        )
        audiences = _values(
            educational.get("intendedEndUserRole", []), SCHEMES["audiences"], context, warnings
        )
        levels = _values(educational.get("context", []), SCHEMES["levels"], context, warnings)
        taxon_levels, disciplines = _classifications(
            sections.get("classification", []), context, warnings
        )
        technical = _group(*sections.get("technical", ()))
        draft = ResourceDraft(
            title=title[:500],
            description="\n\n".join(_texts(general.get("description", []))),
            keywords=_texts(general.get("keyword", [])),
            languages=[c for t in _texts(general.get("language", [])) if (c := _language(t))],
            resource_types=resource_types,
            pedagogical_types=pedagogical_types,
            audiences=audiences,
            levels=[*levels, *taxon_levels],
            disciplines=disciplines,
            formats=_texts(technical.get("format", [])),
            rights="; ".join(_texts(_group(*sections.get("rights", ())).get("description", [])))
            or None,
            access_url=_url(_texts(technical.get("location", [])), warnings),
            identifiers=identifiers,
            contributors=_contributors(
                _group(*sections.get("lifeCycle", ())).get("contribute", []), warnings
            ),
            status=Status.PUBLISHED,
        )
        # Without identifier nor location, the notice itself is its key (read only then).
        content_key = None if source_id or draft.access_url else notice_key(lom)
        return Record(
            draft=draft,
            source_id=source_id,
            line=_line(lom),
            warnings=warnings,
            content_key=content_key,
        )


# Left out of a notice's key: what exports stamp anew each time (3. metadata, dates).
_UNSTABLE = frozenset({"metaMetadata", "dateTime"})
_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def notice_key(lom: etree._Element) -> str:
    """A hash of the notice in a normalised form: local names, attributes and texts with
    whitespace folded, so namespaces, prefixes, layout and export dates do not change it."""
    digest = hashlib.sha256()

    def walk(element: etree._Element) -> None:
        name = _name(element)
        if not name or name in _UNSTABLE:
            return
        attributes = sorted(
            (key.rpartition("}")[2], " ".join(value.split()))
            for key, value in element.attrib.items()
            if not key.startswith(_XSI)
        )
        text = " ".join((element.text or "").split())
        digest.update(repr((name, attributes, text)).encode())
        for child in element[:]:
            walk(child)
        digest.update(b")")

    walk(lom)
    return f"sha256:{digest.hexdigest()}"


def _identifiers(
    elements: list[etree._Element], warnings: list[str]
) -> tuple[list[Identifier], str | None]:
    identifiers: list[Identifier] = []
    for identifier in elements:
        value = _child_text(identifier, "entry")
        if not value:
            warnings.append("an identifier has no entry (1.1): ignored")
            continue
        kind = _child_text(identifier, "catalog").upper()
        if "ARK" in kind or value.startswith("ark:"):
            identifiers.append(Identifier(IdentifierKind.ARK, value))
        elif "ISBN" in kind:
            identifiers.append(Identifier(IdentifierKind.ISBN, value.replace("-", "")))
        elif value.startswith(("http://", "https://")):
            identifiers.append(Identifier(IdentifierKind.URL, value))
        else:
            warnings.append(f"identifier {kind or '?'}:{value} of unknown kind: ignored")
    source_id = identifiers[0].value if identifiers else None
    return identifiers, source_id


def _values(
    elements: list[etree._Element],
    schemes: tuple[str, ...],
    context: Context,
    warnings: list[str],
) -> list[str]:
    """Vocabulary values: a URI as given, a label resolved to its concept when one matches."""
    found: list[str] = []
    for element in elements:
        value = _child_text(element, "value")
        if not value:
            continue
        if not value.startswith("http"):
            concept = context.concept_for_label(value, schemes)
            if concept:
                warnings.append(f"label {value!r} resolved to {concept}")
                value = concept
        if value not in found:
            found.append(value)
    return found


def _classifications(
    classifications: list[etree._Element], context: Context, warnings: list[str]
) -> tuple[list[str], list[str]]:
    """Detailed levels and teaching domains from classification taxon paths (the leaf)."""
    levels: list[str] = []
    disciplines: list[str] = []
    for classification in classifications:
        parts = _group(classification)
        purpose = " ".join([_child_text(p, "value") for p in parts.get("purpose", ())]).lower()
        if "educational_level" in purpose or "educational level" in purpose:
            target, schemes = levels, SCHEMES["levels"]
        elif "voc-028-num-003" in purpose or "domaine" in purpose or "discipline" in purpose:
            target, schemes = disciplines, SCHEMES["disciplines"]
        else:
            continue
        for path in parts.get("taxonPath", ()):
            taxons = _children(path, "taxon")
            if not taxons:
                continue
            leaf = taxons[-1]
            uri = _child_text(leaf, "id")
            if not uri.startswith("http"):
                label = _child_text(leaf, "entry")
                resolved = context.concept_for_label(label, schemes) if label else None
                if resolved:
                    warnings.append(f"taxon {label!r} resolved to {resolved}")
                uri = resolved or label or uri
            if uri and uri not in target:
                target.append(uri)
    return levels, disciplines


def _contributors(elements: list[etree._Element], warnings: list[str]) -> list[Contributor]:
    """2.3 contributions: the role, and each entity's vCard name (FN) and organisation (ORG)."""
    found: list[Contributor] = []
    for contribute in elements:
        # The role's value, else its label (a role outside the vocabulary, as we export it).
        roles = _texts(_path(contribute, "role", "value")) or _texts(
            _path(contribute, "role", "label")
        )
        role = " ".join(roles[:1])
        for entity in _children(contribute, "entity"):
            name, organisation = vcard_name(entity.text or "")
            if not name and not organisation:
                warnings.append("a contribution's vCard has neither FN nor ORG: ignored")
                continue
            found.append(Contributor(role=role[:300], name=name[:300], organisation=organisation))
    return found


def vcard_name(vcard: str) -> tuple[str, str | None]:
    """The formatted name (FN) and first organisation unit (ORG) of a vCard 3 or 4."""
    unfolded = re.sub(r"\r?\n[ \t]", "", vcard.strip())  # RFC 6350 line folding
    name, organisation = "", None
    for line in unfolded.splitlines():
        key, _, value = line.partition(":")
        prop = key.split(";", 1)[0].strip().upper()
        if prop == "FN":
            name = _vcard_text(value)
        elif prop == "ORG":
            organisation = _vcard_text(re.split(r"(?<!\\);", value, maxsplit=1)[0]) or None
    return name, organisation[:300] if organisation else None


def _vcard_text(value: str) -> str:
    # One pass, so that an escaped backslash before "n" ("C:\\new") stays a backslash.
    text = _VCARD_ESCAPE.sub(lambda m: " " if m[1] in "nN" else m[1], value)
    return " ".join(text.split())


def _url(locations: list[str], warnings: list[str]) -> str | None:
    for location in locations:
        if location.startswith(("http://", "https://")) and len(location) <= 2000:
            return location
        warnings.append(f"location {location[:80]!r} is not an http(s) URL: ignored")
    return None


@functools.cache
def _schema() -> etree.XMLSchema:
    path = schemas_dir() / "xsd" / "scolomfr-3.2.1" / "scolomfr.xsd"
    return etree.XMLSchema(etree.parse(str(path), _SAFE))


def _validate(lom: etree._Element) -> None:
    schema = _schema()
    if not schema.validate(etree.ElementTree(lom)):
        error = schema.error_log[0]
        raise NoticeError(f"not valid ScoLOMFR 3.2.1 (line {error.line}): {error.message}")
