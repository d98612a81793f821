"""The engine faults of test_meili_errors.py, on a real Meilisearch (MEILI_URL): run by
scripts/meili-conformance where a binary exists, marked as such everywhere else.

Every request and answer goes through CheckedTransport, so the real engine's error objects
are held to the contract as the fake's are.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from catalogue.errors import UpstreamUnavailableError
from catalogue.search.meili import MeiliBackend
from catalogue.search.models import DocumentsRefusedError, FacetField, SearchQuery
from tests.support.demo_server import free_port
from tests.support.meili_contract import CheckedTransport
from tests.unit.test_meili_backend import document

pytestmark = pytest.mark.skipif(
    not os.environ.get("MEILI_URL"), reason="a real Meilisearch only (MEILI_URL)"
)


@pytest.fixture
async def backend() -> AsyncIterator[MeiliBackend]:
    checked = CheckedTransport()
    built = MeiliBackend.from_url(
        os.environ["MEILI_URL"],
        os.environ.get("MEILI_MASTER_KEY"),
        index=f"faults{uuid4().hex}",
        task_timeout_s=30,
        transport=checked,
    )
    yield built
    await built._drop_quietly(built._index)
    await built.aclose()
    await checked.aclose()


async def test_search_on_a_missing_index_is_unavailable(backend: MeiliBackend) -> None:
    backend._prepared = True  # as if prepared, then the index was dropped behind our back
    with pytest.raises(UpstreamUnavailableError, match="index_not_found"):
        await backend.search(SearchQuery(text="x"))


async def test_a_filter_on_an_index_without_our_settings_names_the_filter(
    backend: MeiliBackend,
) -> None:
    await backend._client.create_index(backend._index, primary_key="id")
    backend._prepared = True
    with pytest.raises(UpstreamUnavailableError) as refused:
        await backend.search(SearchQuery(filters={FacetField.LANGUAGE: ("fre",)}))
    assert refused.value.shown == "Le moteur de recherche refuse le filtre (language)."


async def test_a_refused_document_id_is_a_refusal(backend: MeiliBackend) -> None:
    await backend.upsert([document()])
    index = backend._client.index(backend._index)  # our ids are UUIDs: send one it refuses
    with pytest.raises(DocumentsRefusedError, match="identifier"):
        await backend._wait(await index.add_documents([{"id": "a b"}], primary_key="id"))


async def test_an_engine_that_does_not_answer_is_unavailable() -> None:
    away = MeiliBackend.from_url(f"http://127.0.0.1:{free_port()}", None, timeout_s=1)
    with pytest.raises(UpstreamUnavailableError):
        await away.search(SearchQuery(text="x"))
    await away.aclose()
