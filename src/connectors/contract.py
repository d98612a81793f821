"""The connector contract: turn outside data into normalised records, never touch the database.

A connector is any object with the attributes and method of ``Connector``, registered under
the entry-point group ``catalogue.connectors`` of its package::

    [project.entry-points."catalogue.connectors"]
    my_format = "my_package.module:MyConnector"

The entry point may name a class (instantiated without arguments) or an instance. The
built-in connectors register exactly the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

import msgspec

# The catalogue's wire types a connector builds its drafts from: a connector imports them from
# here, never from the catalogue's own packages (pyproject.toml, [tool.importlinter]).
from catalogue.resources.models import (
    Contributor,
    Identifier,
    IdentifierKind,
    ResourceDraft,
    Status,
)

__all__ = [
    "GROUP",
    "Connector",
    "Context",
    "Contributor",
    "Identifier",
    "IdentifierKind",
    "KnownConcept",
    "Record",
    "Rejected",
    "ResourceDraft",
    "Status",
    "UnknownConnectorError",
    "available",
    "get",
    "source_key",
]

GROUP = "catalogue.connectors"


class Record(msgspec.Struct, kw_only=True):
    """One resource read from the source, with what the reader noticed on the way.

    ``content_key``: for a record with neither source id nor location, a connector may give
    a hash of the source record in a normalised form (see ``source_key``).
    """

    draft: ResourceDraft
    source_id: str | None = None
    line: int | None = None
    warnings: list[str] = msgspec.field(default_factory=list)
    content_key: str | None = None


def source_key(record: Record) -> str:
    """What finds a record again when the same source is imported anew, within a publisher
    and a connector: the connector's source id, else the technical location (access URL),
    else a hash of the normalised content (the connector's, or the draft's without its
    offers and status, which a publisher changes without making another resource)."""
    if record.source_id:
        return record.source_id
    if record.draft.access_url:
        return record.draft.access_url
    if record.content_key:
        return record.content_key
    content = msgspec.structs.replace(record.draft, offers=[], status=Status.DRAFT)
    return "sha256:" + hashlib.sha256(msgspec.json.encode(content)).hexdigest()


class Rejected(msgspec.Struct, kw_only=True):
    """One record that cannot become a resource, and precisely why."""

    message: str
    source_id: str | None = None
    line: int | None = None


class KnownConcept(Protocol):
    """A concept of the shipped vocabularies, as a connector sees it."""

    @property
    def scheme(self) -> str: ...
    @property
    def ancestors(self) -> list[str]: ...  # itself and every broader concept
    @property
    def replaced_by(self) -> str | None: ...  # a retired concept's successor


class Context(msgspec.Struct, kw_only=True, frozen=True):
    """What a connector may ask of the platform, without touching the database.

    ``concept_for_label(label, schemes)`` resolves a vocabulary label (old records give labels
    where URIs belong) to a concept URI, or None. ``concept(uri)`` is a known concept (its
    scheme, ancestors and successor), or None.
    """

    concept_for_label: Callable[[str, tuple[str, ...]], str | None] = lambda _l, _s: None
    concept: Callable[[str], KnownConcept | None] = lambda _u: None
    strict: bool = False


@runtime_checkable
class Connector(Protocol):
    name: str
    description: str

    def read(self, data: bytes, context: Context) -> Iterator[Record | Rejected]:
        """Every record of one source document (a file, a feed page), in order."""
        ...


class UnknownConnectorError(LookupError):
    pass


def available() -> dict[str, Connector]:
    """Every installed connector, by entry-point name."""
    found: dict[str, Connector] = {}
    for entry in entry_points(group=GROUP):
        loaded = entry.load()
        connector = loaded() if isinstance(loaded, type) else loaded
        if isinstance(connector, Connector):
            found[entry.name] = connector
    return found


def get(name: str) -> Connector:
    connectors = available()
    if name not in connectors:
        raise UnknownConnectorError(
            f"pas de connecteur {name!r} ; installés : {', '.join(sorted(connectors)) or 'aucun'}"
        )
    return connectors[name]
