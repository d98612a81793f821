"""The Tantivy index's layout: each text analysed once per analyzer, and the layout's number
moving with the fields and the analysis (an index of another layout is rebuilt, see
tests/integration/test_tantivy_layout.py)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from uuid import UUID

from catalogue.search.models import SearchDocument
from catalogue.search.tantivy_layout import (
    LAYOUT,
    as_json,
    decode_stored,
    mark_layout,
    open_index,
    stop_words,
)

DOCUMENT = SearchDocument(
    id=UUID(int=1),
    title="Le titre",
    description="La description <b>",
    keywords=["mot clé"],
    publisher_id=UUID(int=2),
    publisher_name="L'éditeur",
    thumbnail_url=None,
    levels=["niveau", "parent"],
    disciplines=["discipline"],
    resource_types=[],
    pedagogical_types=[],
    levels_tagged=["niveau"],
    disciplines_tagged=["discipline"],
    concept_labels=["un libellé"],
    licence_types=["individual"],
    accessibility=[],
    languages=["fre"],
    min_price_cents=0,
    free=True,
    published_at=1_700_000_000,
)


def test_each_text_goes_to_one_stemmed_field_and_the_folded_words() -> None:
    sent = json.loads(as_json(DOCUMENT))
    assert sent["title"] == "Le titre"
    assert sent["body"] == ["mot clé", "La description <b>", "L'éditeur"]  # no labels
    assert sent["words"] == ["Le titre", *sent["body"]]
    assert "description" not in sent  # stored in the hit only, analysed in the body
    stored = decode_stored(base64.b64decode(sent["hit"]))
    assert stored.description == "La description <b>"
    assert stored.title == "Le titre"
    assert (sent["free"], sent["commun"]) == ("true", "false")


def test_the_layout_number_moves_with_the_fields_and_the_stop_words(tmp_path: Path) -> None:
    """Changing a field or the stop words fails here: raise LAYOUT (tantivy_layout.py), so
    that indexes of the earlier layout are rebuilt, and record the new fingerprint."""
    mark_layout(tmp_path)
    open_index(tmp_path)
    schema = json.loads((tmp_path / "meta.json").read_text())["schema"]
    fingerprint = hashlib.sha256(json.dumps([schema, stop_words()], sort_keys=True).encode())
    assert (LAYOUT, fingerprint.hexdigest()[:16]) == (3, "90bfdbdacd5c8b9d")
