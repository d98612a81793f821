"""The JSON connector: resources as the publisher API takes them, one file at a time.

A document is one resource object, an array of them, or JSON Lines (one object a line).
Each object may carry ``source_id``, the publisher's own id for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from connectors.contract import Context, Record, Rejected, ResourceDraft


class JsonConnector:
    name = "json"
    description = "Ressources au format JSON de l'API éditeurs (objet, tableau ou JSON Lines)"

    def read(self, data: bytes, context: Context) -> Iterator[Record | Rejected]:
        del context  # JSON records carry URIs already
        try:
            document = msgspec.json.decode(data)
        except RecursionError:
            yield Rejected(message="JSON illisible : imbrication trop profonde")
            return
        except msgspec.DecodeError:
            yield from self._lines(data)
            return
        items = document if isinstance(document, list) else [document]
        for number, item in enumerate(items, start=1):
            yield _record(item, number)

    def _lines(self, data: bytes) -> Iterator[Record | Rejected]:
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = msgspec.json.decode(line)
            except (msgspec.DecodeError, RecursionError) as exc:
                yield Rejected(message=f"JSON illisible : {exc}", line=number)
                continue
            yield _record(item, number)


def _record(item: Any, number: int) -> Record | Rejected:
    if not isinstance(item, dict):
        return Rejected(message="objet JSON attendu", line=number)
    source_id = item.pop("source_id", None)
    source = str(source_id) if source_id is not None else None
    try:
        draft = msgspec.convert(item, ResourceDraft)
    except msgspec.ValidationError as exc:
        message = f"champ invalide : {exc}"
        if "listeRessources" in item:  # the GAR's listing, sent to the wrong connector
            message += " : c'est une liste du GAR, importez-la avec le connecteur `gar`"
        return Rejected(message=message, source_id=source, line=number)
    return Record(draft=draft, source_id=source, line=number)
