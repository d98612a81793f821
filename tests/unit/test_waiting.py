"""The one way tests wait: a condition polled until a deadline, and a failure that says
what was awaited and what the server wrote, never a silent carry-on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.demo_server import free_port, wait_ready, wait_ready_async
from tests.support.waiting import WaitTimeoutError, wait_until, wait_until_async


def test_a_condition_that_holds_returns_how_long_it_took() -> None:
    calls = iter([False, False, True])
    assert wait_until(lambda: next(calls), "the third call", interval_s=0.001) < 1


def test_a_condition_that_never_holds_fails_with_what_was_awaited_and_seen() -> None:
    with pytest.raises(WaitTimeoutError, match=r"(?s)after 0.05 s waiting for Godot.*still 3"):
        wait_until(
            lambda: False, "Godot", timeout_s=0.05, interval_s=0.01, detail=lambda: "still 3"
        )


async def test_the_async_wait_fails_like_the_other() -> None:
    async def never() -> bool:
        return False

    with pytest.raises(WaitTimeoutError, match="waiting for nothing"):
        await wait_until_async(never, "nothing", timeout_s=0.05, interval_s=0.01)


def test_a_server_that_exits_fails_at_once_with_the_tail_of_its_output(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; print('port already taken', file=sys.stderr); sys.exit(3)",
            ],
            stderr=out,
        )
    with pytest.raises(WaitTimeoutError, match=r"(?s)exited with 3.*port already taken"):
        wait_ready(f"http://127.0.0.1:{free_port()}", process, log, timeout_s=60)


def test_a_server_that_never_answers_fails_when_the_deadline_passes(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    log.write_text("starting\nstill migrating\n")
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(WaitTimeoutError, match=r"(?s)/readyz to answer 200.*still migrating"):
        wait_ready(url, None, log, timeout_s=0.3)


async def test_a_server_that_answers_503_fails_with_its_last_answer() -> None:
    def not_ready(_: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="database unavailable")

    transport = httpx.MockTransport(not_ready)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as client:
        with pytest.raises(WaitTimeoutError, match=r"(?s)last answer: 503 database unavailable"):
            await wait_ready_async(client, timeout_s=0.1, interval_s=0.01)


async def test_a_ready_server_is_waited_for_no_longer() -> None:
    answers = iter([503, 200])
    transport = httpx.MockTransport(lambda _: httpx.Response(next(answers)))
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as client:
        assert await wait_ready_async(client, interval_s=0.01) < 5
