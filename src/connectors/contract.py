"""The connector contract: turn outside data into normalised records, never touch the database.

A connector is any object with the attributes and method of ``Connector``, registered under
the entry-point group ``catalogue.connectors`` of its package::

    [project.entry-points."catalogue.connectors"]
    my_format = "my_package.module:MyConnector"

The entry point may name a class (instantiated without arguments) or an instance. The
built-in connectors register exactly the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

import msgspec

from catalogue.resources.models import ResourceDraft

GROUP = "catalogue.connectors"


class Record(msgspec.Struct, kw_only=True):
    """One resource read from the source, with what the reader noticed on the way."""

    draft: ResourceDraft
    source_id: str | None = None
    line: int | None = None
    warnings: list[str] = msgspec.field(default_factory=list)


class Rejected(msgspec.Struct, kw_only=True):
    """One record that cannot become a resource, and precisely why."""

    message: str
    source_id: str | None = None
    line: int | None = None


class Context(msgspec.Struct, kw_only=True, frozen=True):
    """What a connector may ask of the platform, without touching the database.

    ``concept_for_label(label, schemes)`` resolves a vocabulary label (old records give labels
    where URIs belong) to a concept URI, or None.
    """

    concept_for_label: Callable[[str, tuple[str, ...]], str | None] = lambda _l, _s: None
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
            f"no connector {name!r}; installed: {', '.join(sorted(connectors)) or 'none'}"
        )
    return connectors[name]
