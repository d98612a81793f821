"""Figures for the foundation: start-up time, and /readyz under load on uvicorn and granian.

    python bench/serve.py [--duration 10]

Needs `wrk` (Debian package) and the bench extra (`pip install -e '.[bench]'`).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import repo_root  # noqa: F401  # before tests.support
from catalogue.config import Settings
from catalogue.database import start_embedded, with_database
from tests.support.demo_server import free_port, wait_ready

ROOT = Path(__file__).resolve().parent
PYTHON = sys.executable


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def base_env(**extra: str) -> dict[str, str]:
    """Production-like logging: one JSON access line per request (to /dev/null here)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATALOGUE_", "DATABASE_URL"))}
    return {**env, "CATALOGUE_LOG_FORMAT": "json", **extra}


def time_to_ready(data_dir: Path) -> float:
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "catalogue", "serve", "--demo", "--port", str(port)],
        env=base_env(CATALOGUE_DATA_DIR=str(data_dir)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return wait_ready(f"http://127.0.0.1:{port}", process, timeout_s=60, interval_s=0.02)
    finally:
        stop(process)


def startup_figures(runs: int) -> None:
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            cold.append(time_to_ready(data_dir))
            warm.append(time_to_ready(data_dir))
    print("start-up, `catalogue serve --demo` to /readyz 200 (median of", runs, "runs)")
    print(f"  new data directory     {statistics.median(cold):6.2f} s")
    print(f"  existing data directory {statistics.median(warm):5.2f} s   (target <= 5 s)")


WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def load(url: str, duration: int, connections: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = WRK_LINE.search(out)
    p99 = WRK_P99.search(out)
    if not rps or not p99:
        raise SystemExit(f"cannot read wrk output:\n{out}")
    return float(rps[1]), float(p99[1]) * UNIT[p99[2]]


def server_command(server: str, target: str, port: int) -> list[str]:
    factory = ["--factory"] if target.endswith("create_asgi_app") else []
    if server == "uvicorn":
        return [
            PYTHON,
            "-m",
            "uvicorn",
            *factory,
            target,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    return [
        PYTHON,
        "-m",
        "granian",
        "--interface",
        "asgi",
        *factory,
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
        target,
    ]


def throughput_figures(database_url: str, duration: int, connections: int) -> None:
    targets = {
        "catalogue /readyz": "catalogue.app:create_asgi_app",
        "bare Litestar": "bare_app:app",
    }
    print(f"\n/readyz at {connections} connections, {duration} s each, one worker process")
    print(f"  {'server':8} {'app':18} {'req/s':>9} {'p99 ms':>8}")
    for server in ("uvicorn", "granian"):
        results = {}
        for label, target in targets.items():
            port = free_port()
            process = subprocess.Popen(
                server_command(server, target, port),
                env=base_env(DATABASE_URL=database_url, PYTHONPATH=str(ROOT)),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_ready(f"http://127.0.0.1:{port}", process, timeout_s=60, interval_s=0.02)
                url = f"http://127.0.0.1:{port}/readyz"
                load(url, 2, connections)  # warm-up
                results[label] = load(url, duration, connections)
            finally:
                stop(process)
            rps, p99 = results[label]
            print(f"  {server:8} {label:18} {rps:9.0f} {p99:8.2f}")
        ratio = results["catalogue /readyz"][0] / results["bare Litestar"][0]
        print(f"  {server:8} {'ratio':18} {ratio:9.2f}   (catalogue / bare)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--startup-runs", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/serve.py needs wrk: apt-get install -y wrk")

    startup_figures(args.startup_runs)
    with tempfile.TemporaryDirectory() as tmp:
        admin = start_embedded(Settings(data_dir=Path(tmp)))
        url = with_database(admin, "postgres")
        subprocess.run(
            [PYTHON, "-m", "catalogue", "db", "migrate"],
            env=base_env(DATABASE_URL=url),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        throughput_figures(url, args.duration, args.connections)


if __name__ == "__main__":
    main()
