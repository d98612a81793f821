"""Reading the ministry's open dataset of establishments, "Annuaire de l'éducation"
(`fr-en-annuaire-education`, Licence Ouverte), from its `;`-separated CSV export or its JSON
export. Columns are found by name, whatever their case (the CSV export capitalises them);
every other column is ignored. A line that can't be used is reported with its number, and
the others are read."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from typing import Any

import msgspec

from catalogue.errors import InvalidInputError
from catalogue.identity.uai import uai_problem

# The dataset's state of an establishment, as the directory stores it.
STATES = {
    "OUVERT": "open",
    "A OUVRIR": "opening",
    "A FERMER": "closing",
    "FERME": "closed",
    "FERMÉ": "closed",
}
REQUIRED = ("identifiant_de_l_etablissement", "nom_etablissement", "libelle_academie")


class Establishment(msgspec.Struct, frozen=True, kw_only=True):
    """One establishment as the dataset describes it."""

    uai: str
    name: str
    academie: str
    academie_code: str | None
    kind: str | None
    sector: str | None
    postal_code: str | None
    commune: str | None
    departement: str | None
    region: str | None
    state: str
    search_text: str


def read_dataset(data: bytes) -> Iterator[tuple[int, Establishment | str]]:
    """Each row of the export by its line: an establishment, or why the line is refused. The
    JSON export is a list of objects (or of `{"fields": {...}}` records); lines count from
    the header in CSV, and from 1 in JSON."""
    text = _decode(data)
    rows = _json_rows(text) if text.lstrip().startswith(("[", "{")) else _csv_rows(text)
    for line, row in rows:
        yield line, _establishment(row)


def search_text(*parts: str | None) -> str:
    """What a search matches: lower case, without accents, spaces collapsed."""
    joined = " ".join(p for p in parts if p)
    plain = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"Fichier illisible : il n'est pas en UTF-8 (octet {exc.start})."
        ) from None


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text), delimiter=";")
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        _check_columns(header)
        for cells in reader:
            if any(cells):
                yield reader.line_num, dict(zip(header, cells, strict=False))
    except csv.Error as exc:
        raise InvalidInputError(
            f"Fichier illisible à la ligne {reader.line_num} : {exc}."
        ) from None


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        items = msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise InvalidInputError(f"JSON illisible : {exc}.") from None
    if not isinstance(items, list):
        raise InvalidInputError("JSON inattendu : une liste d'établissements est attendue.")
    for number, item in enumerate(items, start=1):
        fields = item.get("fields", item) if isinstance(item, dict) else None
        if isinstance(fields, dict):
            yield number, {str(k).lower(): v for k, v in fields.items()}
        else:
            yield number, {}


def _check_columns(header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InvalidInputError(
            "Ce fichier n'est pas l'export de l'annuaire de l'éducation : colonnes absentes "
            + ", ".join(missing)
            + "."
        )


def _establishment(row: dict[str, Any]) -> Establishment | str:
    def cell(name: str) -> str | None:
        value = row.get(name)
        text = str(value).strip() if value is not None else ""
        return text or None

    uai = (cell("identifiant_de_l_etablissement") or "").upper()
    if problem := uai_problem(uai):
        return problem
    name, academie = cell("nom_etablissement"), cell("libelle_academie")
    if name is None or academie is None:
        return f"{uai} : nom ou académie manquant"
    state = STATES.get((cell("etat") or "OUVERT").upper())
    if state is None:
        return f"{uai} : état inconnu {cell('etat')!r}"
    commune, postal_code = cell("nom_commune"), cell("code_postal")
    return Establishment(
        uai=uai,
        name=name,
        academie=academie.lower(),
        academie_code=cell("code_academie"),
        kind=cell("type_etablissement"),
        sector=cell("statut_public_prive"),
        postal_code=postal_code,
        commune=commune,
        departement=cell("code_departement"),
        region=cell("code_region"),
        state=state,
        search_text=search_text(name, commune, postal_code, uai),
    )
