"""Issue 12 pt 4: a client's mistake is a 4xx in the API's envelope, never a 500.

Each input below used to raise inside the mock (a 500 and a traceback in the log): digits that
``str.isdigit()`` accepts but ``int()`` refuses, numbers past ``int()``'s 4,300-digit limit, and
a Basic credential with a non-ASCII byte. Over HTTP, against a started mock; every request is
bounded (at most ~5 KiB) and there are a handful of them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from support import JSONAPI, LiveMock, sendcloud_basic, start_mock, stop_mock

SC = "/sendcloud/api/v2"


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    started = start_mock(tmp_path_factory.mktemp("hostile-inputs"), ready_path="/")
    yield started
    stop_mock(started)


def glue_envelope(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith(JSONAPI)
    [error] = response.json()["errors"]
    assert error["status"] == response.status_code


def sendcloud_envelope(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == response.status_code


def admin_envelope(response: httpx.Response) -> None:
    assert response.json()["error"]["status"] == response.status_code


def basic_with_high_byte(mock: LiveMock) -> list[tuple[bytes, bytes]]:
    public, secret = sendcloud_basic(mock.url)
    credentials = base64.b64encode(f"{public}:{secret}".encode())  # valid on its own
    return [(b"authorization", b"Basic " + credentials + b"\x80")]


CASES = {
    # Prefer: delay=² (Latin-1 0xB2, SUPERSCRIPT TWO: isdigit() is True, int() refuses it)
    "prefer-delay-superscript": (
        "GET", "/glue/return-reasons",
        lambda mock: [(b"accept", JSONAPI.encode()), (b"prefer", b"delay=\xb2")],
        glue_envelope,
    ),
    "prefer-delay-superscript-sendcloud": (
        "GET", f"{SC}/returns",
        lambda mock: [(b"prefer", b"delay=\xb2")],
        sendcloud_envelope,
    ),
    # Prefer: code= with 5,000 digits (int() refuses more than 4,300)
    "prefer-code-5000-digits": (
        "GET", "/glue/return-reasons",
        lambda mock: [(b"accept", JSONAPI.encode()), (b"prefer", b"code=" + b"4" * 5000)],
        glue_envelope,
    ),
    "prefer-code-superscript": (
        "GET", "/glue/return-reasons",
        lambda mock: [(b"accept", JSONAPI.encode()), (b"prefer", b"code=4\xb20")],
        glue_envelope,
    ),
    "admin-reset-seed-superscript": (
        "POST", "/__admin/reset?seed=%C2%B2", lambda mock: [], admin_envelope,
    ),
    # an integer id of 4,400 digits: failed in Starlette's router, before auth
    "sendcloud-id-4400-digits": (
        "GET", f"{SC}/returns/" + "7" * 4400, lambda mock: [], sendcloud_envelope,
    ),
    "sendcloud-basic-high-byte": ("GET", f"{SC}/returns", basic_with_high_byte, sendcloud_envelope),
    "sendcloud-basic-high-byte-by-id": (
        "GET", f"{SC}/returns/1", basic_with_high_byte, sendcloud_envelope,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_a_clients_mistake_is_a_4xx_in_the_envelope(mock: LiveMock, name: str) -> None:
    method, path, headers, envelope = CASES[name]
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        response = client.request(method, path, headers=headers(mock))
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:300])
    envelope(response)


def test_the_refused_values_are_quoted_back_bounded(mock: LiveMock) -> None:
    headers = [(b"accept", JSONAPI.encode()), (b"prefer", b"code=" + b"4" * 5000)]
    response = httpx.get(f"{mock.url}/glue/return-reasons", headers=headers, timeout=10)
    assert response.status_code == 400 and len(response.content) < 300


def test_the_server_log_holds_no_traceback(mock: LiveMock) -> None:
    """Runs after the cases above (same module mock): none of them left a traceback."""
    for name in CASES:
        method, path, headers, _ = CASES[name]
        httpx.request(method, mock.url + path, headers=headers(mock), timeout=10)
    log = mock.log()
    assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-3000:]
