"""Issue #6 (2): malformed input over real HTTP (raw sockets), always a 4xx in the API's envelope.

Each case talks to a private mock process (so abuse cannot disturb other tests' shared mock),
checks the status and the error envelope — Glue ``{"errors":[{"status","detail"}]}`` as
``application/vnd.api+json``, Sendcloud ``{"error":{"code","request","message"}}`` — and then
that the server survived: a normal request still works and the log has no new traceback.
"""

from __future__ import annotations

import json
import select
import socket
import time
from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from support import (
    GLUE_HEADERS,
    JSONAPI,
    SONIA,
    LiveMock,
    access_token_body,
    glue_login,
    start_mock,
    stop_mock,
)

LIMIT = 1_048_576  # Settings.max_body_bytes
TEN_MB = 10 * 1_048_576
PROMPT = 5.0  # seconds a refusal may take


# ----------------------------------------------------------------------------- raw HTTP


@dataclass
class RawResponse:
    """An HTTP/1.1 answer read off a socket."""

    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    elapsed: float
    sent: int  # request bytes written before the answer came

    def json(self) -> Any:
        return json.loads(self.body)


def build(
    method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    """Request head (+ body) with ``Connection: close``; Content-Length added for a body."""
    fields = {"Accept": JSONAPI, "Connection": "close", **(headers or {})}
    if body and not any(k.lower() in ("content-length", "transfer-encoding") for k in fields):
        fields["Content-Length"] = str(len(body))
    lines = [
        f"{method} {target} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in fields.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(
    url: str, head: bytes, parts: Iterator[bytes] | None = None, *, timeout: float = 10.0
) -> RawResponse:
    """Send ``head`` then ``parts`` (stopping as soon as the server answers), read the answer."""
    address = urlsplit(url)
    started = time.monotonic()
    deadline = started + timeout
    sent = 0
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        # A server that refuses early (413 on a declared length) may close while we upload;
        # like curl, stop sending then and read the answer it already sent.
        try:
            sock.sendall(head)
            sent += len(head)
        except (BrokenPipeError, ConnectionResetError):
            parts = None
        for part in parts or ():
            if select.select([sock], [], [], 0)[0] or time.monotonic() > deadline:
                break  # the server has answered (or closed): stop uploading
            try:
                sock.sendall(part)
            except OSError:
                break
            sent += len(part)
        data = b""
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
            head_end = data.find(b"\r\n\r\n")
            if head_end >= 0:
                length = _content_length(data[:head_end])
                if length is not None and len(data) - head_end - 4 >= length:
                    break
    elapsed = time.monotonic() - started
    assert b"\r\n\r\n" in data, f"no HTTP answer after {elapsed:.1f}s: {data[:200]!r}"
    raw_head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = raw_head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return RawResponse(int(status_line.split()[1]), headers, body, elapsed, sent)


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None


def send(
    url: str, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> RawResponse:
    """One request on a fresh connection: ``exchange(url, build(...))``."""
    return exchange(url, build(method, target, headers, body))


# ----------------------------------------------------------------------------- envelopes


def assert_glue_error(response: RawResponse, status: int | None = None) -> dict:
    """A 4xx (``status`` if given) as a JSON:API error document; returns the first error."""
    assert 400 <= response.status < 500, (response.status, response.body[:300])
    if status is not None:
        assert response.status == status, response.body[:300]
    assert response.headers.get("content-type", "").startswith(JSONAPI), response.headers
    document = response.json()
    assert isinstance(document, dict) and set(document) == {"errors"}, document
    errors = document["errors"]
    assert isinstance(errors, list) and errors, document
    for error in errors:
        assert error["status"] == response.status, document
        assert isinstance(error["detail"], str) and error["detail"], document
        assert isinstance(error.get("code", ""), str), document
    return errors[0]


def assert_sendcloud_error(response: RawResponse, status: int | None = None) -> dict:
    """A 4xx (``status`` if given) as Sendcloud's ``{"error":{...}}``; returns the inner object."""
    assert 400 <= response.status < 500, (response.status, response.body[:300])
    if status is not None:
        assert response.status == status, response.body[:300]
    assert response.headers.get("content-type", "").startswith("application/json")
    document = response.json()
    assert isinstance(document, dict) and set(document) == {"error"}, document
    error = document["error"]
    assert set(error) == {"code", "request", "message"}, document
    assert error["code"] == response.status, document
    assert isinstance(error["request"], str) and isinstance(error["message"], str), document
    return error


def allowed_methods(response: RawResponse) -> set[str]:
    """The documented methods in ``Allow`` (OPTIONS/HEAD, which CORS and HTTP add, left out)."""
    listed = {m.strip().upper() for m in response.headers.get("allow", "").split(",") if m.strip()}
    return listed - {"OPTIONS", "HEAD"}


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    """A private mock process for this module (response validation on)."""
    started = start_mock(tmp_path_factory.mktemp("malformed"), "--validate-responses")
    yield started
    stop_mock(started)


@pytest.fixture(scope="module")
def token(mock: LiveMock) -> str:
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        return glue_login(client, SONIA)


@pytest.fixture(scope="module")
def basic(mock: LiveMock) -> str:
    keys = httpx.get(f"{mock.url}/__admin/accounts", timeout=10).json()["sendcloud"]["basic"][0]
    return "Basic " + b64encode(f"{keys['publicKey']}:{keys['secretKey']}".encode()).decode()


@pytest.fixture
def log_mark(mock: LiveMock) -> int:
    """Where the mock's log stood when the test started."""
    return len(mock.log())


def assert_survived(mock: LiveMock, log_mark: int) -> None:
    """A normal request still works and nothing was logged as a traceback since ``log_mark``."""
    answer = httpx.get(f"{mock.url}/glue/return-reasons", headers=GLUE_HEADERS, timeout=10)
    assert answer.status_code == 200, answer.text
    time.sleep(0.05)  # let the server flush what it logged for the last request
    new_log = mock.log()[log_mark:]
    assert "Traceback" not in new_log, new_log[-3000:]


LOGIN = "/glue/access-tokens"
VALID_LOGIN = json.dumps(access_token_body(SONIA)).encode()
VND = {"Content-Type": JSONAPI}


def nested(depth: int) -> bytes:
    """A login document whose ``username`` is an array nested ``depth`` deep."""
    return (
        b'{"data":{"type":"access-tokens","attributes":{"username":'
        + b"[" * depth
        + b"]" * depth
        + b',"password":"x"}}}'
    )


# ----------------------------------------------------------------------------- bodies

GLUE_BODIES = {
    "invalid-json": (VND, b'{"data": nope}', 400),
    "truncated-json": (VND, VALID_LOGIN[: len(VALID_LOGIN) // 2], 400),
    "empty-body-content-length-0": ({**VND, "Content-Length": "0"}, b"", 400),
    "empty-body-no-length": (VND, b"", 400),
    "whitespace-body": (VND, b"   \r\n ", 400),
    "wrong-media-type-text": ({"Content-Type": "text/plain"}, VALID_LOGIN, 415),
    "wrong-media-type-form": (
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"username=sonia&password=change123",
        415,
    ),
    "no-content-type": ({}, VALID_LOGIN, 415),
    "plain-json-media-type": ({"Content-Type": "application/json"}, VALID_LOGIN, 415),
    "invalid-utf8": (
        VND,
        b'{"data":{"type":"access-tokens","attributes":{"username":"\xff\xfe"}}}',
        400,
    ),
    "utf16-body": (VND, VALID_LOGIN.decode().encode("utf-16"), 400),
    "json-null": (VND, b"null", 400),
    "json-array": (VND, b"[]", 400),
    "json-string": (VND, b'"data"', 400),
    "nested-10000-arrays": (VND, nested(10_000), 400),
    "nested-10000-objects": (VND, b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400),
}


@pytest.mark.parametrize("case", sorted(GLUE_BODIES))
def test_glue_malformed_body(case: str, mock: LiveMock, token: str, log_mark: int) -> None:
    """Broken bodies on the public login and the authenticated create: 4xx, Glue envelope."""
    headers, body, status = GLUE_BODIES[case]
    for target, extra in ((LOGIN, {}), ("/glue/returns", {"Authorization": f"Bearer {token}"})):
        response = send(mock.url, "POST", target, {**headers, **extra}, body)
        error = assert_glue_error(response, status)
        assert "code" not in error or error["code"] == "901", error
    assert_survived(mock, log_mark)


def test_glue_body_nested_up_to_the_parser_limit(mock: LiveMock, log_mark: int) -> None:
    """Every nesting depth up to past the parser's limit is a 4xx (sweep, so the window is hit)."""
    statuses = {
        depth: send(mock.url, "POST", LOGIN, VND, nested(depth)).status
        for depth in range(100, 1101, 10)
    }
    server_errors = {depth: status for depth, status in statuses.items() if status >= 500}
    assert not server_errors, f"5xx at depths {sorted(server_errors)}"
    assert_survived(mock, log_mark)


def test_sendcloud_body_on_its_get_only_api(mock: LiveMock, basic: str, log_mark: int) -> None:
    """Sendcloud has no write operation: a (broken) JSON body to POST is a 405 in its envelope."""
    for body in (b"{bad", b'{"a":' * 10_000, b"\xff\xfe"):
        response = send(
            mock.url,
            "POST",
            "/sendcloud/api/v2/returns",
            {"Content-Type": "application/json", "Authorization": basic},
            body,
        )
        assert_sendcloud_error(response, 405)
        assert allowed_methods(response) == {"GET"}
    assert_survived(mock, log_mark)


# ----------------------------------------------------------------------------- body size


@pytest.mark.parametrize(
    ("target", "envelope"),
    [(LOGIN, "glue"), ("/glue/returns", "glue"), ("/sendcloud/api/v2/returns", "sendcloud")],
)
def test_10mb_declared_body_refused_before_it_is_read(
    target: str, envelope: str, mock: LiveMock, token: str, basic: str, log_mark: int
) -> None:
    """Content-Length: 10 MiB, only 64 KiB sent: 413 arrives promptly, so nothing waited for it."""
    auth = basic if envelope == "sendcloud" else f"Bearer {token}"
    method = "GET" if envelope == "sendcloud" else "POST"
    headers = {**VND, "Content-Length": str(TEN_MB), "Authorization": auth}
    response = exchange(mock.url, build(method, target, headers) + b"{" + b" " * 65_535)
    assert response.elapsed < PROMPT, response.elapsed
    if envelope == "glue":
        assert_glue_error(response, 413)
    else:
        assert_sendcloud_error(response, 413)
    assert_survived(mock, log_mark)


def test_10mb_body_sent_in_full_is_413(mock: LiveMock, log_mark: int) -> None:
    """A client that really uploads 10 MiB gets the 413 in the Glue envelope.

    httpx first; httpx gives up (WriteError) without reading the answer when the server closes
    while it still writes, so then the same upload goes over a raw socket that reads it."""
    started = time.monotonic()
    expected = {"errors": [{"status": 413, "detail": "Request body is too large."}]}
    try:
        answer = httpx.post(
            f"{mock.url}{LOGIN}", content=b" " * TEN_MB, headers=GLUE_HEADERS, timeout=30
        )
    except httpx.WriteError:
        head = build("POST", LOGIN, {**VND, "Content-Length": str(TEN_MB)})
        raw = exchange(mock.url, head, (b" " * 65_536 for _ in range(TEN_MB // 65_536)))
        assert raw.status == 413 and raw.headers["content-type"].startswith(JSONAPI)
        assert raw.json() == expected
    else:
        assert answer.status_code == 413, answer.text
        assert answer.headers["content-type"].startswith(JSONAPI)
        assert answer.json() == expected
    assert time.monotonic() - started < PROMPT
    assert_survived(mock, log_mark)


def test_body_just_over_the_limit_is_413(mock: LiveMock, log_mark: int) -> None:
    body = b'{"data":"' + b"a" * LIMIT + b'"}'
    assert_glue_error(send(mock.url, "POST", LOGIN, VND, body), 413)
    assert_survived(mock, log_mark)


def chunks(total: int, size: int = 65_536) -> Iterator[bytes]:
    """Chunked-encoding frames of ``total`` bytes (then the terminating chunk)."""
    for _ in range(total // size):
        yield b"%x\r\n" % size + b" " * size + b"\r\n"
    yield b"0\r\n\r\n"


def test_oversized_chunked_upload_refused_promptly(mock: LiveMock, log_mark: int) -> None:
    """A chunked upload of 8 MiB is refused (4xx, envelope) before the client has sent it all."""
    head = build("POST", LOGIN, {**VND, "Transfer-Encoding": "chunked"})
    response = exchange(mock.url, head, chunks(8 * LIMIT))
    assert_glue_error(response)
    assert response.elapsed < PROMPT
    assert response.sent < 8 * LIMIT, "the whole body had to be sent before the answer"
    assert_survived(mock, log_mark)


def test_oversized_chunked_upload_is_413(mock: LiveMock, log_mark: int) -> None:
    head = build("POST", LOGIN, {**VND, "Transfer-Encoding": "chunked"})
    assert_glue_error(exchange(mock.url, head, chunks(2 * LIMIT)), 413)


def test_small_chunked_login_is_accepted(mock: LiveMock) -> None:
    head = build("POST", LOGIN, {**VND, "Transfer-Encoding": "chunked"})
    frame = b"%x\r\n" % len(VALID_LOGIN) + VALID_LOGIN + b"\r\n0\r\n\r\n"
    response = exchange(mock.url, head + frame)
    assert response.status == 201, response.body[:300]


# ----------------------------------------------------------------------------- URL and headers

BIG = 100 * 1024


@pytest.mark.parametrize("api", ["glue", "sendcloud"])
def test_100kb_query_string_refused_with_4xx(api: str, mock: LiveMock, log_mark: int) -> None:
    """A 100 KB query string: refused with a 4xx, and the server keeps serving."""
    target = "/glue/return-reasons" if api == "glue" else "/sendcloud/api/v2/returns"
    response = send(mock.url, "GET", f"{target}?q={'a' * BIG}")
    assert 400 <= response.status < 500, response.status
    assert_survived(mock, log_mark)


def test_100kb_query_string_answered_in_envelope(mock: LiveMock) -> None:
    """Past httptools' 64 KiB URL limit the head goes to h11: 414 in the Glue envelope."""
    error = assert_glue_error(send(mock.url, "GET", f"/glue/return-reasons?q={'a' * BIG}"), 414)
    assert error["detail"] == "Request-URI too long."


@pytest.mark.parametrize("api", ["glue", "sendcloud"])
def test_100kb_header_refused(api: str, mock: LiveMock, basic: str) -> None:
    if api == "glue":
        response = send(mock.url, "GET", "/glue/return-reasons", {"X-Padding": "a" * BIG})
        assert_glue_error(response)
    else:
        headers = {"Authorization": basic, "X-Padding": "a" * BIG}
        assert_sendcloud_error(send(mock.url, "GET", "/sendcloud/api/v2/returns", headers))


def test_100kb_header_does_not_harm_the_server(mock: LiveMock, log_mark: int) -> None:
    """Whatever the answer to a 100 KB header, it is not a 5xx and the server keeps serving."""
    response = send(mock.url, "GET", "/glue/return-reasons", {"X-Padding": "a" * BIG})
    assert response.status < 500
    assert_survived(mock, log_mark)


def test_100kb_bearer_token_is_431(mock: LiveMock, log_mark: int) -> None:
    """A 100 KB ``Authorization`` header is over the 32 KiB header limit: 431 in the envelope."""
    response = send(mock.url, "GET", "/glue/orders", {"Authorization": "Bearer " + "a" * BIG})
    assert_glue_error(response, 431)
    assert_survived(mock, log_mark)


def test_large_bearer_token_under_the_limit_is_401(mock: LiveMock, log_mark: int) -> None:
    """A 16 KB token is within the header limit and simply invalid: 401/001 with the challenge."""
    response = send(mock.url, "GET", "/glue/orders", {"Authorization": "Bearer " + "a" * 16384})
    assert assert_glue_error(response, 401)["code"] == "001"
    assert response.headers["www-authenticate"] == 'Bearer realm="Access to shop API"'
    assert_survived(mock, log_mark)


# ----------------------------------------------------------------------------- ids

GLUE_IDS = {
    "traversal-encoded": "/glue/returns/..%2F..%2Fetc%2Fpasswd",
    "traversal-raw": "/glue/returns/../orders",
    "traversal-orders": "/glue/orders/..%2F..%2F..%2Fetc%2Fpasswd",
    "backslash-traversal": "/glue/orders/..%5C..%5Cetc%5Cpasswd",
    "nul": "/glue/returns/%00",
    "nul-in-reference": "/glue/returns/DE--1-R1%00",
    "crlf": "/glue/returns/%0d%0a",
    "crlf-header-injection": "/glue/orders/DE--1%0d%0aSet-Cookie:%20x=1",
    "invalid-utf8": "/glue/orders/%FF%FE",
    "double-encoded": "/glue/returns/%252e%252e%252fetc",
}


@pytest.mark.parametrize("case", sorted(GLUE_IDS))
def test_glue_hostile_ids(case: str, mock: LiveMock, token: str, log_mark: int) -> None:
    """Traversal and control characters in ids: a 4xx (404) in the Glue envelope, no leak."""
    response = send(mock.url, "GET", GLUE_IDS[case], {"Authorization": f"Bearer {token}"})
    error = assert_glue_error(response, 404)
    assert error.get("code") in (None, "801", "3602"), error
    assert b"root:" not in response.body
    assert not any(name.lower() == "set-cookie" for name in response.headers)
    assert_survived(mock, log_mark)


@pytest.mark.parametrize(
    "target",
    [
        "/sendcloud/api/v2/returns/..%2F..%2Fetc%2Fpasswd",
        "/sendcloud/api/v2/returns/../returns",
        "/sendcloud/api/v2/returns/%00",
        "/sendcloud/api/v2/returns/1%0d%0a",
        "/sendcloud/api/v2/returns/%FF",
        "/sendcloud/api/v2/returns?cursor=%FF%FE%00",
        "/sendcloud/api/v2/returns?cursor=..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_sendcloud_hostile_ids(target: str, mock: LiveMock, basic: str, log_mark: int) -> None:
    response = send(mock.url, "GET", target, {"Authorization": basic})
    assert_sendcloud_error(response, 404)
    assert b"root:" not in response.body
    assert_survived(mock, log_mark)


@pytest.mark.parametrize("reference", ["%0d%0a", "DE--1-R1%0a", "%0a"])
def test_id_with_encoded_line_feed_gets_documented_404_code(
    reference: str, mock: LiveMock, token: str
) -> None:
    response = send(
        mock.url, "GET", f"/glue/returns/{reference}", {"Authorization": f"Bearer {token}"}
    )
    assert assert_glue_error(response, 404).get("code") == "3602"


@pytest.mark.parametrize("reference", ["abc", "%00", "1.5"])
def test_sendcloud_non_integer_id_gets_documented_message(
    reference: str, mock: LiveMock, basic: str
) -> None:
    """A non-integer id is answered like an unknown one (spec decision sendcloud-C9)."""
    response = send(
        mock.url, "GET", f"/sendcloud/api/v2/returns/{reference}", {"Authorization": basic}
    )
    assert assert_sendcloud_error(response, 404)["message"] == "No Return matches the given query."


# ----------------------------------------------------------------------------- methods


@pytest.mark.parametrize(
    ("method", "target", "allowed"),
    [
        ("PATCH", "/glue/returns", {"GET", "POST"}),
        ("PUT", "/glue/returns", {"GET", "POST"}),
        ("DELETE", "/glue/returns/DE--1-R1", {"GET"}),
        ("PATCH", "/glue/orders/DE--1", {"GET"}),
        ("GET", "/glue/access-tokens", {"POST"}),
        ("TRACE", "/glue/returns", {"GET", "POST"}),
        ("PROPFIND", "/glue/returns", {"GET", "POST"}),
        ("PATCH", "/sendcloud/api/v2/returns", {"GET"}),
        ("DELETE", "/sendcloud/api/v2/returns/1", {"GET"}),
    ],
)
def test_wrong_method_is_405_with_allow(
    method: str, target: str, allowed: set[str], mock: LiveMock, log_mark: int
) -> None:
    response = send(mock.url, method, target, VND, b"{}")
    if target.startswith("/glue"):  # Glue: 404 without Allow (issue 10 pt 6; was 405)
        assert_glue_error(response, 404)
        assert "allow" not in response.headers
    else:
        assert_sendcloud_error(response, 405)
        assert allowed_methods(response) == allowed
    assert_survived(mock, log_mark)


def test_unknown_method_is_refused_with_4xx(mock: LiveMock, log_mark: int) -> None:
    """``FOO /glue/returns``: refused with a 4xx, and the server keeps serving."""
    response = send(mock.url, "FOO", "/glue/returns")
    assert 400 <= response.status < 500
    assert_survived(mock, log_mark)


@pytest.mark.parametrize("target", ["/glue/returns", "/sendcloud/api/v2/returns"])
def test_unknown_method_foo_is_405_with_allow(target: str, mock: LiveMock) -> None:
    response = send(mock.url, "FOO", target)
    if target.startswith("/glue"):  # Glue: 404 without Allow (issue 10 pt 6; was 405)
        assert_glue_error(response, 404)
    else:
        assert_sendcloud_error(response, 405)
        assert "GET" in response.headers["allow"]


def test_unknown_method_keeps_the_connection_serving(mock: LiveMock, token: str) -> None:
    """On one keep-alive connection: a GET, then ``FOO`` (Glue: 404), then a GET again (200)."""
    host, port = urlsplit(mock.url).hostname, urlsplit(mock.url).port
    read = f"GET /glue/orders HTTP/1.1\r\nHost: x\r\nAccept: {JSONAPI}\r\n"
    read += f"Authorization: Bearer {token}\r\n\r\n"
    foo = f"FOO /glue/orders HTTP/1.1\r\nHost: x\r\nAccept: {JSONAPI}\r\n\r\n"
    statuses = []
    with socket.create_connection((host, port), timeout=10) as sock:
        reader = sock.makefile("rb")
        for request in (read, foo, read):
            sock.sendall(request.encode())
            status_line = reader.readline()
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = reader.read(length)
            statuses.append(int(status_line.split()[1]))
            assert json.loads(body), body
    assert statuses == [200, 404, 200]  # Glue's wrong-method 404 (issue 10 pt 6; was 405)


def test_server_survives_everything_above(mock: LiveMock) -> None:
    """After the whole module: still serving both APIs, and no traceback in the log."""
    with httpx.Client(base_url=mock.url, timeout=10) as client:
        token = glue_login(client, SONIA)
        orders = client.get(
            "/glue/orders", headers={**GLUE_HEADERS, "Authorization": f"Bearer {token}"}
        )
        assert orders.status_code == 200
        assert client.get("/__admin/state").status_code == 200
    assert mock.process.poll() is None
    assert "Traceback" not in mock.log()
