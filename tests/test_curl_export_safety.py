"""Issue 11, point 5: a generated curl script cannot be turned against the person who runs it.

Every value the export writes — case ids, titles, operationIds, expectations, the method, the
seed, the base URL — is quoted or kept inside a comment, so a hostile contract, corpus or
``--base-url`` creates no file when the script runs (canary). Bodies starting with ``-`` and
bodies with NUL bytes reach the server byte for byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conformance.corpus.export import curl_script
from conformance.corpus.model import Case, Corpus, Expectation, Request


def _hostile(canary: Path) -> str:
    """Shell text that would create ``canary`` if it ever ran as code."""
    return f"$(touch {canary})`touch {canary}`\n touch {canary}\n;touch {canary};'\"#"


def _corpus(canary: Path, cases: list[Case]) -> Corpus:
    return Corpus(api="sendcloud", cases=cases, seed=f"1\ntouch {canary}")  # type: ignore[arg-type]


def _run(script: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "cases.sh"
    path.write_text(script, encoding="utf-8")
    env = {**os.environ, "CONFORMANCE_BASIC": "key:secret", "PYTHON": sys.executable}
    env.pop("BASE_URL", None)
    return subprocess.run(
        ["bash", str(path), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_hostile_ids_titles_operations_method_and_base_url_run_nothing(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    evil = _hostile(canary)
    request = Request(
        method=f"GET{evil}",
        path="/returns",
        headers={"Authorization": "Basic {{sendcloud.basic}}", f"X{evil}": evil},
        query=[(evil, evil)],
    )
    case = Case(
        id=f"op-001{evil}",
        operation=f"list\n{evil}",
        endpoint=f"GET /returns {evil}",
        title=f"a title {evil}",
        source="edge",
        request=request,
        expect=Expectation([200], {200: [f"1{evil}"]}, f"why {evil}"),
    )
    script = curl_script(_corpus(canary, [case]), base_url=f"http://127.0.0.1:9/{evil}")
    done = _run(script, tmp_path)
    assert not canary.exists(), done.stdout + done.stderr
    assert "op-001" in done.stdout  # the case ran (and mismatched: nothing listens on port 9)
    # the base URL given on the command line is a value, not code, either
    done = _run(script, tmp_path, f"http://127.0.0.1:9/{evil}")
    assert not canary.exists(), done.stdout + done.stderr


class _Capture(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.command == "POST":
            type(self).bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def capture() -> Iterator[tuple[str, list[bytes]]]:
    _Capture.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Capture.bodies
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "text",
    [
        "-d @/etc/passwd",
        "--data-binary @/etc/hostname",
        "-",
        "a\x00b\x00",
        "\x00-leading NUL",
        "100% \\n literally, 'quotes' and \"doubles\" and $(not run)",
        "Grüße \u2013 📦",
    ],
)
def test_bodies_are_sent_byte_exact(
    text: str, tmp_path: Path, capture: tuple[str, list[bytes]]
) -> None:
    url, bodies = capture
    request = Request(
        "POST",
        "/returns",
        headers={"Authorization": "Basic {{sendcloud.basic}}", "Content-Type": "text/plain"},
        body=("text", text),
    )
    case = Case("op-001", "op", "POST /returns", "a body", "edge", request, Expectation([200]))
    done = _run(curl_script(_corpus(tmp_path / "canary", [case]), base_url=url), tmp_path)
    assert "op-001 200 ok" in done.stdout, done.stdout + done.stderr
    assert bodies == [text.encode("utf-8")]


def test_a_glue_script_holds_no_password_and_asks_for_one(tmp_path: Path) -> None:
    """The script reads credentials from the environment only (issue 11 point 3): no password
    in the file, and without ``CONFORMANCE_PASSWORD`` (or a token) it stops with one line."""
    from conformance.corpus.generate import generate

    script = curl_script(generate("glue", seed=3, count=1), "http://127.0.0.1:9/glue")
    assert "change123" not in script and "sonia@spryker.com / " not in script
    path = tmp_path / "glue.sh"
    path.write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    run = subprocess.run(
        ["bash", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.strip().splitlines() == [
        "set CONFORMANCE_PASSWORD (or CONFORMANCE_TOKEN): this script holds no credentials"
    ]
