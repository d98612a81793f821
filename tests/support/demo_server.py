"""`catalogue serve` (with its demo, or on a database of the test's) and `catalogue worker`
processes on 127.0.0.1, for tests that need real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def catalogue_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This environment without our variables, then the data directory and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CATALOGUE_"))}
    return {**env, "CATALOGUE_DATA_DIR": str(data_dir), **settings}


def start_catalogue(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "catalogue", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a clean stop), then SIGKILL if it does not end within 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class DemoServer:
    """`catalogue serve --demo`; or, with ``demo=False``, a server on the database that
    ``settings`` (environment variables: DATABASE_URL...) name."""

    def __init__(self, data_dir: Path, *, demo: bool = True, **settings: str) -> None:
        self.port = _free_port()
        self.log = data_dir / "serve.log"
        args = ["serve", "--port", str(self.port), *(["--demo"] if demo else [])]
        self.process = start_catalogue(args, catalogue_env(data_dir, **settings), self.log)

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

    def stop(self) -> None:
        stop(self.process)


class WorkerProcess:
    """`catalogue worker` on the database that ``settings`` (DATABASE_URL...) name."""

    def __init__(self, data_dir: Path, name: str = "worker", **settings: str) -> None:
        self.log = data_dir / f"{name}.log"
        self.process = start_catalogue(["worker"], catalogue_env(data_dir, **settings), self.log)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash or the OOM killer would."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        stop(self.process)
