"""The publish and edit form of communs: its fields as a draft, its files as they stream, and
the service's refusals as errors beside the fields they name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar.datastructures import FormMultiDict

from catalogue.communs.models import CommunDraft, CommunView
from catalogue.errors import UnprocessableError
from catalogue.form_stream import (
    FIELD_BYTES,
    MAX_PARTS,
    FilePart,
    StreamedForm,
    multipart_boundary,
)
from catalogue.identity.csrf import FORM_FIELD
from catalogue.web.common import AnyRequest, field

FILES = "fichiers"  # the file input, the form's last field (fields after files are refused)
# Form field → draft field, for the one concept each form asks.
CONCEPTS = {
    "niveau": ("levels", "scolomfr-voc-022"),
    "discipline": ("disciplines", "scolomfr-voc-015"),
    "type": ("resource_types", "scolomfr-voc-005"),
    "type_pedagogique": ("pedagogical_types", "scolomfr-voc-010"),
}
_FIELD_OF = {"title": "titre", "link": "lien", "licence": "licence", "keywords": "mots_cles"}
_FORM_FIELDS = (*_FIELD_OF.values(), "description", "langue", "afficher_nom", *CONCEPTS)
# Besides the files, what a form may weigh: its fields and every part's head.
_FORM_BYTES = MAX_PARTS * (FIELD_BYTES + 8 * 1024)


def size_label(size: int) -> str:
    """A size in bytes as the pages say it ("100 Mo", "1,5 Go")."""
    for unit, factor in (("Go", 1024**3), ("Mo", 1024**2), ("Ko", 1024)):
        if size >= factor:
            text = f"{size / factor:.1f}".removesuffix(".0").replace(".", ",")
            return f"{text} {unit}"
    return f"{size} octets"


def form_values(commun: CommunView | None) -> dict[str, str]:
    if commun is None:
        return {"langue": "fre", "licence": "CC-BY-4.0"}
    return {
        "titre": commun.title,
        "description": commun.description,
        "niveau": commun.levels[0].uri if commun.levels else "",
        "discipline": commun.disciplines[0].uri if commun.disciplines else "",
        "type": commun.resource_types[0].uri if commun.resource_types else "",
        "type_pedagogique": commun.pedagogical_types[0].uri if commun.pedagogical_types else "",
        "langue": commun.language,
        "mots_cles": ", ".join(commun.keywords),
        "lien": commun.link or "",
        "licence": commun.licence.id,
        "afficher_nom": "oui" if commun.show_name else "",
    }


def draft_of(values: dict[str, str]) -> CommunDraft:
    """The form as a draft; a value the draft refuses is a 422 naming its field."""
    body: dict[str, Any] = {
        "title": values.get("titre", ""),
        "description": values.get("description", ""),
        "language": values.get("langue") or "fre",
        "keywords": [k.strip() for k in values.get("mots_cles", "").split(",") if k.strip()],
        "link": values.get("lien") or None,
        "licence": values.get("licence", ""),
        "show_name": values.get("afficher_nom") == "oui",
    }
    for name, (key, _) in CONCEPTS.items():
        body[key] = [values[name]] if values.get(name) else []
    try:
        return msgspec.convert(body, CommunDraft)
    except msgspec.ValidationError as exc:
        path = str(exc).rsplit("`$.", 1)[-1].split("`")[0].split("[")[0]
        name = _FIELD_OF.get(path, "formulaire")
        raise UnprocessableError(
            f"Valeur refusée : {exc}", errors=[{"key": name, "message": "Valeur refusée."}]
        ) from exc


def _errors(exc: UnprocessableError) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in exc.extra.get("errors", []):
        key = str(error.get("key", ""))
        name = _FIELD_OF.get(key) or next(
            (n for n, (k, _) in CONCEPTS.items() if key.startswith(k)), "formulaire"
        )
        found[name] = exc.shown
    return found or {"formulaire": exc.shown}


class Submission:
    """What a publish or edit form sent: its fields, then its files as the body streams
    (``multipart/form-data``); a form sent url-encoded has fields only."""

    def __init__(self, form: FormMultiDict, stream: StreamedForm | None) -> None:
        self.values = {name: field(form, name) for name in _FORM_FIELDS}
        self._stream = stream
        self._names: set[str] = {"name"}  # the key of a refused file name (files.check_name)

    @classmethod
    async def read(cls, request: AnyRequest, *, max_files_bytes: int) -> Submission:
        """The fields; the files wait for ``files()``. The CSRF middleware has checked the
        token, the first part of a multipart body (identity.csrf)."""
        boundary = multipart_boundary(request.headers.get("content-type"))
        if boundary is None:
            return cls(await request.form(), None)
        stream = StreamedForm(request.receive, boundary, limit=max_files_bytes + _FORM_BYTES)
        return cls(await stream.fields(leave_out=FORM_FIELD), stream)

    def files(self) -> AsyncIterator[FilePart] | None:
        """The files, as they come (None for a form without any file input)."""
        return None if self._stream is None else self._named(self._stream)

    async def _named(self, stream: StreamedForm) -> AsyncIterator[FilePart]:
        async for part in stream.files(FILES):
            self._names.update((part.filename, part.filename.strip()))
            yield part

    def errors(self, exc: UnprocessableError) -> dict[str, str]:
        """The refusal beside the field it names: a file's, beside the file input."""
        keys = {str(error.get("key", "")) for error in exc.extra.get("errors", [])}
        return {FILES: exc.shown} if keys & self._names else _errors(exc)

    async def refused(self) -> None:
        """Before the page answers a refusal: what is left of the body is read and dropped,
        so that a browser still sending files reads the answer."""
        if self._stream is not None:
            await self._stream.drain()
