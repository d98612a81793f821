"""What the backend makes of the engine's error objects, a 5xx and a timeout (fake engine).

A search never fails with anything but UpstreamUnavailableError (503); for a filter the
engine refuses (the index's settings are not ours) it names the filters. A write that fails
for another reason than the documents' content is an outage (the outbox retries the batch),
never a refusal (which would set the documents apart).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from catalogue.errors import UpstreamUnavailableError
from catalogue.search.backends import engine_lines, engine_status, rebuild_line
from catalogue.search.meili import EngineStatus, MeiliBackend
from catalogue.search.models import (
    DocumentsRefusedError,
    FacetField,
    SearchDocument,
    SearchQuery,
)
from tests.support.fake_meili import FakeMeili
from tests.unit.test_meili_backend import document

SEARCH = "POST /indexes/resources/search"
DOCUMENTS = "POST /indexes/resources/documents"


@pytest.fixture
def meili() -> FakeMeili:
    return FakeMeili()


@pytest.fixture
async def backend(meili: FakeMeili) -> AsyncIterator[MeiliBackend]:
    built = MeiliBackend.from_url("http://meili.test", "k", transport=meili.transport)
    await built.prepare()
    yield built
    await built.aclose()


async def test_a_filter_the_engine_refuses_is_a_503_naming_the_filters(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    meili.settings["resources"]["filterableAttributes"].remove("languages")
    query = SearchQuery(filters={FacetField.LANGUAGE: ("fre",), FacetField.FREE: ("true",)})
    with pytest.raises(UpstreamUnavailableError, match="not filterable") as refused:
        await backend.search(query)
    assert refused.value.shown == "Le moteur de recherche refuse le filtre (free, language)."
    await backend.upsert([document()])  # the settings are applied again before a write
    assert "languages" in meili.settings["resources"]["filterableAttributes"]


@pytest.mark.parametrize(
    "fault",
    [(500, "internal"), (503, "internal"), (404, "index_not_found"), "timeout"],
)
async def test_engine_errors_on_search_are_503(
    backend: MeiliBackend, meili: FakeMeili, fault: tuple[int, str] | str
) -> None:
    if fault == "timeout":
        meili.timeouts.add(SEARCH)
    else:
        assert isinstance(fault, tuple)
        meili.errors[SEARCH] = fault
    with pytest.raises(UpstreamUnavailableError):
        await backend.search(SearchQuery(text="x", filters={FacetField.FREE: ("true",)}))


async def test_a_lost_index_is_prepared_again_before_the_next_write(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    meili.index_store.clear()  # the index was dropped behind our back
    with pytest.raises(UpstreamUnavailableError, match="not found"):
        await backend.search(SearchQuery(text="x"))
    await backend.upsert([document()])
    assert meili.settings["resources"]["filterableAttributes"][0] == "levels"
    assert len(meili.documents["resources"]) == 1


@pytest.mark.parametrize("fault", [(500, "internal"), (502, "internal"), "timeout"])
async def test_engine_errors_on_writes_are_outages_not_refusals(
    backend: MeiliBackend, meili: FakeMeili, fault: tuple[int, str] | str
) -> None:
    if fault == "timeout":
        meili.timeouts.add(DOCUMENTS)
    else:
        assert isinstance(fault, tuple)
        meili.errors[DOCUMENTS] = fault
    with pytest.raises(UpstreamUnavailableError) as unavailable:
        await backend.upsert([document()])
    assert not isinstance(unavailable.value, DocumentsRefusedError)


async def test_a_task_failed_on_the_index_is_an_outage_on_the_documents_a_refusal(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    meili.failures[DOCUMENTS] = "Index `resources` not found."
    meili.failure_codes[DOCUMENTS] = "index_not_found"
    with pytest.raises(UpstreamUnavailableError) as unavailable:
        await backend.upsert([document()])
    assert not isinstance(unavailable.value, DocumentsRefusedError)

    meili.failure_codes[DOCUMENTS] = "invalid_document_id"
    with pytest.raises(DocumentsRefusedError, match="not found"):
        await backend.upsert([document()])


async def test_engine_status_counts_documents_pending_and_failed_tasks(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    await backend.upsert([document(), document()])
    meili.failures[DOCUMENTS] = "Document identifier `x` is invalid."
    with pytest.raises(DocumentsRefusedError):
        await backend.upsert([document()])
    meili.failures.clear()
    meili.stuck = True  # the next task stays pending
    hurried = MeiliBackend.from_url(
        "http://meili.test", "k", task_timeout_s=0.01, transport=meili.transport
    )
    hurried._prepared = True
    with pytest.raises(UpstreamUnavailableError, match="timeout"):
        await hurried.delete([document().id])
    await hurried.aclose()
    status = await backend.engine_status()
    assert status == EngineStatus(version="1.15.2", documents=2, pending_tasks=1, failed_tasks=1)


async def test_index_status_and_rebuild_figures_name_the_engine_and_its_tasks(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    await backend.upsert([document()])
    assert engine_lines(await engine_status(backend)) == [
        "engine: Meilisearch 1.15.2",
        "documents: 1",
        "engine tasks pending: 0, failed: 0",
    ]

    async def batches() -> AsyncIterator[list[SearchDocument]]:
        yield [document(), document()]

    first = len(meili.tasks)
    assert await backend.rebuild(batches()) == 2
    # Every task it waited for: settings, documents, swap, dropping the old index (the SDK
    # waits for index creations itself).
    waited = [t for t in meili.tasks[first:] if t.kind != "indexCreation"]
    assert backend.rebuild_tasks == [t.uid for t in waited]
    assert [t.kind for t in waited] == [
        "settingsUpdate",
        "documentAdditionOrUpdate",
        "indexSwap",
        "indexDeletion",
    ]
    line = rebuild_line(backend, 2, 0.5)
    tasks = ", ".join(str(uid) for uid in backend.rebuild_tasks)
    assert line == f"indexed 2 resources in 0.5 s (4/s); Meilisearch tasks {tasks}"


def test_postgresql_has_no_engine_lines() -> None:
    assert engine_lines(None) == []
