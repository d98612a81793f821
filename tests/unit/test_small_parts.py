from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Coroutine
from typing import Any, cast

import pytest
from pgqueuer import PgQueuer

from accounts.errors import RequestInFlightError
from catalogue import migrations
from catalogue.config import Settings
from catalogue.database import redact, with_database
from catalogue.errors import ConfigurationError
from catalogue.identity.demo import ensure_demo_allowed
from catalogue.outbound import url_problem
from catalogue.web import teacher
from catalogue.web.teacher import IN_FLIGHT_WAITS
from catalogue.worker import Supervisor
from tests.support.waiting import wait_until_async


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://me:s3cret@db:5432/x") == "postgresql://me:***@db:5432/x"
    assert redact("postgresql://me@db/x") == "postgresql://me@db/x"


def test_with_database_keeps_the_socket_query() -> None:
    url = "postgresql://postgres:@/postgres?host=/tmp/pg"
    assert with_database(url, "catalogue") == "postgresql://postgres:@/catalogue?host=/tmp/pg"


def test_shipped_migrations_are_numbered_in_order_without_gaps() -> None:
    shipped = migrations.available()
    assert [m.version for m in shipped] == list(range(1, len(shipped) + 1))
    assert all(re.fullmatch(r"[a-z0-9_]+", m.name) for m in shipped)
    assert all(m.sql.strip() for m in shipped)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_demo_is_allowed_on_loopback(host: str) -> None:
    ensure_demo_allowed(Settings(), host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "catalogue.example.fr"])  # noqa: S104
def test_demo_is_refused_beyond_this_machine(host: str) -> None:
    with pytest.raises(ConfigurationError, match="loopback"):
        ensure_demo_allowed(Settings(), host)


def test_demo_is_refused_in_production() -> None:
    with pytest.raises(ConfigurationError, match="CATALOGUE_PRODUCTION"):
        ensure_demo_allowed(Settings(production=True), "127.0.0.1")


@pytest.mark.parametrize(
    ("url", "production", "refused"),
    [
        ("https://editeur.example/hook", True, False),
        ("http://127.0.0.1:9000/hook", False, False),
        ("http://127.0.0.1:9000/hook", True, True),
        ("http://editeur.example/hook", False, True),
        ("https://user:pw@editeur.example/hook", False, True),
        ("https://10.0.0.5/hook", True, True),
        ("https://169.254.169.254/latest/meta-data", True, True),
        ("https://[::1]/hook", True, True),
        ("https://100.64.0.7/hook", True, True),
        ("https://[::ffff:10.0.0.5]/hook", True, True),
        ("https://localhost/hook", True, True),
        ("ftp://editeur.example/hook", False, True),
        ("/relative", False, True),
    ],
)
def test_urls_publishers_give_us(url: str, production: bool, refused: bool) -> None:
    assert (url_problem(url, production=production) is not None) is refused


def test_oai_sources_may_be_plain_http_but_never_internal_in_production() -> None:
    assert url_problem("http://oai.example/oai", production=True, https_only=False) is None
    assert url_problem("http://10.1.2.3/oai", production=True, https_only=False)
    assert url_problem("http://u:p@oai.example/oai", production=False, https_only=False)


class FlakyWorker:
    """Stands in for pgqueuer's worker: the first one fails, the next run until shut down."""

    def __init__(self, *, fails: bool) -> None:
        self.fails = fails
        self.shutdown = asyncio.Event()

    async def run(self) -> None:
        if self.fails:
            raise ConnectionError("the database went away")
        await self.shutdown.wait()


async def test_the_supervisor_starts_a_failed_worker_again() -> None:
    made: list[FlakyWorker] = []

    def make() -> PgQueuer:
        made.append(FlakyWorker(fails=not made))
        return cast(PgQueuer, made[-1])

    supervisor = Supervisor(make)
    running = asyncio.create_task(supervisor.run())

    async def started_again() -> bool:
        return len(made) == 2

    await wait_until_async(started_again, "the supervisor to start a second worker", timeout_s=5)
    supervisor.shutdown()
    await asyncio.wait_for(running, timeout=5)
    assert (len(made), supervisor.restarts) == (2, 1)
    assert made[1].shutdown.is_set()


async def test_the_supervisor_waits_longer_after_each_failure_in_a_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1, 2, 4, 8... seconds (30 at most) between a failed worker and the next."""
    made: list[FlakyWorker] = []
    waits: list[float] = []
    eighth = asyncio.Event()

    def make() -> PgQueuer:
        made.append(FlakyWorker(fails=len(made) < 7))
        if len(made) == 8:
            eighth.set()
        return cast(PgQueuer, made[-1])

    async def no_wait(awaited: Coroutine[Any, Any, Any], timeout: float) -> None:  # noqa: ASYNC109
        awaited.close()  # the stop was not asked for: the wait ends by its timeout, at once
        waits.append(timeout)
        raise TimeoutError

    monkeypatch.setattr("catalogue.worker.asyncio.wait_for", no_wait)
    supervisor = Supervisor(make)
    running = asyncio.create_task(supervisor.run())
    await eighth.wait()
    supervisor.shutdown()
    await running
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert supervisor.restarts == 7


@pytest.mark.parametrize(("busy", "waited"), [(3, [0.05, 0.1, 0.2]), (7, list(IN_FLIGHT_WAITS))])
async def test_the_acquire_page_waits_for_a_request_in_flight_then_gives_up(
    monkeypatch: pytest.MonkeyPatch, busy: int, waited: list[float]
) -> None:
    """The same key in flight: tried again after 0.05, 0.1... 1.6 s, then the 409 itself."""
    calls: list[str] = []
    slept: list[float] = []

    async def acquire() -> int:
        calls.append("acquire")
        if len(calls) <= busy:
            raise RequestInFlightError("Une requête avec cette Idempotency-Key est en cours.")
        return 201

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    answer: Awaitable[int] = teacher.waiting_in_flight()(acquire)
    if busy > len(IN_FLIGHT_WAITS):
        with pytest.raises(RequestInFlightError):
            await answer
    else:
        assert await answer == 201
    assert slept == waited
    assert len(calls) == min(busy + 1, len(IN_FLIGHT_WAITS) + 1)
