"""Mock processes for the hostile-client tests (issue 12 pts 4, 5, 6, 8).

Like ``conftest.start_mock``, but ready when ``/`` answers: with ``--no-admin`` or
``--admin-token`` the admin state the conftest polls is not open to the poller.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support import ROOT, LiveMock, free_port, stop_mock

START_TIMEOUT = 120.0  # a loaded shared machine can take a while to import and bind


def start(tmp_dir: Path, *args: str) -> LiveMock:
    """Start ``python -m mock_server`` on a free loopback port and wait until ``/`` answers."""
    port = free_port()
    log_path = tmp_dir / f"mock-{port}.log"
    with log_path.open("w") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_server", "--port", str(port), *args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mock-server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/", timeout=2).status_code == 200:
                return LiveMock(url, process, log_path)
        except httpx.TransportError:
            time.sleep(0.2)
    stop_mock(LiveMock(url, process, log_path))
    raise RuntimeError(f"mock-server did not start in {START_TIMEOUT}s:\n{log_path.read_text()}")


def sendcloud_basic(url: str, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """The seeded Sendcloud key pair, from the admin API."""
    accounts = httpx.get(f"{url}/__admin/accounts", headers=headers or {}, timeout=10).json()
    basic = accounts["sendcloud"]["basic"][0]
    return basic["publicKey"], basic["secretKey"]
