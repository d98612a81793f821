from __future__ import annotations

from catalogue.resources.schema import SCHEMA_FILE, render
from catalogue.shipped import schemas_dir


def test_the_published_json_schema_matches_the_code() -> None:
    shipped = (schemas_dir() / "api" / SCHEMA_FILE).read_bytes()
    assert shipped == render(), "regenerate it: python -m catalogue.resources.schema"
