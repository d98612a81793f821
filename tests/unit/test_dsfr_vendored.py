"""The design system as vendored by scripts/update-dsfr: pinned, licensed, and nothing the
pages do not use (issue 19)."""

from __future__ import annotations

import re
from pathlib import Path

from catalogue.pages import STYLESHEETS

STATIC = Path(__file__).resolve().parents[2] / "src" / "catalogue" / "static"
DSFR = STATIC / "dsfr"
BUNDLE = DSFR / "dsfr.catalogue.min.css"
_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def _local_urls(css: str) -> set[str]:
    return {
        u.split("?")[0].split("#")[0]
        for u in _URL.findall(css)
        if not u.startswith(("data:", "#", "http:", "https:"))
    }


def test_the_version_is_pinned_and_the_licence_kept() -> None:
    assert (DSFR / "VERSION").read_text().strip() == "@gouvfr/dsfr 1.15.3"
    licence = (DSFR / "LICENSE.md").read_text()
    assert "Licence Ouverte" in licence or "etalab" in licence.lower()


def test_every_file_the_stylesheet_points_to_is_there_and_nothing_else() -> None:
    wanted = _local_urls(BUNDLE.read_text(encoding="utf-8"))
    assert wanted, "the bundle points to its fonts (its icons are in it, as data: URLs)"
    kept = {
        p.relative_to(DSFR).as_posix()
        for p in DSFR.rglob("*")
        if p.is_file() and p.name not in ("VERSION", "LICENSE.md", BUNDLE.name)
    }
    assert wanted == kept
    assert not list(DSFR.rglob("*.js")), "no script: the pages work without JavaScript"
    assert not list(DSFR.rglob("*.woff")), "woff2 only"


def test_pages_load_the_small_bundle_not_the_whole_design_system() -> None:
    assert STYLESHEETS[0].endswith("/dsfr/dsfr.catalogue.min.css")
    assert BUNDLE.stat().st_size < 600_000  # the full dsfr.min.css is about 700 KB
    assert "fr-header" in BUNDLE.read_text(encoding="utf-8")


def test_the_icons_are_in_the_stylesheet_not_requests_of_their_own() -> None:
    css = BUNDLE.read_text(encoding="utf-8")
    assert "data:image/svg+xml,%3Csvg" in css
    assert not any(u.endswith(".svg") for u in _local_urls(css))
