"""Issue 12 (2): request-head limits with the default parser (httptools).

A head that never ends — header line after header line, or a URL that goes on and on — is
read only up to ``Settings.max_head_bytes`` (64 KiB): the mock answers 431 (headers) or 414
(URL) in the API's envelope and closes the connection. Each attack is bounded: it stops
sending once the mock answered or closed, and at 16 MiB in any case.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from support import JSONAPI, LiveMock
from test_attacks_harness import address, run_attack, started_mock, stream

MAX_ATTACK_BYTES = 16 * 1024 * 1024
HEADER_LINE = b"X-Padding: " + b"a" * 1000 + b"\r\n"


def endless_headers(mock: LiveMock, path: str = "/glue/return-reasons") -> str:
    first = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {JSONAPI}\r\n".encode()
    return stream(mock, first, HEADER_LINE, max_bytes=MAX_ATTACK_BYTES, max_seconds=8)


def endless_url(mock: LiveMock, path: str = "/glue/return-reasons") -> str:
    first = f"GET {path}?q=".encode()
    return stream(mock, first, b"a" * 65536, max_bytes=MAX_ATTACK_BYTES, max_seconds=8)


@pytest.fixture(scope="module", params=["httptools", "h11"])
def mock(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveMock]:
    """A private mock on each HTTP parser (httptools is the default)."""
    yield from started_mock(tmp_path_factory.mktemp("attack-head"), "--http", request.param)


def test_endless_header_lines_get_431_and_a_closed_connection(mock: LiveMock) -> None:
    report = run_attack(mock, lambda: endless_headers(mock), max_seconds=15)
    print(report.summary())
    report.assert_held("status 431 closed")


def test_endless_url_gets_414_and_a_closed_connection(mock: LiveMock) -> None:
    report = run_attack(mock, lambda: endless_url(mock), max_seconds=15)
    print(report.summary())
    report.assert_held("status 414 closed")


def head_answer(mock: LiveMock, raw: bytes) -> tuple[bytes, dict]:
    """Send a whole (oversized) head at once, read the answer to the end."""
    with socket.create_connection(address(mock), timeout=10) as sock:
        sock.sendall(raw)
        data = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = data.partition(b"\r\n\r\n")
    return head, json.loads(body)


def test_oversized_head_is_answered_in_the_glue_envelope(mock: LiveMock) -> None:
    padding = "".join(f"X-Pad-{i}: {'a' * 1000}\r\n" for i in range(80))  # ~80 KiB
    raw = f"GET /glue/returns HTTP/1.1\r\nHost: 127.0.0.1\r\n{padding}\r\n".encode()
    head, body = head_answer(mock, raw)
    assert head.startswith(b"HTTP/1.1 431"), head
    assert f"content-type: {JSONAPI}".encode() in head.lower()
    assert b"connection: close" in head.lower()
    assert body == {"errors": [{"status": 431, "detail": "Request header fields too large."}]}


def test_oversized_url_is_answered_in_the_sendcloud_envelope(mock: LiveMock) -> None:
    raw = f"GET /sendcloud/api/v2/returns?q={'a' * 100_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    head, body = head_answer(mock, raw)
    assert head.startswith(b"HTTP/1.1 414"), head
    assert body["error"]["code"] == 414 and body["error"]["request"].startswith("api/v2/")


def test_oversized_head_outside_the_apis_is_answered_as_json(mock: LiveMock) -> None:
    raw = f"GET /elsewhere?q={'a' * 100_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    head, body = head_answer(mock, raw)
    assert head.startswith(b"HTTP/1.1 414"), head
    assert body == {"error": {"status": 414, "message": "Request-URI too long."}}
