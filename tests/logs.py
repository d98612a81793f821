from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import structlog
from structlog.typing import EventDict


@contextmanager
def capture_logs() -> Iterator[list[EventDict]]:
    """structlog's capture, with the per-request context (request id) merged in as in production."""
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        yield logs
