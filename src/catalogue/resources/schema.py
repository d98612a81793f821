"""The JSON Schema of a publisher's resource, published in schemas/api/.

Regenerate after changing ResourceDraft: ``python -m catalogue.resources.schema``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from catalogue.resources.models import ResourceDraft
from catalogue.shipped import schemas_dir

SCHEMA_FILE = "resource.schema.json"


def resource_schema() -> dict[str, Any]:
    schema = msgspec.json.schema(ResourceDraft)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"/schemas/api/{SCHEMA_FILE}",
        "title": "Ressource d'un éditeur et ses offres",
        **schema,
    }


def render() -> bytes:
    return msgspec.json.format(msgspec.json.encode(resource_schema()), indent=2) + b"\n"


if __name__ == "__main__":
    (schemas_dir() / "api" / SCHEMA_FILE).write_bytes(render())
