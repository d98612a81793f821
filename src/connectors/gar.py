"""The GAR connector: the resource listings of the GAR (gestionnaire d'accès aux ressources).

Two documents, told apart by their first character:

- a ``listeRessources`` JSON, what the GAR gives an ENT médiacentre:
  ``{"listeRessources": {"ressource": [{"idRessource": ..., "nomRessource": ...}, ...]}}``,
  with lists of ``{uri, nom}`` for ``typePedagogique`` (voc-010), ``typologieDocument``
  (voc-005), ``niveauEducatif`` (voc-022) and ``domaineEnseignement`` (voc-015);
- a ``listeRessourcesDiffusables`` XML (namespace ``http://gar.education.fr/schemas/init/0/1/``),
  what the GAR answers a publisher: one ``ressourceDiffusable`` per resource.

The GAR resource id (``idRessource``, an ARK) is the record's source id, so a re-import finds
the same resource again, and an ARK is kept as an identifier. Each bad record is rejected
with its position (``ressource 3``) and line; every value not kept is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
from lxml import etree

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

NAMESPACE = "http://gar.education.fr/schemas/init/0/1/"
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_URL = 2000
# The {uri, nom} lists of a listing and the schemes of their concepts: typologieDocument
# gives resource types, typePedagogique pedagogical types, niveauEducatif levels and
# domaineEnseignement disciplines.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "typologieDocument": ("scolomfr-voc-005",),
    "typePedagogique": ("scolomfr-voc-010",),
    "niveauEducatif": ("scolomfr-voc-012", "scolomfr-voc-022"),
    "domaineEnseignement": ("scolomfr-voc-015",),
}
# What a listing says of the GAR's own distribution, not of the resource: not kept (docs).
NOT_KEPT = frozenset(
    {
        "idEditeur",
        "idType",
        "distributeurTech",
        "nomDistributeurTech",
        "validateurTech",
        "distributeursCom",
        "nomSourceEtiquetteGar",
        "urlSourceEtiquette",
        "affichable",
        "mereFamille",
        "membreFamille",
    }
)
READ = frozenset(
    {
        "idRessource",
        "nomRessource",
        "nomEditeur",
        "description",
        "urlAccesRessource",
        "urlVignette",
        "typePresentation",
        "diffusable",
        *VOCABULARIES,
    }
)
_SAFE = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_BYTE = re.compile(r"\(byte (\d+)\)")
_ARK = re.compile(r"ark:/?\S+")


class ListingError(ValueError):
    pass


class GarConnector:
    name = "gar"
    description = (
        "Listes de ressources du GAR : listeRessources (JSON) ou listeRessourcesDiffusables (XML)"
    )

    def read(self, data: bytes, context: Context) -> Iterator[Record | Rejected]:
        if len(data) > MAX_DOCUMENT_BYTES:
            yield Rejected(message=f"document de plus de {MAX_DOCUMENT_BYTES} octets")
            return
        data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            if data.lstrip()[:1] == b"<":
                entries = list(_xml_entries(data))
            else:
                entries = list(_json_entries(data))
        except ListingError as exc:
            yield Rejected(message=str(exc))
            return
        for entry in entries:
            if isinstance(entry, Rejected):
                yield entry
                continue
            fields, where, line = entry
            try:
                yield _record(fields, line, context)
            except ListingError as exc:
                source = fields.get("idRessource")
                yield Rejected(
                    message=f"{where} : {exc}",
                    line=line,
                    source_id=source if isinstance(source, str) and source else None,
                )


Entry = tuple[dict[str, Any], str, int | None] | Rejected


def _json_entries(data: bytes) -> Iterator[Entry]:
    """Each ``ressource`` of a listeRessources document, with its position and line."""
    try:
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
        if "listeRessources" not in top:
            names = ", ".join(sorted(top)[:10]) + (", ..." if len(top) > 10 else "")
            raise ListingError(
                f"pas une liste du GAR : pas de listeRessources (champs : {names or 'aucun'})"
            )
        listing = msgspec.json.decode(top["listeRessources"], type=dict[str, msgspec.Raw])
        raw = listing.get("ressource")
        if raw is None:
            raise ListingError("listeRessources sans liste ressource")
        first = bytes(raw).lstrip()[:1]
        items = msgspec.json.decode(raw, type=list[msgspec.Raw]) if first == b"[" else [raw]
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ListingError(_json_error(exc, data)) from None
    cursor, line = 0, 1
    for number, item in enumerate(items, start=1):
        text = bytes(item)
        found = data.find(text, cursor)
        if found >= 0:  # always, the item being a slice of the document: its line
            line += data.count(b"\n", cursor, found)
            cursor = found
        where = f"ressource {number}"
        try:
            fields = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError) as exc:  # nested too deeply
            yield Rejected(message=f"{where} : {exc}", line=line)
            continue
        if not isinstance(fields, dict):
            yield Rejected(message=f"{where} : objet attendu", line=line)
            continue
        yield fields, where, line


def _json_error(exc: Exception, data: bytes) -> str:
    if isinstance(exc, RecursionError):
        return "JSON illisible : imbrication trop profonde"
    if isinstance(exc, msgspec.ValidationError):
        return f"pas un document listeRessources du GAR : {exc}"
    message = f"JSON illisible : {exc}"
    if match := _BYTE.search(str(exc)):
        line = data.count(b"\n", 0, int(match[1])) + 1
        message += f" (ligne {line})"
    return message


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _xml_entries(data: bytes) -> Iterator[Entry]:
    """Each ``ressourceDiffusable`` of a listeRessourcesDiffusables document."""
    if _DTD.search(data):
        raise ListingError(
            "DTD et déclarations d'entités refusées (XXE, billion laughs, DTD externes)"
        )
    try:
        root = etree.fromstring(data, _SAFE)
    except etree.XMLSyntaxError as exc:
        raise ListingError(f"XML mal formé : {exc}") from None
    if _local(root) != "listeRessourcesDiffusables":
        raise ListingError(f"pas une liste du GAR : la racine est <{_local(root)}>")
    number = 0
    for child in root:
        name = _local(child)
        if name in ("", "dateGeneration"):
            continue
        line = child.sourceline if isinstance(child.sourceline, int) else None
        if name != "ressourceDiffusable":
            yield Rejected(
                message=f"<{name}> qui n'est pas un ressourceDiffusable : ignoré", line=line
            )
            continue
        number += 1
        fields: dict[str, Any] = {}
        for part in child:
            key = _local(part)
            if key:
                fields[key] = " ".join("".join(part.itertext()).split())
        yield fields, f"ressourceDiffusable {number}", line


def _text(fields: dict[str, Any], key: str, warnings: list[str]) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        warnings.append(f"{key} qui n'est pas une chaîne : ignoré")
        return ""
    return " ".join(value.split())


def _url(fields: dict[str, Any], key: str, warnings: list[str]) -> str | None:
    value = _text(fields, key, warnings)
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        warnings.append(f"{key} {value[:80]!r} qui n'est pas une URL http(s) : ignoré")
        return None
    if len(value) > MAX_URL:
        warnings.append(f"{key} {value[:80]!r} de plus de {MAX_URL} caractères : ignoré")
        return None
    return value


def _record(fields: dict[str, Any], line: int | None, context: Context) -> Record:
    warnings: list[str] = []
    source_id = fields.get("idRessource")
    if not isinstance(source_id, str) or not source_id.strip():
        raise ListingError("pas d'idRessource (l'identifiant GAR de la ressource)")
    source_id = source_id.strip()
    title = _text(fields, "nomRessource", warnings)
    if not title:
        raise ListingError("pas de nomRessource (le titre)")
    warnings.extend(
        f"champ {key} hors du format des listes du GAR : ignoré"
        for key in sorted(set(fields) - READ - NOT_KEPT)
    )

    def concepts(key: str) -> list[str]:
        return _concepts(fields.get(key), key, VOCABULARIES[key], context, warnings)

    resource_types = concepts("typologieDocument")
    pedagogical_types = concepts("typePedagogique")
    levels = concepts("niveauEducatif")
    disciplines = concepts("domaineEnseignement")
    publisher = _text(fields, "nomEditeur", warnings)
    status = Status.PUBLISHED
    if fields.get("diffusable") in ("false", False):
        warnings.append("diffusable à false : importée en brouillon")
        status = Status.DRAFT
    draft = ResourceDraft(
        title=title,
        description=_text(fields, "description", warnings),
        keywords=_presentation(fields.get("typePresentation"), warnings),
        thumbnail_url=_url(fields, "urlVignette", warnings),
        access_url=_url(fields, "urlAccesRessource", warnings),
        identifiers=_identifiers(source_id, warnings),
        contributors=[Contributor(role="publisher", name=publisher)] if publisher else [],
        resource_types=resource_types,
        pedagogical_types=pedagogical_types,
        levels=levels,
        disciplines=disciplines,
        status=status,
    )
    return Record(draft=draft, source_id=source_id, line=line, warnings=warnings)


def _identifiers(source_id: str, warnings: list[str]) -> list[Identifier]:
    """The ARK of an ``idRessource`` (``ark:/...``, or within a resolver URL such as
    ``http://n2t.net/ark:/...``); another id is the source id only."""
    found = _ARK.search(source_id)
    if found is None or not (found.start() == 0 or source_id.startswith(("http://", "https://"))):
        warnings.append(
            f"idRessource {source_id!r} qui n'est pas un ARK : "
            "gardé comme identifiant source seulement"
        )
        return []
    ark = found[0]
    if ark != source_id:
        warnings.append(f"idRessource {source_id!r} gardé comme ARK {ark!r}")
    return [Identifier(IdentifierKind.ARK, ark)]


def _presentation(value: Any, warnings: list[str]) -> list[str]:
    """``typePresentation`` {code, nom}: its name, kept as a keyword (no vocabulary of ours)."""
    if value is None:
        return []
    if isinstance(value, dict):
        name = value.get("nom") or value.get("code")
        if isinstance(name, str) and name.strip():
            return [" ".join(name.split())]
    warnings.append(f"typePresentation {str(value)[:80]!r} qui n'est pas un {{code, nom}} : ignoré")
    return []


def _concepts(
    pairs: Any,
    key: str,
    schemes: tuple[str, ...],
    context: Context,
    warnings: list[str],
) -> list[str]:
    """The concept URIs of a list of {uri, nom}: a known URI as it is (a retired one replaced
    by its successor); an unknown one kept, with its label's concept when the label names one
    of these schemes; an entry without uri found by its label, else reported."""
    if pairs is None:
        return []
    if not isinstance(pairs, list):
        pairs = [pairs]
    found: list[str] = []
    for pair in pairs:
        for uri in _concept(pair, key, schemes, context, warnings):
            if uri not in found:
                found.append(uri)
    return found


def _concept(
    pair: Any, key: str, schemes: tuple[str, ...], context: Context, warnings: list[str]
) -> list[str]:
    if not isinstance(pair, dict):
        warnings.append(f"{key} : {str(pair)[:80]!r} qui n'est pas un {{uri, nom}} : ignoré")
        return []
    raw_uri, raw_name = pair.get("uri"), pair.get("nom")
    uri = raw_uri.strip() if isinstance(raw_uri, str) else ""
    name = " ".join(raw_name.split()) if isinstance(raw_name, str) else ""
    if uri:
        concept = context.concept(uri)
        if concept is not None and concept.replaced_by and concept.replaced_by != uri:
            warnings.append(f"{key} : concept retiré {uri} remplacé par {concept.replaced_by}")
            return [concept.replaced_by]
        if concept is not None and concept.scheme in schemes:
            return [uri]
    labelled = context.concept_for_label(name, schemes) if name else None
    if uri:
        found = [uri, labelled] if labelled else [uri]
        warnings.append(
            f"{key} : {uri} inconnu des vocabulaires : gardé, et son libellé {name!r} lu comme "
            f"{labelled}"
            if labelled
            else f"{key} : {uri} ({name!r}) inconnu des vocabulaires : gardé"
        )
        return found
    if labelled:
        warnings.append(f"{key} : {name!r} sans uri, lu comme {labelled}")
        return [labelled]
    warnings.append(f"{key} : entrée sans uri connue ({name!r}) : ignorée")
    return []
