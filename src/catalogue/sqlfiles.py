"""SQL statements live in ``.sql`` files in a ``sql/`` folder beside the module that runs them."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType


def load_queries(package: str) -> Mapping[str, str]:
    """Every ``sql/NAME.sql`` of a package, by NAME, read once at import."""
    folder = resources.files(package).joinpath("sql")
    return MappingProxyType(
        {
            entry.name.removesuffix(".sql"): entry.read_text(encoding="utf-8")
            for entry in folder.iterdir()
            if entry.name.endswith(".sql")
        }
    )
