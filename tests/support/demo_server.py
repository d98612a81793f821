"""`catalogue` processes on 127.0.0.1 for tests that need real servers and workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def catalogue_env(env: dict[str, str]) -> dict[str, str]:
    """This environment without our variables (CATALOGUE_*, DATABASE_URL), then ``env``."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CATALOGUE_"))
    }
    return {**clean, **env}


class CatalogueProcess:
    """`python -m catalogue ARGS...` with only the CATALOGUE_*/DATABASE_URL variables given."""

    def __init__(self, log: Path, *args: str, env: dict[str, str]) -> None:
        self.log = log
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "catalogue", *args],
                env=catalogue_env(env),
                stdout=subprocess.DEVNULL,
                stderr=out,
            )

    def send(self, sig: int) -> int:
        """Send a signal (SIGTERM, SIGINT...), then wait for the exit code."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash or the OOM killer would."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Server(CatalogueProcess):
    """`catalogue serve` on a free port; `wait_ready` returns once /readyz answers 200."""

    def __init__(self, log: Path, *args: str, env: dict[str, str]) -> None:
        self.port = free_port()
        super().__init__(log, "serve", "--port", str(self.port), *args, env=env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited early: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail("serve never became ready")


class DemoServer(Server):
    """`catalogue serve --demo` with its own embedded PostgreSQL in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            data_dir / "serve.log", "--demo", env={"CATALOGUE_DATA_DIR": str(data_dir)}
        )
