"""The Meilisearch index as this catalogue defines it: its fields, settings (French stop words,
school synonyms, typo thresholds), filter expressions, and how hits and documents are read and
written (snippets escaped, with only the engine's matches in <mark>)."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec
from meilisearch_python_sdk.models.settings import (
    Faceting,
    MeilisearchSettings,
    MinWordSizeForTypos,
    Pagination,
    TypoTolerance,
)

from catalogue.search.models import FACET_ATTRIBUTES, FacetField, Hit, SearchDocument, Sort
from catalogue.shipped import schemas_dir

FIELDS = FACET_ATTRIBUTES
SEARCHABLE = ["title", "keywords", "concept_labels", "description", "publisher_name"]
FILTERABLE = [
    "levels",
    "disciplines",
    "resource_types",
    "pedagogical_types",
    "audiences",
    "licence_types",
    "accessibility",
    "languages",
    "publisher_id",
    "free",
    "commun",
    "min_price_cents",
]
SORTABLE = ["min_price_cents", "published_at"]
SORTS: dict[Sort, list[str] | None] = {
    Sort.RELEVANCE: None,
    Sort.PRICE_ASC: ["min_price_cents:asc"],
    Sort.PRICE_DESC: ["min_price_cents:desc"],
    Sort.NEWEST: ["published_at:desc"],
}
RETRIEVED = [
    "id",
    "title",
    "description",
    "publisher_id",
    "publisher_name",
    "levels_tagged",
    "disciplines_tagged",
    "min_price_cents",
    "free",
    "thumbnail_url",
    "licence_types",
]
# Control characters no description keeps (see _document), so they can only come from the
# engine's highlighting, after which the text is escaped and they become <mark> tags.
MARK_START = "\u0002"
MARK_END = "\u0003"
CROP_WORDS = 30
PLAIN_SNIPPET_CHARS = 200


def filter_expression(filters: Mapping[FacetField, Sequence[str]]) -> str | None:
    """Values of one field OR together, fields AND together; every value a quoted literal."""
    clauses = [_field_clause(field, values) for field, values in filters.items() if values]
    return " AND ".join(clauses) or None


def _field_clause(field: FacetField, values: Sequence[str]) -> str:
    name = FIELDS[field]
    return "(" + " OR ".join(f"{name} = {_literal(field, value)}" for value in values) + ")"


def _literal(field: FacetField, value: str) -> str:
    if field in (FacetField.FREE, FacetField.COMMUN) and value in ("true", "false"):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def index_settings(schemas: Path | None = None) -> MeilisearchSettings:
    folder = (schemas or schemas_dir()) / "search"
    return MeilisearchSettings(
        searchable_attributes=SEARCHABLE,
        filterable_attributes=[*FILTERABLE],
        sortable_attributes=SORTABLE,
        stop_words=_stop_words(folder / "stopwords-fr.txt"),
        synonyms=_synonyms(folder / "synonymes.json"),
        typo_tolerance=TypoTolerance(
            enabled=True,
            min_word_size_for_typos=MinWordSizeForTypos(one_typo=4, two_typos=8),
        ),
        faceting=Faceting(max_values_per_facet=500),
        pagination=Pagination(max_total_hits=100_000),
    )


def _stop_words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [word for line in lines if (word := line.strip())]


def _synonyms(path: Path) -> dict[str, list[str]]:
    groups: list[list[str]] = json.loads(path.read_text(encoding="utf-8"))["groups"]
    synonyms: dict[str, list[str]] = {}
    for group in groups:
        terms = [term.lower() for term in group]
        for term in terms:
            known = synonyms.setdefault(term, [])
            known.extend(other for other in terms if other != term and other not in known)
    return synonyms


def snippet(hit: Mapping[str, Any]) -> str:
    """The cropped description, HTML-escaped, with only the engine's matches in <mark>."""
    formatted = hit.get("_formatted", {}).get("description")
    if not isinstance(formatted, str):
        formatted = str(hit.get("description") or "")[:PLAIN_SNIPPET_CHARS]
    escaped = html.escape(formatted)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def hit(raw: Mapping[str, Any]) -> Hit:
    return msgspec.convert({**raw, "snippet": snippet(raw)}, Hit)


def facet_counts(
    asked: Sequence[FacetField], distribution: Mapping[str, Any] | None
) -> dict[FacetField, dict[str, int]]:
    found = distribution or {}
    return {
        field: {str(value): int(count) for value, count in found.get(FIELDS[field], {}).items()}
        for field in asked
    }


def document(doc: SearchDocument) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(doc)
    data["description"] = data["description"].replace(MARK_START, "").replace(MARK_END, "")
    return data
