"""`catalogue` processes on 127.0.0.1 for tests (and benchmarks) that need real servers and
workers, and the one way to wait until a server answers /readyz (``wait_ready``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Self

import httpx

from tests.support.waiting import WaitTimeoutError, wait_until, wait_until_async

OUTPUT_TAIL_LINES = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def output_tail(log: Path | None, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last lines a process wrote to ``log``, to say why it is not ready."""
    if log is None:
        return "(its output is not kept)"
    try:
        tail = log.read_text(errors="replace").splitlines()[-lines:]
    except FileNotFoundError:
        return f"(no output: {log} does not exist)"
    return f"last {len(tail)} lines of {log}:\n" + "\n".join(tail)


def wait_ready(
    base_url: str,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    *,
    timeout_s: float = 180,
    interval_s: float = 0.1,
) -> float:
    """Until ``base_url``/readyz answers 200; the seconds it took.

    Fails (WaitTimeoutError, an AssertionError) with the tail of the process's output in ``log``
    when ``process`` exits first or ``timeout_s`` passes.
    """
    url = f"{base_url}/readyz"
    last: list[str] = ["no answer yet"]

    def ready() -> bool:
        if process is not None and process.poll() is not None:
            raise WaitTimeoutError(
                f"{url}: the server exited with {process.returncode} before it was ready\n"
                + output_tail(log)
            )
        try:
            answer = httpx.get(url, timeout=1)
        except httpx.TransportError as error:
            last[0] = f"{type(error).__name__}: {error}"
            return False
        last[0] = f"{answer.status_code} {answer.text[:500]}"
        return answer.status_code == 200

    return wait_until(
        ready,
        f"{url} to answer 200",
        timeout_s=timeout_s,
        interval_s=interval_s,
        detail=lambda: f"last answer: {last[0]}\n{output_tail(log)}",
    )


async def wait_ready_async(
    client: httpx.AsyncClient,
    base_url: str = "",
    *,
    timeout_s: float = 60,
    interval_s: float = 0.1,
    log: Path | None = None,
) -> float:
    """Until ``base_url``/readyz answers 200 through ``client`` (by default, the server of
    its own base URL), without blocking the event loop; the seconds it took. Fails like
    ``wait_ready``."""
    url = f"{base_url}/readyz"
    last: list[str] = ["no answer yet"]

    async def ready() -> bool:
        try:
            answer = await client.get(url)
        except httpx.TransportError as error:
            last[0] = f"{type(error).__name__}: {error}"
            return False
        last[0] = f"{answer.status_code} {answer.text[:500]}"
        return answer.status_code == 200

    def seen() -> str:
        return f"last answer: {last[0]}" + (f"\n{output_tail(log)}" if log else "")

    return await wait_until_async(
        ready,
        f"{base_url or str(client.base_url).rstrip('/')}/readyz to answer 200",
        timeout_s=timeout_s,
        interval_s=interval_s,
        detail=seen,
    )


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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class Server(CatalogueProcess):
    """`catalogue serve` on a free port; `wait_ready` returns once /readyz answers 200."""

    def __init__(self, log: Path, *args: str, env: dict[str, str]) -> None:
        self.port = free_port()
        super().__init__(log, "serve", "--port", str(self.port), *args, env=env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 180) -> None:
        wait_ready(self.url, self.process, self.log, timeout_s=timeout, interval_s=0.2)

    def __enter__(self) -> Self:
        """Started and ready (stopped again if it never gets ready): ``with Server(...) as s``."""
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self


class DemoServer(Server):
    """`catalogue serve --demo` with its own embedded PostgreSQL in ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(
            data_dir / "serve.log", "--demo", env={"CATALOGUE_DATA_DIR": str(data_dir)}
        )
