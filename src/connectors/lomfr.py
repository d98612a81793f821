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
from collections.abc import Iterator

from lxml import etree

from catalogue.shipped import schemas_dir
from catalogue.vocabularies.extra import LANGUAGES
from catalogue.vocabularies.index import label_key
from catalogue.vocabularies.languages import normalise_language
from connectors.contract import (
    Context,
    Contributor,
    Identifier,
    IdentifierKind,
    Record,
    Rejected,
    ResourceDraft,
    Status,
)
from connectors.lomvocab import SCHEMES, classifications
from connectors.lomvocab import values as vocabulary_values
from connectors.lomxml import (
    by_path,
    child_text,
    children,
    first_text,
    group,
    line_of,
    local_name,
    texts,
)
from connectors.vcard import MAX_NAME, vcard_name

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_TITLE = 500
MAX_URL = 2000
# Languages by their French name, for notices that write "français" where a code belongs.
_LANGUAGE_NAMES = {label_key(name): code for code, name in LANGUAGES.items()}
_SAFE = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class NoticeError(ValueError):
    pass


def _languages(values: list[str], warnings: list[str]) -> list[str]:
    """1.3 languages as stored codes: known ones brought to ISO 639-2/B, unknown codes kept,
    French names read as their code; anything else is dropped, each with a warning."""
    codes: list[str] = []
    for value in values:
        found = normalise_language(value)
        if found is None:
            named = _LANGUAGE_NAMES.get(label_key(value))
            if named is None:
                warnings.append(f"langue {value!r} qui n'est pas un code de langue (1.3) : ignorée")
                continue
            warnings.append(f"langue {value!r} lue comme {named!r}")
            code = named
        else:
            code = found.code
            if not found.known:
                warnings.append(
                    f"code de langue {value!r} inconnu de l'ISO 639 : gardé comme {code!r}"
                )
            elif code != value and not value.endswith(f"/{code}"):
                warnings.append(f"langue {value!r} lue comme {code!r}")
        if code not in codes:
            codes.append(code)
    return codes


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
                yield Rejected(message=str(exc), line=line_of(notice))
            except (ValueError, TypeError) as exc:  # a shape nobody foresaw: this notice only
                yield Rejected(message=f"notice illisible : {exc}", line=line_of(notice))

    def _notices(self, data: bytes) -> list[etree._Element]:
        if len(data) > MAX_DOCUMENT_BYTES:
            raise NoticeError(f"document de plus de {MAX_DOCUMENT_BYTES} octets")
        if _DTD.search(data):
            raise NoticeError(
                "DTD et déclarations d'entités refusées (XXE, billion laughs, DTD externes)"
            )
        try:
            root = etree.fromstring(data, _SAFE)
        except etree.XMLSyntaxError as exc:
            raise NoticeError(f"XML mal formé : {exc}") from None
        if local_name(root) == "lom":
            return [root]
        notices = [e for e in root.iter() if local_name(e) == "lom"]
        if not notices:
            raise NoticeError("aucune notice <lom> dans le document")
        return notices

    def _record(self, lom: etree._Element, context: Context) -> Record:
        warnings: list[str] = []
        if context.strict:
            _validate(lom)
        sections = group(lom)
        if not sections.get("general"):
            raise NoticeError("pas de section <general> (1. Général)")
        general = group(sections["general"][0])
        title = first_text(general.get("title", ()))
        if not title:
            raise NoticeError("pas de titre (1.2 titre)")
        if len(title) > MAX_TITLE:
            warnings.append(f"titre (1.2) coupé à ses {MAX_TITLE} premiers caractères")
        identifiers, source_id = _identifiers(general.get("identifier", []), warnings)
        educational = group(*sections.get("educational", ()))
        # 1.10 typologie générale (voc-005); 1.9 documentType is DCMI types: not a facet.
        resource_types = vocabulary_values(
            general.get("generalResourceType", []), SCHEMES["resource_types"], context, warnings
        )
        pedagogical_types = vocabulary_values(
            educational.get("learningResourceType", []),
            SCHEMES["pedagogical_types"],
            context,
            warnings,
        )
        audiences = vocabulary_values(
            educational.get("intendedEndUserRole", []), SCHEMES["audiences"], context, warnings
        )
        levels = vocabulary_values(
            educational.get("context", []), SCHEMES["levels"], context, warnings
        )
        taxon_levels, disciplines = classifications(
            sections.get("classification", []), context, warnings
        )
        technical = group(*sections.get("technical", ()))
        draft = ResourceDraft(
            title=title[:MAX_TITLE],
            description="\n\n".join(texts(general.get("description", []))),
            keywords=texts(general.get("keyword", [])),
            languages=_languages(texts(general.get("language", [])), warnings),
            resource_types=resource_types,
            pedagogical_types=pedagogical_types,
            audiences=audiences,
            levels=_unique([*levels, *taxon_levels]),
            disciplines=disciplines,
            formats=texts(technical.get("format", [])),
            rights="; ".join(texts(group(*sections.get("rights", ())).get("description", [])))
            or None,
            access_url=_url(texts(technical.get("location", [])), warnings),
            identifiers=identifiers,
            contributors=_contributors(
                group(*sections.get("lifeCycle", ())).get("contribute", []), warnings
            ),
            status=Status.PUBLISHED,
        )
        # Without identifier nor location, the notice itself is its key (read only then).
        content_key = None if source_id or draft.access_url else notice_key(lom)
        return Record(
            draft=draft,
            source_id=source_id,
            line=line_of(lom),
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
        name = local_name(element)
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


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _identifiers(
    elements: list[etree._Element], warnings: list[str]
) -> tuple[list[Identifier], str | None]:
    identifiers: list[Identifier] = []
    for identifier in elements:
        value = child_text(identifier, "entry")
        if not value:
            warnings.append("identifiant sans entrée (1.1) : ignoré")
            continue
        kind = child_text(identifier, "catalog").upper()
        if "ARK" in kind or value.startswith("ark:"):
            identifiers.append(Identifier(IdentifierKind.ARK, value))
        elif "ISBN" in kind:
            identifiers.append(Identifier(IdentifierKind.ISBN, value.replace("-", "")))
        elif value.startswith(("http://", "https://")):
            identifiers.append(Identifier(IdentifierKind.URL, value))
        else:
            warnings.append(f"identifiant {kind or '?'}:{value} de type inconnu : ignoré")
    source_id = identifiers[0].value if identifiers else None
    return identifiers, source_id


def _contributors(elements: list[etree._Element], warnings: list[str]) -> list[Contributor]:
    """2.3 contributions: the role, and each entity's vCard name (FN) and organisation (ORG).
    An entity in plain text, not a vCard, is kept as a name."""
    found: list[Contributor] = []
    for contribute in elements:
        # The role's value, else its label (a role outside the vocabulary, as we export it).
        roles = texts(by_path(contribute, "role", "value")) or texts(
            by_path(contribute, "role", "label")
        )
        role = " ".join(roles[:1])
        for entity in children(contribute, "entity"):
            text = (entity.text or "").strip()
            if not text:
                warnings.append("contribution à l'entité vide (2.3.2) : ignorée")
                continue
            if _VCARD.search(text):
                name, organisation = vcard_name(text)
            else:
                name, organisation = " ".join(text.split()), None
                warnings.append(
                    f"contributeur {name[:80]!r} qui n'est pas une vCard : gardé comme nom"
                )
            if not name and not organisation:
                warnings.append("vCard de contribution sans FN ni ORG : ignorée")
                continue
            if len(name) > MAX_NAME:
                warnings.append(f"nom de contributeur coupé à ses {MAX_NAME} premiers caractères")
            found.append(
                Contributor(role=role[:MAX_NAME], name=name[:MAX_NAME], organisation=organisation)
            )
    return found


_VCARD = re.compile(r"BEGIN\s*:\s*VCARD", re.IGNORECASE)


# One-line vCards ("BEGIN:VCARD VERSION:3.0 N:EDUMEDIA FN:EDUMEDIA END:VCARD"): a property
# starts after a space wherever a vCard property name and its colon follow.
def _url(locations: list[str], warnings: list[str]) -> str | None:
    found = None
    for location in locations:
        if not location.startswith(("http://", "https://")):
            warnings.append(
                f"localisation {location[:80]!r} qui n'est pas une URL http(s) : ignorée"
            )
        elif len(location) > MAX_URL:
            warnings.append(
                f"localisation {location[:80]!r} de plus de {MAX_URL} caractères : ignorée"
            )
        elif found is None:
            found = location
        elif location != found:
            warnings.append(
                f"localisation {location[:80]!r} (4.3) : seule la première URL est gardée"
            )
    return found


@functools.cache
def _schema() -> etree.XMLSchema:
    path = schemas_dir() / "xsd" / "scolomfr-3.2.1" / "scolomfr.xsd"
    return etree.XMLSchema(etree.parse(str(path), _SAFE))


def _validate(lom: etree._Element) -> None:
    schema = _schema()
    if not schema.validate(etree.ElementTree(lom)):
        error = schema.error_log[0]
        raise NoticeError(f"non conforme à ScoLOMFR 3.2.1 (ligne {error.line}) : {error.message}")
