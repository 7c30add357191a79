"""Request-line limits and unknown methods, under both HTTP parsers the mock can run on.

With the default parser (httptools) an unknown method and a ~100 KB request line are handed to
h11 (``mock_server/http_protocol.py``; see test_reliability_malformed.py); with ``--http h11``
every request is parsed by h11. Either way they are answered in the API's own envelope.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from support import LiveMock, start_mock, stop_mock

JSONAPI = "application/vnd.api+json"


@pytest.fixture(scope="module")
def h11_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    mock = start_mock(tmp_path_factory.mktemp("h11"), "--http", "h11")
    yield mock
    stop_mock(mock)


def assert_glue_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == JSONAPI
    (error,) = response.json()["errors"]
    assert error["status"] == status and "code" not in error
    return error


def assert_sendcloud_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    error = response.json()["error"]
    assert error["code"] == status and error["request"].startswith("api/v2/")
    return error


@pytest.mark.parametrize("size", [9 * 1024, 60 * 1024])
def test_long_query_is_414_in_the_envelope(live_mock: LiveMock, size: int) -> None:
    """Over the 8 KiB URL limit (and within what httptools parses): 414 in each API's envelope."""
    query = "q=" + "a" * size
    glue = httpx.get(f"{live_mock.url}/glue/return-reasons?{query}", headers={"Accept": JSONAPI})
    assert assert_glue_error(glue, 414)["detail"] == "Request-URI too long."
    sendcloud = httpx.get(f"{live_mock.url}/sendcloud/api/v2/returns?{query}")
    assert_sendcloud_error(sendcloud, 414)


def test_url_under_the_limit_is_served(live_mock: LiveMock) -> None:
    response = httpx.get(
        f"{live_mock.url}/glue/return-reasons?q={'a' * 4000}", headers={"Accept": JSONAPI}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("target", ["/glue/returns", "/sendcloud/api/v2/returns"])
def test_h11_unknown_method_is_405_with_allow(h11_mock: LiveMock, target: str) -> None:
    """Glue answers a wrong method 404 without Allow (issue 10 pt 6; was 405), Sendcloud 405."""
    response = httpx.request("FOO", f"{h11_mock.url}{target}", headers={"Accept": JSONAPI})
    if target.startswith("/glue"):
        assert_glue_error(response, 404)
        assert "allow" not in response.headers
    else:
        assert_sendcloud_error(response, 405)
        assert response.headers["allow"] == "GET"


def test_h11_100kb_query_is_414_in_the_envelope(h11_mock: LiveMock) -> None:
    """Sent over a raw socket: httpx itself refuses URLs over 64 KB."""
    host, port = h11_mock.url.removeprefix("http://").split(":")
    request = (
        f"GET /glue/return-reasons?q={'a' * 100 * 1024} HTTP/1.1\r\nHost: {host}\r\n"
        f"Accept: {JSONAPI}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        raw = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414"), head[:200]
    assert f"content-type: {JSONAPI}".encode() in head.lower()
    assert json.loads(body) == {"errors": [{"status": 414, "detail": "Request-URI too long."}]}


def test_h11_serves_normally_and_logs_no_traceback(h11_mock: LiveMock) -> None:
    accounts = httpx.get(f"{h11_mock.url}/__admin/accounts").json()
    basic = accounts["sendcloud"]["basic"][0]
    response = httpx.get(
        f"{h11_mock.url}/sendcloud/api/v2/returns", auth=(basic["publicKey"], basic["secretKey"])
    )
    assert response.status_code == 200 and len(response.json()["returns"]) == 20
    assert "Traceback" not in h11_mock.log()
