"""A `catalogue serve --demo` process on 127.0.0.1, for tests that need a real server."""

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


class DemoServer:
    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.log = data_dir / "serve.log"
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CATALOGUE_"))
        }
        env["CATALOGUE_DATA_DIR"] = str(data_dir)
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "catalogue", "serve", "--demo", "--port", str(self.port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve --demo exited early: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail("serve --demo never became ready")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
