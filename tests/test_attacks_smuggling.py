"""Issue 12 (7): request-smuggling shapes get 400 and a closed connection (RFC 9112 §6.1, §6.3).

``Content-Length`` together with ``Transfer-Encoding``, and several ``Content-Length`` values
(equal or not), are refused before the app sees the request, in the API's envelope, and the
connection is closed — so no byte after that head can be read as another request.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from support import JSONAPI, LiveMock
from test_attacks_harness import address, request_once, run_attack, started_mock

SMUGGLED = b"GET /__admin/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

FRAMINGS = {
    "CL then TE": [b"Content-Length: 5", b"Transfer-Encoding: chunked"],
    "TE then CL": [b"Transfer-Encoding: chunked", b"Content-Length: 5"],
    "CL with TE identity, chunked": [b"Content-Length: 5", b"Transfer-Encoding: identity, chunked"],
    "two different CL": [b"Content-Length: 5", b"Content-Length: 70"],
    "two equal CL": [b"Content-Length: 5", b"Content-Length: 5"],
    "CL list": [b"Content-Length: 5, 5"],
}


def smuggling_request(path: str, framing: list[bytes]) -> bytes:
    head = [f"POST {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", f"Accept: {JSONAPI}".encode()]
    head += [f"Content-Type: {JSONAPI}".encode(), *framing]
    return b"\r\n".join(head) + b"\r\n\r\n0\r\n\r\n" + SMUGGLED


@pytest.fixture(scope="module", params=["httptools", "h11"])
def mock(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveMock]:
    """A private mock on each HTTP parser (httptools is the default)."""
    yield from started_mock(tmp_path_factory.mktemp("attack-smuggling"), "--http", request.param)


@pytest.mark.parametrize("framing", FRAMINGS.values(), ids=FRAMINGS.keys())
@pytest.mark.parametrize("path", ["/glue/access-tokens", "/sendcloud/api/v2/returns"])
def test_ambiguous_framing_is_400_and_closed(mock: LiveMock, path: str, framing: list) -> None:
    with socket.create_connection(address(mock), timeout=5) as sock:
        sock.sendall(smuggling_request(path, framing))
        data = b"".join(iter(lambda: sock.recv(65536), b""))  # ends: the mock closed
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), data[:300]
    assert data.count(b"HTTP/1.1 ") == 1, "the smuggled request was not answered"
    assert b"connection: close" in head.lower()
    document = json.loads(body)
    if path.startswith("/glue"):
        assert document["errors"][0]["status"] == 400
        assert "Content-Length" in document["errors"][0]["detail"]
    else:
        assert document["error"]["code"] == 400
        assert "Content-Length" in document["error"]["message"]


def test_smuggling_attempts_do_not_disturb_others(mock: LiveMock) -> None:
    raw = smuggling_request("/glue/access-tokens", FRAMINGS["CL then TE"])

    def attack() -> str:
        return " | ".join(sorted({request_once(mock, raw) for _ in range(50)}))

    report = run_attack(mock, attack)
    report.assert_held("status 400 closed")
    assert "|" not in report.outcome, report.outcome


def test_a_single_content_length_still_works(mock: LiveMock) -> None:
    body = b'{"data":{"type":"access-tokens","attributes":{"username":"x","password":"y"}}}'
    raw = (
        f"POST /glue/access-tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {JSONAPI}\r\n"
        f"Content-Type: {JSONAPI}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    assert request_once(mock, raw).startswith("status 401 closed")
