"""Waiting for a condition instead of sleeping a fixed time: poll it until a deadline, and fail
with what was awaited and what was seen when the deadline passes.

No pytest here: the benchmarks use these helpers too. ``WaitTimeoutError`` is an AssertionError, so
pytest reports a wait that times out as a failed test with its message.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class WaitTimeoutError(AssertionError):
    """A condition that did not hold within its deadline."""


def _no_detail() -> str:
    return ""


def _message(what: str, timeout_s: float, detail: str) -> str:
    return f"timed out after {timeout_s:g} s waiting for {what}" + (f"\n{detail}" if detail else "")


def wait_until(
    check: Callable[[], bool],
    what: str,
    *,
    timeout_s: float = 30,
    interval_s: float = 0.05,
    detail: Callable[[], str] = _no_detail,
) -> float:
    """Call ``check`` until it returns True; the seconds it took. Raises WaitTimeoutError with
    ``what`` and ``detail()`` (what was seen instead) when ``timeout_s`` passes."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout_s:
            raise WaitTimeoutError(_message(what, timeout_s, detail()))
        time.sleep(interval_s)
    return time.monotonic() - started


async def wait_until_async(
    check: Callable[[], Awaitable[bool]],
    what: str,
    *,
    timeout_s: float = 30,
    interval_s: float = 0.05,
    detail: Callable[[], str] = _no_detail,
) -> float:
    """``wait_until`` for a coroutine check, without blocking the event loop."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > timeout_s:
            raise WaitTimeoutError(_message(what, timeout_s, detail()))
        await asyncio.sleep(interval_s)
    return time.monotonic() - started
