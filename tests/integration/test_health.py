from __future__ import annotations

import httpx

from catalogue.config import Settings
from catalogue.database import connect
from tests.logs import capture_logs


async def test_healthz_answers_without_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": "ok",
        "migrations": "current",
        "search": "tantivy",
        "search_available": True,
    }


async def test_readyz_reports_pending_migrations(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    assert settings.database_url
    conn = await connect(settings.database_url)
    try:
        await conn.execute("DELETE FROM schema_migrations WHERE version = 1")
    finally:
        await conn.close()

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 503
    assert "0001_people_and_keys" in body["detail"]


async def test_request_id_is_returned_and_bound_to_log_lines(client: httpx.AsyncClient) -> None:
    with capture_logs() as logs:
        response = await client.get("/healthz", headers={"X-Request-ID": "abc12345-caller"})
    assert response.headers["x-request-id"] == "abc12345-caller"
    access = [line for line in logs if line["event"] == "request"]
    assert access == [
        {
            "event": "request",
            "log_level": "info",
            "request_id": "abc12345-caller",
            "method": "GET",
            "path": "/healthz",
            "status": 200,
            "duration_ms": access[0]["duration_ms"],
        }
    ]


async def test_unsafe_request_ids_are_replaced(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz", headers={"X-Request-ID": 'evil" injected=1'})
    second = await client.get("/nowhere")
    assert first.headers["x-request-id"] != 'evil" injected=1'
    assert len(first.headers["x-request-id"]) == 32
    assert second.status_code == 404
    assert len(second.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_openapi_is_served_from_msgspec_structs(client: httpx.AsyncClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/healthz", "/readyz"} <= set(document["paths"])
    assert {"Health", "Readiness", "Problem"} <= set(document["components"]["schemas"])
