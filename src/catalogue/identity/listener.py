"""One connection per process that LISTENs for what other processes changed: a rotation of
the signing keys, sessions ended. Each notice drops the cached state it makes stale."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg
import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_never,
    wait_chain,
    wait_fixed,
)

from catalogue.database import connect

log = structlog.get_logger(__name__)


def _log_refusal(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome else None
    log.warning("notice listener cannot connect", error=type(failure).__name__)


Handler = Callable[[str], None]
_RETRY_S = (0.2, 0.5, 1.0, 2.0, 5.0)


class Listener:
    """Runs until cancelled. While it is not listening (connecting again after a loss),
    notices may be missed: ``on_connect`` runs at each (re)connection to drop every cache."""

    def __init__(
        self, url: str, handlers: Mapping[str, Handler], on_connect: Callable[[], None]
    ) -> None:
        self._url = url
        self._handlers = handlers
        self._on_connect = on_connect
        self.listening = asyncio.Event()

    async def run(self) -> None:
        while True:  # not a retry: it listens again after each loss, forever
            conn = await self._connect()
            try:
                await self._listen(conn)
            except (asyncpg.PostgresError, OSError) as exc:
                log.warning("notice listener failed", error=type(exc).__name__)
            finally:
                self.listening.clear()
                if not conn.is_closed():
                    await conn.close(timeout=1)

    async def _connect(self) -> asyncpg.Connection:
        """A connection, after any number of failures (waits of 0.2 s growing to 5 s)."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),  # any failure: wait, then connect again
            wait=wait_chain(*(wait_fixed(s) for s in _RETRY_S)),  # then the last one, always
            stop=stop_never,
            before_sleep=_log_refusal,
        )
        connection: asyncpg.Connection = await retrying(connect, self._url)
        return connection

    async def _listen(self, conn: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        for channel in self._handlers:
            await conn.add_listener(channel, self._dispatch)
        self._on_connect()
        self.listening.set()
        await lost.wait()
        log.warning("notice listener lost its connection")

    def _dispatch(self, _conn: Any, _pid: int, channel: str, payload: object) -> None:
        handler = self._handlers.get(channel)
        if handler is not None:
            handler(str(payload))
