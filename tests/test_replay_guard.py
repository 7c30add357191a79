"""Issue 11 pt 4: ``conformance replay`` checks every case of a corpus before sending anything.

A corpus whose paths could lead the credentials elsewhere (``@host``, ``..``, absolute URLs,
``//host``, backslashes, control characters, paths of no contract operation) and a corpus file
that is no corpus at all (not JSON, wrong shape, huge, wrong types) are refused with exit 2 and
one line; a capture server counting connections shows that not even the probe was sent. A value
read from a hostile target that would lead elsewhere stops that case only. Valid corpora, with
template or concrete paths, still replay against the mock.
"""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import SONIA

from conformance.cli import main
from conformance.client import AsgiTarget
from conformance.corpus import FORMAT, load_corpus
from conformance.corpus import model as corpus_model
from conformance.replay import AS_EXPECTED, ERROR, replay
from conformance.runner import Credentials

GLUE_CREDENTIALS = ["--username", SONIA[0], "--password", SONIA[1]]
JSONAPI = "application/vnd.api+json"
ORDER = "{{glue.orderReference}}"


class CaptureServer:
    """A loopback HTTP server that counts the connections it accepts and answers 200 ``{}``."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data and len(data) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.api+json\r\n"
                        b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def capture() -> Iterator[CaptureServer]:
    server = CaptureServer()
    yield server
    server.close()


def _case(case_id: str, path: str, **request: Any) -> dict[str, Any]:
    headers = {"Accept": JSONAPI, "Authorization": "Bearer {{glue.token}}"}
    return {
        "id": case_id,
        "operation": "getOrder",
        "endpoint": "GET /orders/{orderReference}",
        "title": f"case {case_id}",
        "source": "edge",
        "request": {"method": "GET", "path": path, "headers": headers, **request},
        "expect": {"status": [200], "why": "the customer's order"},
    }


def _valid_cases() -> list[dict[str, Any]]:
    reasons = _case("reasons", "/return-reasons", headers={"Accept": JSONAPI})
    reasons["operation"], reasons["endpoint"] = "listReturnReasons", "GET /return-reasons"
    unknown = _case("unknown", "/orders/{orderReference}", pathParams={"orderReference": "DE--999"})
    unknown["expect"] = {"status": [404], "codes": {"404": ["801"]}, "why": "no such order"}
    concrete = copy.deepcopy(unknown)
    concrete["id"], concrete["request"]["path"] = "concrete", "/orders/DE--999"
    concrete["request"].pop("pathParams")
    return [
        reasons,
        _case("order", "/orders/{orderReference}", pathParams={"orderReference": ORDER}),
        unknown,
        concrete,
    ]  # fmt: skip


def _corpus(cases: list[dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"format": FORMAT, "version": 1, "api": "glue", "cases": cases, **top}


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "corpus.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _refused(path: Path, base_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Replay ``path``; assert exit 2 with one line and no traceback; return that line."""
    code = main(["replay", str(path), "--base-url", base_url, *GLUE_CREDENTIALS])
    captured = capsys.readouterr()
    assert code == 2, captured.out + captured.err
    assert captured.out == ""
    assert captured.err.startswith("conformance: error: ") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    return captured.err


HOSTILE_PATHS = [
    # (what, path, pathParams, words of the reason)
    ("@host", "@evil.example/orders", {}, "'@' (userinfo)"),
    ("@host after a slash", "/@evil.example/orders", {}, "'@' (userinfo)"),
    ("..", "/orders/../../__admin/reset", {}, "'..' segment"),
    ("percent-encoded ..", "/orders/%2e%2E/x", {}, "'..' segment"),
    ("absolute URL", "http://evil.example/glue/orders", {}, "absolute URL"),
    ("absolute URL, other scheme", "javascript:alert(1)", {}, "absolute URL"),
    ("//host", "//evil.example/orders", {}, "network-path"),
    ("backslash", "/orders\\..\\__admin", {}, "backslash"),
    ("control characters", "/orders\r\nHost: evil.example", {}, "control characters"),
    ("no leading slash", "orders", {}, "does not start with /"),
    ("a query in the path", "/orders?x=1", {}, "'?' or '#'"),
    ("no path of the contract", "/__admin/reset", {}, "matches no path of the contract"),
    ("a parameter that is ..", "/orders/{orderReference}", {"orderReference": ".."}, "is '..'"),
    ("a parameter without value", "/orders/{orderReference}", {}, "no value for"),
]


def test_corpus_with_userinfo_dot_dot_and_absolute_paths_is_refused_before_any_request(
    capture: CaptureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        *_valid_cases(),
        _case("at-host", "@evil.example/orders"),
        _case("dot-dot", "/orders/../../__admin/reset"),
        _case("absolute", "http://evil.example/glue/orders"),
    ]
    line = _refused(_write(tmp_path, _corpus(cases)), f"{capture.url}/glue", capsys)
    assert "case 'at-host' refused" in line and "nothing was sent" in line
    assert capture.connections == 0
    # The same corpus without its bad cases does reach the server: the count would see it.
    assert main(["replay", str(_write(tmp_path, _corpus(_valid_cases()))), "--base-url",
                 f"{capture.url}/glue", *GLUE_CREDENTIALS]) in (0, 1, 2)  # fmt: skip
    capsys.readouterr()
    assert capture.connections > 0


@pytest.mark.parametrize(("what", "path", "params", "reason"), HOSTILE_PATHS, ids=lambda x: x)
def test_each_hostile_path_is_named_with_its_reason(
    what: str, path: str, params: dict[str, str], reason: str, capture: CaptureServer,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    bad = _case("bad-one", path, pathParams=params)
    corpus = _corpus([*_valid_cases(), bad])
    line = _refused(_write(tmp_path, corpus), capture.url + "/glue", capsys)
    assert "case 'bad-one' refused" in line and reason in line, line
    assert capture.connections == 0


@pytest.mark.parametrize(
    ("what", "change", "reason"),
    [
        ("Host header", {"headers": {"Host": "evil.example"}}, "set by the client"),
        ("Transfer-Encoding", {"headers": {"Transfer-Encoding": "chunked"}}, "set by the client"),
        ("CRLF in a header", {"headers": {"X-A": "1\r\nHost: evil"}}, "printable ASCII"),
        ("header name no token", {"headers": {"X A:": "1"}}, "not an HTTP token"),
        ("method no token", {"method": "GET /evil HTTP/1.1"}, "not an HTTP method"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_hostile_headers_and_methods_are_refused(
    what: str, change: dict[str, Any], reason: str, capture: CaptureServer, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    bad = _case("bad-one", "/return-reasons")
    bad["request"].update(change)
    line = _refused(_write(tmp_path, _corpus([bad])), capture.url + "/glue", capsys)
    assert "case 'bad-one' refused" in line and reason in line, line
    assert capture.connections == 0


def test_control_characters_in_case_texts_are_refused(
    capture: CaptureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _case("bad\u001b[2J", "/return-reasons")
    line = _refused(_write(tmp_path, _corpus([bad])), capture.url + "/glue", capsys)
    assert "\u001b" not in line and "control characters" in line
    bad = _case("title", "/return-reasons")
    bad["title"] = "looks fine\u202e txt.exe"
    assert "its title contains" in _refused(
        _write(tmp_path, _corpus([bad])), capture.url + "/glue", capsys
    )
    assert capture.connections == 0


def test_a_base_url_with_a_query_is_refused(
    capture: CaptureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _corpus(_valid_cases()))
    assert "no query or fragment" in _refused(path, capture.url + "/glue?x=", capsys)
    assert capture.connections == 0


BAD_CODES = {"status": [404], "codes": {"404": "801"}}
NOT_CORPORA = [
    ("not JSON", "{nope", "is not JSON"),
    ("not UTF-8", b"\xff\xfe{}".decode("latin-1"), None),
    ("JSON nested too deeply", "[" * 200_000 + "]" * 200_000, "nested too deeply"),
    ("a list", [], "is not a corpus"),
    ("a huge format value", {"format": "x" * 100_000}, "is not a corpus"),
    ("cases not a list", _corpus({"a": 1}), "`cases` must be a list"),  # type: ignore[arg-type]
    ("a case not an object", _corpus(["x"]), "a case must be a JSON object"),  # type: ignore[list-item]
    ("seed a string", _corpus([], seed="7"), "`seed` must be an integer"),
    ("generator a list", _corpus([], generator=["x"]), "`generator` must be a JSON object"),
    ("id an object", _corpus([{**_case("x", "/orders"), "id": {"a": 1}}]), "`id` must be a string"),
    ("request a string", _corpus([{**_case("x", "/o"), "request": "GET /"}]), "`request` must"),
    ("method a number", _corpus([_case("x", "/orders", method=5)]), "`method` must be a string"),
    ("path missing", _corpus([{**_case("x", "/o"), "request": {"method": "GET"}}]), "'path'"),
    ("headers with numbers", _corpus([_case("x", "/orders", headers={"A": 1})]), "`headers` must"),
    ("pathParams a list", _corpus([_case("x", "/orders", pathParams=["a"])]), "`pathParams` must"),
    ("query not pairs", _corpus([_case("x", "/orders", query=[["a", 1]])]), "`query` must"),
    ("text not a string", _corpus([_case("x", "/orders", text=5)]), "`text` must be a string"),
    ("status strings", _corpus([{**_case("x", "/o"), "expect": {"status": ["200"]}}]), "`status`"),
    ("status true", _corpus([{**_case("x", "/o"), "expect": {"status": [True]}}]), "`status`"),
    ("codes not lists", _corpus([{**_case("x", "/o"), "expect": BAD_CODES}]), "`codes`"),
    ("duplicate ids", _corpus([_case("x", "/orders"), _case("x", "/orders")]), "duplicate case id"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "document", "reason"), NOT_CORPORA, ids=lambda x: x)
def test_a_file_that_is_no_corpus_is_one_line_exit_2(
    what: str, document: Any, reason: str | None, capture: CaptureServer, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path = tmp_path / "corpus.json"
    if what == "not UTF-8":
        path.write_bytes(b"\xff\xfe{}")
    else:
        _write(tmp_path, document)
    line = _refused(path, capture.url + "/glue", capsys)
    assert reason is None or reason in line, line
    assert len(line) < 400
    assert capture.connections == 0


def test_a_huge_file_is_refused_unread(
    capture: CaptureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(corpus_model, "MAX_CORPUS_BYTES", 4096)
    path = _write(tmp_path, _corpus([_case(f"c{i}", "/return-reasons") for i in range(40)]))
    assert path.stat().st_size > 4096
    assert "over 4096 bytes" in _refused(path, capture.url + "/glue", capsys)
    assert capture.connections == 0


def test_the_real_limit_is_checked_without_reading_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sparse.json"
    with path.open("wb") as file:
        file.truncate(corpus_model.MAX_CORPUS_BYTES + 1)  # sparse: no disk used
    with pytest.raises(corpus_model.CorpusError, match="over 64 MiB"):
        load_corpus(path)


# --------------------------------------------------------------------------- valid corpora


def test_a_valid_corpus_with_template_and_concrete_paths_replays_against_the_mock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _corpus(_valid_cases()))
    args = ["replay", str(path), "--base-url", "/glue", "--app", "mock_server.app:create_app()"]
    code = main([*args, *GLUE_CREDENTIALS])
    output = capsys.readouterr().out
    assert code == 0, output
    assert "4 cases: 4 as expected" in output


def test_a_hostile_value_read_from_the_target_stops_only_its_case(tmp_path: Path) -> None:
    """The target names an order ``..``: that case is not sent, the others are."""
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        seen.append(scope["raw_path"].decode())
        body: dict[str, Any] = {"data": [{"type": "orders", "id": ".."}]}
        if scope["path"] == "/glue/access-tokens":
            body = {"data": {"type": "access-tokens", "attributes": {"accessToken": "t"}}}
        status = 201 if scope["method"] == "POST" else 200
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", JSONAPI.encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    corpus = load_corpus(_write(tmp_path, _corpus(_valid_cases())))
    result = replay(corpus, AsgiTarget(app, "/glue"), Credentials(SONIA[0], SONIA[1]))
    verdicts = {r.case.id: (r.verdict, r.detail) for r in result.results}
    assert verdicts["order"] == (ERROR, "not sent: the URL has a '.' or '..' segment")
    assert verdicts["reasons"][0] == AS_EXPECTED
    assert not any(".." in path.split("/") for path in seen), seen
    assert "/glue/orders/DE--999" in seen


def test_a_token_from_the_target_that_is_no_header_value_stops_its_cases(tmp_path: Path) -> None:
    """A login answering a non-ASCII token: cases sending it are errors, not tracebacks."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        body: dict[str, Any] = {"data": [{"type": "orders", "id": "DE--1"}]}
        if scope["path"] == "/glue/access-tokens":
            body = {"data": {"type": "access-tokens", "attributes": {"accessToken": "tök"}}}
        status = 201 if scope["method"] == "POST" else 200
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", JSONAPI.encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    corpus = load_corpus(_write(tmp_path, _corpus(_valid_cases())))
    result = replay(corpus, AsgiTarget(app, "/glue"), Credentials(SONIA[0], SONIA[1]))
    verdicts = {r.case.id: (r.verdict, r.detail) for r in result.results}
    assert verdicts["unknown"] == (ERROR, "not sent: header 'Authorization' is not printable ASCII")
    assert verdicts["order"] == (ERROR, "not sent: a header is not ASCII")  # while resolving
    assert verdicts["reasons"][0] == AS_EXPECTED
