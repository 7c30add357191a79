"""Shared fixtures: the mock in-process (ASGI) and over real HTTP on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from mock_server.app import MockServer, create_app
from mock_server.config import Settings

ROOT = Path(__file__).resolve().parent.parent
JSONAPI = "application/vnd.api+json"
GLUE_HEADERS = {"Accept": JSONAPI, "Content-Type": JSONAPI}
SONIA = ("sonia@spryker.com", "change123")
SPENCOR = ("spencor.hopkin@spryker.com", "change123")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveMock:
    """A mock-server process this test session started; stopped at the end."""

    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_mock(tmp_dir: Path, *args: str, timeout: float = 30.0) -> LiveMock:
    """Start ``python -m mock_server`` on a free port and wait until it answers."""
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
            if httpx.get(f"{url}/__admin/state", timeout=1).status_code == 200:
                return LiveMock(url, process, log_path)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"mock-server did not start in {timeout}s:\n{log_path.read_text()}")


def stop_mock(mock: LiveMock) -> None:
    mock.process.terminate()
    try:
        mock.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        mock.process.kill()


@pytest.fixture(scope="session")
def live_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    """One mock process (seed 42, response validation on) for the whole session."""
    mock = start_mock(tmp_path_factory.mktemp("live"), "--validate-responses")
    yield mock
    stop_mock(mock)


@pytest.fixture
def fresh_live_mock(live_mock: LiveMock) -> LiveMock:
    """The session mock, reset to its seeded world before the test."""
    httpx.post(f"{live_mock.url}/__admin/reset").raise_for_status()
    return live_mock


@pytest.fixture
def mock_app() -> MockServer:
    """A fresh in-process mock with response validation on."""
    return create_app(Settings(validate_responses=True))


def access_token_body(credentials: tuple[str, str] = SONIA) -> dict:
    """The JSON:API document of a Glue login (POST /access-tokens) for ``credentials``."""
    username, password = credentials
    return {
        "data": {
            "type": "access-tokens",
            "attributes": {"username": username, "password": password},
        }
    }


def glue_login(
    client: httpx.Client, credentials: tuple[str, str] = SONIA, base: str = "/glue"
) -> str:
    """Log in through POST /access-tokens and return the bearer token."""
    response = client.post(
        f"{base}/access-tokens", headers=GLUE_HEADERS, json=access_token_body(credentials)
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["attributes"]["accessToken"]
