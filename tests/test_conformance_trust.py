"""Issue 11 points 4 (first half) and 6: credentials only go to the target's origin, and skips
are visible.

* A broken implementation whose links point at another loopback port (a capture server) is
  reported (``glue_links_same_origin`` / ``sendcloud_cursor_links_same_origin``), and the
  capture server receives no credential: no ``Authorization``, no password, no token.
* ``--fail-on-skip`` exits 1 when the create flow had no returnable item; the verdict line and
  the Markdown header count passed, failed and skipped checks.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import uvicorn
from support import SONIA, SPENCOR, broken_impls, free_port
from support.broken_impls import (
    BrokenImpl,
    GlueLinksElsewhere,
    Request,
    Response,
    SendcloudCursorElsewhere,
)

from conformance.cli import main
from conformance.client import ApiClient, ForeignOriginError, HttpTarget
from mock_server.app import MockServer, create_app
from mock_server.config import Settings

SEED = "4242"
MAX_CAPTURED = 64  # requests kept by the capture server (bounded)
GLUE_CREDENTIALS = [
    "--username", SONIA[0], "--password", SONIA[1],
    "--other-username", SPENCOR[0], "--other-password", SPENCOR[1],
]  # fmt: skip


class CaptureServer:
    """Records whatever reaches it (request line, headers, up to 64 KiB of body); answers 200."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        captured = self.received

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = min(int(self.headers.get("content-length") or 0), 65536)
                body = self.rfile.read(length) if length else b""
                if len(captured) < MAX_CAPTURED:
                    captured.append(self.requestline.encode() + b"\n" + bytes(self.headers) + body)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _record

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CaptureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def capture() -> Iterator[CaptureServer]:
    with CaptureServer() as server:
        yield server


def serve(app: BrokenImpl) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    return f"http://127.0.0.1:{port}", server, thread


def assert_no_credential(received: list[bytes], secrets: list[str]) -> None:
    for request in received:
        lowered = request.lower()
        assert b"authorization:" not in lowered, request[:300]
        for secret in secrets:
            assert secret.encode() not in request, request[:300]


def test_client_refuses_another_origin_before_sending(capture: CaptureServer) -> None:
    client = ApiClient(HttpTarget("http://127.0.0.1:1/glue"), auth_header="Bearer secret-token")
    for link in (
        f"{capture.origin}/glue/returns?page[offset]=2",
        capture.origin.replace("http://127.0.0.1", "//127.0.0.1") + "/glue/returns",
        "https://127.0.0.1:1/glue/returns",  # same host and port, another scheme
    ):
        with pytest.raises(ForeignOriginError):
            client.get(link)
    client.close()
    assert capture.received == []
    assert client.same_origin("http://127.0.0.1:1/glue/returns?page[offset]=2&page[limit]=2")
    assert client.same_origin("HTTP://127.0.0.1:1/other")


@pytest.mark.parametrize(
    "impl", [GlueLinksElsewhere, SendcloudCursorElsewhere], ids=lambda i: i.NAME
)
def test_links_to_another_port_get_no_credentials(
    impl: type[BrokenImpl],
    capture: CaptureServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(impl, "CAPTURE_ORIGIN", capture.origin)
    app = impl()
    url, server, thread = serve(app)
    try:
        if impl.API == "glue":
            base, credentials = f"{url}/glue", GLUE_CREDENTIALS
            token = httpx.post(
                f"{url}/glue/access-tokens",
                json={
                    "data": {
                        "type": "access-tokens",
                        "attributes": dict(zip(("username", "password"), SONIA, strict=True)),
                    }
                },
                headers={
                    "Accept": "application/vnd.api+json",
                    "Content-Type": "application/vnd.api+json",
                },
                timeout=10,
            ).json()["data"]["attributes"]["accessToken"]
            secrets = [SONIA[1], "Bearer", token[:20]]
        else:
            account = app.sendcloud.accounts()["basic"][0]
            key, secret = account["publicKey"], account["secretKey"]
            base, credentials = f"{url}/sendcloud/api/v2", ["--basic", f"{key}:{secret}"]
            secrets = [secret, base64.b64encode(f"{key}:{secret}".encode()).decode(), "Basic"]
        code = main([
            "run", "--api", impl.API, "--base-url", base, *credentials, "--seed", SEED,
            "--max-examples", "3", "--phases", "examples", "--report-dir", str(tmp_path),
        ])  # fmt: skip
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    output = capsys.readouterr().out
    assert code == 1, output
    assert impl.EXPECTED_CHECK in output
    assert_no_credential(capture.received, secrets)
    markdown = (tmp_path / f"conformance-{impl.API}.md").read_text(encoding="utf-8")
    assert "a link to another scheme, host or port is a defect" in markdown  # the rule quoted
    assert capture.origin in markdown  # the offending link is named


# --------------------------------------------------------------------------- skips


class NothingReturnable(BrokenImpl):
    """The mock as a customer sees it once every item was returned: nothing is returnable."""

    NAME = "nothing-returnable"
    API = "glue"

    def edit(self, request: Request, response: Response) -> None:
        document = response.json()
        if response.status != 200 or not request.path.startswith("/glue/orders/"):
            return
        for item in document["data"]["attributes"].get("items", []):
            item["isReturnable"] = False
        response.set_json(document)


@pytest.fixture
def nothing_returnable(monkeypatch: pytest.MonkeyPatch) -> BrokenImpl:
    app = NothingReturnable(create_app(Settings()))
    monkeypatch.setattr(broken_impls, "UNDER_TEST", app, raising=False)
    return app


def run_args(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "run", "--api", "glue", "--app", "support.broken_impls:UNDER_TEST", "--base-url", "/glue",
        *GLUE_CREDENTIALS, "--seed", SEED, "--max-examples", "2", "--phases", "examples",
        "--report-dir", str(tmp_path), *extra,
    ]  # fmt: skip


def test_fail_on_skip_exits_1_when_no_item_is_returnable(
    nothing_returnable: BrokenImpl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(run_args(tmp_path / "plain")) == 0  # a skip alone is not a violation
    plain = capsys.readouterr().out
    assert main(run_args(tmp_path / "ci", "--fail-on-skip")) == 1
    gated = capsys.readouterr().out
    for output in (plain, gated):
        assert "glue_create_return_flow: no returnable item left" in output
        assert "reset the target or pass another account" in output
    verdict = [line for line in gated.splitlines() if line.startswith("glue: ")][-1]
    assert "NOT CONFORMANT" in verdict and "skipped with --fail-on-skip" in verdict
    assert "glue_create_return_flow" in verdict
    assert [line for line in plain.splitlines() if line.startswith("glue: CONFORMANT")]
    markdown = (tmp_path / "ci" / "conformance-glue.md").read_text(encoding="utf-8")
    assert "❌ not conformant" in markdown
    assert "## Skipped checks" in markdown
    assert "glue_create_return_flow: no returnable item left" in markdown


def test_verdict_and_markdown_header_count_passed_failed_and_skipped(
    nothing_returnable: BrokenImpl, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from conformance import report
    from conformance.client import AsgiTarget
    from conformance.runner import Credentials, Options, run

    result = run(
        "glue",
        AsgiTarget(nothing_returnable, "/glue"),
        Credentials(username=SONIA[0], password=SONIA[1]),
        Options(seed=int(SEED), max_examples=2, phases=("examples",)),
    )
    statuses = [outcome.status for outcome in result.checks.values()]
    passed, failed, skipped = (statuses.count(s) for s in ("passed", "failed", "skipped"))
    assert skipped >= 1 and passed >= 20 and failed == 0
    expected = (
        f"{len(result.checks)} checks: {passed} passed, {failed} failed, {skipped} skipped, "
        f"{statuses.count('not run')} not applicable"
    )
    header = report.markdown(result).splitlines()[2]
    assert header.startswith("- **Result:** ✅ conformant — ") and expected in header, header
    assert "0 violation(s), 0 harness error(s)" in header
    assert "in 0 check(s)" not in report.markdown(result)
    assert expected in report.verdict(result)


def test_skip_reasons_say_how_to_unblock(mock_app: MockServer) -> None:
    """Without a second customer the foreign-return check says which options unblock it."""
    from conformance.client import AsgiTarget
    from conformance.runner import Credentials, Options, run

    result = run(
        "glue",
        AsgiTarget(mock_app, "/glue"),
        Credentials(username=SONIA[0], password=SONIA[1]),
        Options(seed=int(SEED), phases=(), checks=["glue_foreign_return_is_404_3602"]),
    )
    assert result.skipped_checks() == ["glue_foreign_return_is_404_3602"]
    assert (
        "--other-username/--other-password"
        in result.checks["glue_foreign_return_is_404_3602"].skipped[0]
    )


def test_page_schema_accepts_spryker_links_and_judges_formats() -> None:
    """Literal `[`/`]` in a link query is Spryker's (glue-A5), not a `uri` violation; a date is."""
    from conformance.checks.documents import links_of, schema_problems

    schema = {
        "type": "object",
        "properties": {
            "self": {"type": "string", "format": "uri"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    spryker = {"self": "http://h/glue/orders?page[offset]=2&page[limit]=2"}
    assert schema_problems(spryker, schema) == []
    assert schema_problems({"self": "no scheme at all"}, schema)
    assert schema_problems({"created_at": "yesterday"}, schema)
    assert schema_problems({"created_at": "2022-06-07T16:36:49.419457+02:00"}, schema) == []
    document = {"data": [{"links": {"self": "a"}}], "links": {"next": {"href": "b"}}}
    assert sorted(links_of(document)) == [("data[0].links.self", "a"), ("links.next", "b")]
