"""Issue 12 (3): silent clients and connection floods.

A connection that sends part of a head or of a body and then nothing is closed after
``--client-timeout`` (2 s here, 30 s by default); so is one that connects and sends nothing.
More connections than ``--max-connections`` evict the longest-silent ones (or, when every
connection is busy, get a quick 503), so silent sockets cannot shut everyone out — even with
the process's file limit lowered to 256 — and the log says the cap was reached.
"""

from __future__ import annotations

import base64
import contextlib
import resource
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from support import JSONAPI, LiveMock
from test_attacks_harness import address, read_outcome, run_attack, started_mock

CLIENT_TIMEOUT = 2.0
MAX_CONNECTIONS = 100
FILE_LIMIT = 256
SILENT_SOCKETS = 300  # more than the cap, and than the file limit


@pytest.fixture(scope="module", params=["httptools", "h11"])
def mock(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveMock]:
    """A private mock on each HTTP parser (httptools is the default)."""
    yield from started_mock(
        tmp_path_factory.mktemp("attack-silent"),
        "--http",
        request.param,
        "--client-timeout",
        str(CLIENT_TIMEOUT),
        "--max-connections",
        str(MAX_CONNECTIONS),
    )


def silent_after(mock: LiveMock, sent: bytes) -> str:
    """Send ``sent``, then nothing; the outcome and how long the mock waited."""
    started = time.monotonic()
    with socket.create_connection(address(mock), timeout=10) as sock:
        sock.sendall(sent)
        outcome = read_outcome(sock, started + CLIENT_TIMEOUT + 3)
    return f"{outcome} after {time.monotonic() - started:.1f} s"


PARTIAL = {
    "nothing": b"",
    "half a request line": b"GET /glue/return-rea",
    "half a head": f"GET /glue/return-reasons HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {JSONAPI}\r\n",
    "half a body": (
        f"POST /glue/access-tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {JSONAPI}\r\n"
        f"Content-Type: {JSONAPI}\r\nContent-Length: 100\r\n\r\n" + '{"data": {'
    ),
}


@pytest.mark.parametrize("sent", PARTIAL.values(), ids=PARTIAL.keys())
def test_silent_client_is_closed_after_the_timeout(mock: LiveMock, sent: str | bytes) -> None:
    raw = sent.encode() if isinstance(sent, str) else sent
    report = run_attack(mock, lambda: silent_after(mock, raw), max_seconds=CLIENT_TIMEOUT + 5)
    print(report.summary())
    report.assert_held("closed", "reset", "status 408")
    waited = float(report.outcome.split(" after ")[1].split()[0])
    assert CLIENT_TIMEOUT - 0.2 <= waited < CLIENT_TIMEOUT + 1.5, report.outcome
    assert "Traceback" not in mock.log()


def test_slow_trickled_head_is_closed_at_the_head_deadline(mock: LiveMock) -> None:
    """A byte every 0.5 s (slowloris) does not keep the head open past the timeout."""
    started = time.monotonic()
    with socket.create_connection(address(mock), timeout=10) as sock:
        with contextlib.suppress(OSError):
            for byte in b"GET /glue/return-reasons HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaa":
                sock.sendall(bytes([byte]))
                time.sleep(0.5)
                if time.monotonic() - started > CLIENT_TIMEOUT + 2:
                    break
        outcome = read_outcome(sock, started + CLIENT_TIMEOUT + 3)
    assert outcome.startswith(("closed", "reset")), outcome
    assert time.monotonic() - started < CLIENT_TIMEOUT + 2


def open_fds(pid: int) -> int:
    import os

    return len(os.listdir(f"/proc/{pid}/fd"))


def test_silent_sockets_over_the_cap_do_not_shut_others_out(mock: LiveMock) -> None:
    """300 silent sockets against a cap of 100 under a file limit of 256."""
    pid = mock.process.pid
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))
    peak_fds = [open_fds(pid)]

    def attack() -> str:
        sockets = []
        try:
            for _ in range(SILENT_SOCKETS):
                sockets.append(socket.create_connection(address(mock), timeout=5))
            time.sleep(1.0)
            peak_fds.append(open_fds(pid))
            closed = 0
            for sock in sockets:
                sock.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    closed += sock.recv(1) == b""
        finally:
            for sock in sockets:
                sock.close()
        return f"closed {closed} of {len(sockets)}"

    report = run_attack(mock, attack, max_seconds=15)
    print(report.summary(), "peak fds", max(peak_fds))
    report.assert_held("closed")
    closed = int(report.outcome.split()[1])
    assert closed >= SILENT_SOCKETS - MAX_CONNECTIONS, report.outcome
    assert max(peak_fds) < FILE_LIMIT - 20, peak_fds
    assert "connection cap" in mock.log() and "--max-connections" in mock.log()


def test_busy_server_answers_over_the_cap_with_a_quick_503(tmp_path) -> None:
    """When every connection is busy (a slow request each), a new one gets 503 at once."""
    for small in started_mock(tmp_path, "--max-connections", "2", "--client-timeout", "5"):
        slow = (
            f"GET /glue/return-reasons HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {JSONAPI}\r\n"
            "Prefer: delay=1500\r\n\r\n"
        ).encode()
        busy = [socket.create_connection(address(small), timeout=5) for _ in range(2)]
        try:
            for sock in busy:
                sock.sendall(slow)
            time.sleep(0.3)
            started = time.monotonic()
            with socket.create_connection(address(small), timeout=5) as late:
                late.sendall(slow.replace(b"Prefer: delay=1500\r\n", b""))
                data = b"".join(iter(lambda: late.recv(65536), b""))
            assert time.monotonic() - started < 1.0
        finally:
            for sock in busy:
                sock.close()
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 503"), data[:300]
        assert b"retry-after:" in head.lower()
        assert b'"status": 503' in body


def test_client_that_stops_reading_is_closed_after_the_timeout(mock: LiveMock) -> None:
    """400 pipelined requests for a 20 KB page of returns, and then no reading: once the
    socket buffers are full the mock waits ``--client-timeout`` for the client, then drops it."""
    keys = httpx.get(f"{mock.url}/__admin/accounts").json()["sendcloud"]["basic"][0]
    auth = base64.b64encode(f"{keys['publicKey']}:{keys['secretKey']}".encode()).decode()
    request = (
        f"GET /sendcloud/api/v2/returns HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Basic {auth}\r\n\r\n"
    ).encode()
    one = len(
        httpx.get(
            f"{mock.url}/sendcloud/api/v2/returns", auth=(keys["publicKey"], keys["secretKey"])
        ).content
    )
    count = 400

    def attack() -> str:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(address(mock))
            sock.sendall(request * count)
            time.sleep(CLIENT_TIMEOUT + 2)  # not reading
            received = 0
            sock.settimeout(2)
            with contextlib.suppress(OSError):
                while chunk := sock.recv(65536):
                    received += len(chunk)
        return f"closed after {received // one} of {count} responses"

    report = run_attack(mock, attack, max_seconds=CLIENT_TIMEOUT + 8)
    print(report.summary())
    report.assert_held("closed")
    assert int(report.outcome.split()[2]) < count, report.outcome
