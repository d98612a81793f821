"""The OAI-PMH client's waits: backoff on failures, the source's Retry-After when it says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from connectors.oaipmh import RETRIES, OaiClient, OaiError

IDENTIFY = (
    b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><Identify>'
    b"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>"
)


def _client(
    answers: list[httpx.Response | Exception], slept: list[float], **options: float
) -> OaiClient:
    def answer(_: httpx.Request) -> httpx.Response:
        found = answers.pop(0)
        if isinstance(found, Exception):
            raise found
        return found

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return OaiClient(http, "http://127.0.0.1/oai", sleep=sleep, **options)


def _busy(status: int, retry_after: str | None = None) -> httpx.Response:
    return httpx.Response(status, headers={"Retry-After": retry_after} if retry_after else {})


OK = httpx.Response(200, content=IDENTIFY)


async def test_a_retry_after_in_seconds_is_waited_then_the_request_sent_again() -> None:
    slept: list[float] = []
    client = _client([_busy(503, "7"), OK], slept)
    assert await client.granularity() == "YYYY-MM-DDThh:mm:ssZ"
    assert slept == [7.0]


async def test_a_429_with_a_retry_after_date_is_waited_until_then() -> None:
    slept: list[float] = []
    then = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    client = _client([_busy(429, then), OK], slept)
    assert await client.granularity() == "YYYY-MM-DDThh:mm:ssZ"
    [waited] = slept
    assert 28 <= waited <= 30


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3600", 20.0),  # longer than the most the client waits: bounded
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a moment past: at once
        ("soon", 0.5),  # unreadable: the backoff
        ("-5", 0.5),
    ],
)
async def test_a_retry_after_is_bounded_and_an_unreadable_one_is_the_backoff(
    header: str, expected: float
) -> None:
    slept: list[float] = []
    client = _client([_busy(503, header), OK], slept, backoff_s=0.5, max_wait_s=20)
    await client.granularity()
    assert slept == [expected]


@pytest.mark.parametrize(
    "failure",
    [lambda: _busy(503), lambda: _busy(429), lambda: httpx.ConnectError("refused")],
)
async def test_failures_are_retried_with_backoff_then_reported(
    failure: Callable[[], httpx.Response | Exception],
) -> None:
    slept: list[float] = []
    client = _client([failure() for _ in range(RETRIES)], slept, backoff_s=0.5)
    with pytest.raises(OaiError, match=f"source injoignable après {RETRIES} tentatives"):
        await client.granularity()
    assert slept == [0.5, 1.0, 2.0]  # between the attempts


async def test_another_refusal_is_not_retried() -> None:
    slept: list[float] = []
    client = _client([_busy(404, "1")], slept)
    with pytest.raises(OaiError, match="HTTP 404 reçu de la source"):
        await client.granularity()
    assert slept == []
