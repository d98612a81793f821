"""GET /metrics: requests per route template, and the state of the outbox, webhooks,
harvests and ledger read at scrape time."""

from __future__ import annotations

import re
import uuid

import asyncpg
import httpx
from pgqueuer import AsyncpgDriver, Queries

from catalogue.config import Settings
from tests.integration.conftest import bearer
from tests.integration.ledger_world import build_world


async def test_metrics_count_requests_by_route_and_read_the_ledger(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    world = await build_world(conn)
    headers = await bearer(conn, settings, world.people["national"])
    assert (await client.post("/api/v1/periods", json={}, headers=headers)).status_code == 201
    body = {"to_kind": "academie", "to": "paris", "amount_cents": 500}
    assert (await client.post("/api/v1/allocations", json=body, headers=headers)).status_code == 201
    await client.get(f"/api/v1/resources/{uuid.uuid4()}", headers=headers)

    # A job no worker serves stays queued: the queue depth counts it.
    await Queries(AsyncpgDriver(conn)).enqueue(["metrics-probe"], [None], [0])

    scraped = await client.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    allocations = r'route="/api/v1/allocations",status="201"\} 1\.0'
    assert re.search(r'catalogue_http_requests_total\{method="POST",' + allocations, text)
    # Route templates, never raw paths: ids would make the series unbounded.
    assert re.search(r'route="/api/v1/resources/\{resource_id[^"]*\}",status="404"', text)
    assert str(world.people["national"]) not in text
    assert 'catalogue_state{measure="ledger_balance_sum_cents"} 0.0' in text
    assert 'catalogue_state{measure="ledger_invariants_hold"} 1.0' in text
    assert 'catalogue_state{measure="search_outbox_pending"}' in text
    queued = re.search(r'catalogue_state\{measure="queue_jobs_queued"\} (\d+)', text)
    assert queued
    assert int(queued.group(1)) >= 1
    assert 'catalogue_state{measure="queue_oldest_due_seconds"}' in text
    assert "catalogue_http_request_duration_seconds_bucket" in text
