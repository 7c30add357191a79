"""Mock-server processes on free loopback ports: start, wait until they answer, stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .constants import ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveMock:
    """A mock-server process a test started (stop it with :func:`stop_mock`)."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def reset(self) -> None:
        """Back to the seeded world (``POST /__admin/reset``)."""
        httpx.post(f"{self.url}/__admin/reset").raise_for_status()


def start_mock(
    tmp_dir: Path, *args: str, timeout: float = 60.0, ready_path: str = "/__admin/state"
) -> LiveMock:
    """Start ``python -m mock_server`` on a free port and wait until ``ready_path`` answers 200
    (``/`` for a mock whose admin is closed: ``--no-admin``, ``--admin-token``)."""
    port = free_port()
    log_path = tmp_dir / f"mock-{port}.log"
    handle = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "--port", str(port), *args],
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mock-server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}{ready_path}", timeout=1).status_code == 200:
                return LiveMock(url, process, log_path)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"mock-server did not start in {timeout}s:\n{log_path.read_text()}")


def stop_mock(mock: LiveMock) -> None:
    """Terminate the process (kill it if it does not stop within 10 s)."""
    mock.process.terminate()
    try:
        mock.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        mock.process.kill()


@contextmanager
def mock_in_background(tmp_dir: Path, *args: str) -> Iterator[Future[LiveMock]]:
    """Start an extra mock in a thread (its start-up overlaps other tests); stop it on exit."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(start_mock, tmp_dir, *args)
    try:
        yield future
    finally:
        pool.shutdown(wait=True)
        if future.exception() is None:
            stop_mock(future.result())


def sendcloud_basic(url: str, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """The seeded Sendcloud key pair, from the admin API."""
    accounts = httpx.get(f"{url}/__admin/accounts", headers=headers or {}, timeout=10).json()
    basic = accounts["sendcloud"]["basic"][0]
    return basic["publicKey"], basic["secretKey"]
