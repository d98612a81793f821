"""Static files under a name that changes with their content, cached for a year.

Every file of `catalogue/static/` is served under `/static/<version>/`, where the version is
a hash of the whole folder (names and bytes): any change gives every file a new address, so
that each can be cached as immutable, and the relative url(...) of the stylesheets (fonts,
icons) keep working. Templates ask `asset("site.css")` for an address.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from litestar.datastructures import CacheControlHeader

STATIC_DIR = Path(__file__).parent / "static"
ONE_YEAR_S = 31_536_000
IMMUTABLE = CacheControlHeader(public=True, max_age=ONE_YEAR_S, immutable=True)


def folder_version(folder: Path) -> str:
    """A short hash of every file's path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


STATIC_VERSION = folder_version(STATIC_DIR)
STATIC_PREFIX = f"/static/{STATIC_VERSION}"


def asset(name: str) -> str:
    """The address of a static file (``"site.css"``, ``"dsfr/dsfr.catalogue.min.css"``)."""
    return f"{STATIC_PREFIX}/{name}"
