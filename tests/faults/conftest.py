"""The fault suite's counts: each scenario tallies what it injected and what it found, and
the session ends with a table of them (printed with or without ``-s``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from tests.integration.search_corpus import SIXIEME
from tests.support.waiting import wait_until_async

TALLIES: list[Tally] = []


@dataclass
class Tally:
    scenario: str
    faults: int = 0  # faults injected
    retried: int = 0  # requests or jobs sent again after a fault
    lost: list[str] = field(default_factory=list)  # changes acknowledged but not found
    broken: list[str] = field(default_factory=list)  # invariants that no longer hold
    notes: list[str] = field(default_factory=list)  # what else the scenario saw

    def check(self) -> None:
        assert self.faults > 0, "no fault was injected: the scenario proved nothing"
        assert self.lost == [], f"changes lost: {self.lost[:10]}"
        assert self.broken == [], f"invariants broken: {self.broken[:10]}"


async def wait_for(check: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 30) -> None:
    await wait_until_async(check, what, timeout_s=timeout_s)


async def count(conn: asyncpg.Connection, table: str) -> int:
    found: int = await conn.fetchval(f"SELECT count(*) FROM {table}")  # ours
    return found


async def wait_for_empty_outbox(conn: asyncpg.Connection, what: str) -> None:
    async def empty() -> bool:
        return await count(conn, "search_outbox") == 0

    await wait_for(empty, what)


async def take_over(conn: asyncpg.Connection) -> int:
    """Age the heartbeat of the jobs a dead worker held, as pgqueuer's 30 s of silence would:
    the next worker to look at the queue takes them over."""
    held: int = await conn.fetchval(
        "WITH aged AS (UPDATE pgqueuer SET heartbeat = now() - interval '1 hour' "
        "WHERE status = 'picked' RETURNING 1) SELECT count(*) FROM aged"
    )
    return held


def draft(n: int, title: str | None = None) -> dict[str, Any]:
    """A publisher's resource as the API takes it; its URL (the same for the same ``n``) makes
    a repeated creation an update of the first."""
    return {
        "title": title or f"Ressource sous panne n°{n}",
        "description": "Publiée pendant une panne.",
        "languages": ["fre"],
        "levels": [SIXIEME],
        "identifiers": [{"kind": "url", "value": f"https://faults.example/{n}"}],
        "offers": [{"licence_type": "teacher", "unit_price_cents": 500, "duration": "perpetual"}],
        "status": "published",
    }


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Tally:
    counts = Tally(request.node.name.removeprefix("test_"))
    TALLIES.append(counts)
    return counts


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLIES:
        return
    terminalreporter.section("fault suite")
    width = max(len(t.scenario) for t in TALLIES)
    terminalreporter.line(
        f"{'scenario':<{width}}  faults injected  requests retried  changes lost  invariants broken"
    )
    total = Tally(
        "total",
        faults=sum(t.faults for t in TALLIES),
        retried=sum(t.retried for t in TALLIES),
        lost=[x for t in TALLIES for x in t.lost],
        broken=[x for t in TALLIES for x in t.broken],
    )
    for t in [*TALLIES, total]:
        terminalreporter.line(
            f"{t.scenario:<{width}}  {t.faults:>15}  {t.retried:>16}  {len(t.lost):>12}  "
            f"{len(t.broken):>17}"
        )
    for t in TALLIES:
        for note in t.notes:
            terminalreporter.line(f"{t.scenario}: {note}")
