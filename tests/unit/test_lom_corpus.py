"""The corpus of tests/fixtures/lom/corpus: one notice per shape real publishers send, each
beside the resource it must give (every field, compared one by one) and its warnings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from catalogue.resources.models import ResourceDraft
from catalogue.resources.service import normalise_draft
from connectors.contract import Record, Rejected
from connectors.lomfr import LomFrConnector
from tests.unit.test_lomfr_reader import context, vocabulary

CORPUS = Path(__file__).parents[1] / "fixtures" / "lom" / "corpus"
NOTICES = sorted(CORPUS.glob("*.xml"))
FIELDS = list(msgspec.structs.asdict(ResourceDraft(title="x")))


def expected(notice: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(notice.with_suffix(".json").read_text(encoding="utf-8"))
    return loaded


def test_the_corpus_has_a_notice_per_shape() -> None:
    assert len(NOTICES) >= 30
    assert all(notice.with_suffix(".json").is_file() for notice in NOTICES)


@pytest.mark.parametrize("notice", NOTICES, ids=[n.stem for n in NOTICES])
def test_each_notice_gives_its_resource_field_by_field(notice: Path) -> None:
    want = expected(notice)
    [result] = LomFrConnector().read(notice.read_bytes(), context())
    assert result.line == want["line"]
    if "rejected" in want:
        assert isinstance(result, Rejected)
        assert result.message.startswith(want["rejected"])
        return
    assert isinstance(result, Record), result
    draft, unknown = normalise_draft(result.draft, vocabulary())
    got = msgspec.to_builtins(draft)
    defaults = msgspec.to_builtins(ResourceDraft(title="x"))
    for field in FIELDS:
        assert got[field] == want["resource"].get(field, defaults[field]), field
    assert unknown == want["unknown_concepts"]
    # What the import report says of the record: the reader's warnings, then each unknown
    # concept kept (imports/service.py).
    assert [*result.warnings, *(f"concept inconnu gardé : {u}" for u in unknown)] == want[
        "warnings"
    ]
