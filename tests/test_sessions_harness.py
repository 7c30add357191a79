"""Issue 13: the harness and the corpora run unchanged against a session and touch no other.

``conformance run``, ``conformance replay`` and a corpus's curl script each get a session URL
(``…/sessions/{name}/glue``, ``…/sessions/{name}/sendcloud/api/v2``); afterwards the default
session's returns, tokens and counters are as they were, and a token of the default session
still works.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import GLUE_HEADERS, ROOT, SONIA, SPENCOR, LiveMock, glue_login, start_mock, stop_mock

from conformance.cli import main

SEED = "13"
BASES = {"glue": "/glue", "sendcloud": "/sendcloud/api/v2"}


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    started = start_mock(tmp_path_factory.mktemp("harness"), "--validate-responses", timeout=120.0)
    yield started
    stop_mock(started)


@pytest.fixture
def default_session(mock: LiveMock) -> Iterator[tuple[dict, str]]:
    """The default session's state and a token issued there, checked unchanged afterwards."""
    with httpx.Client(base_url=mock.url, timeout=30) as client:
        token = glue_login(client)
    before = httpx.get(f"{mock.url}/__admin/state").json()
    yield before, token
    after = httpx.get(f"{mock.url}/__admin/state").json()
    for api in ("glue", "sendcloud"):
        assert after[api] == before[api], api
    headers = {**GLUE_HEADERS, "Authorization": f"Bearer {token}"}
    assert httpx.get(f"{mock.url}/glue/returns", headers=headers).status_code == 200


def basic(mock: LiveMock, session: str) -> str:
    accounts = httpx.get(f"{mock.url}/sessions/{session}/__admin/accounts").json()
    account = accounts["sendcloud"]["basic"][0]
    return f"{account['publicKey']}:{account['secretKey']}"


def session_state(mock: LiveMock, session: str) -> dict:
    return httpx.get(f"{mock.url}/sessions/{session}/__admin/state").json()


def test_conformance_run_passes_in_a_session(
    mock: LiveMock, default_session: tuple[dict, str], tmp_path: Path
) -> None:
    glue = main(
        [
            "run", "--api", "glue", "--base-url", f"{mock.url}/sessions/ci-1/glue",
            "--username", SONIA[0], "--password", SONIA[1],
            "--other-username", SPENCOR[0], "--other-password", SPENCOR[1],
            "--seed", SEED, "--max-examples", "5", "--quiet", "--report-dir", str(tmp_path),
        ]
    )  # fmt: skip
    assert glue == 0, (tmp_path / "conformance-glue.md").read_text()
    state = session_state(mock, "ci-1")["glue"]
    assert state["tokensIssued"] > 0 and state["returnsCreated"] > 0  # it did run there
    sendcloud = main(
        [
            "run", "--api", "sendcloud", "--base-url", f"{mock.url}/sessions/ci-1/sendcloud/api/v2",
            "--basic", basic(mock, "ci-1"), "--seed", SEED, "--max-examples", "5", "--quiet",
            "--report-dir", str(tmp_path),
        ]
    )  # fmt: skip
    assert sendcloud == 0, (tmp_path / "conformance-sendcloud.md").read_text()
    requests = httpx.get(f"{mock.url}/sessions/ci-1/__admin/requests").json()["requests"]
    assert any(r["path"].startswith("/sendcloud/api/v2/returns") for r in requests)


@pytest.mark.parametrize(("api", "operations"), [("glue", ["createReturn"]), ("sendcloud", [])])
def test_curl_script_and_replay_work_against_a_session(
    api: str,
    operations: list[str],
    mock: LiveMock,
    default_session: tuple[dict, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    assert shutil.which("curl"), "curl is needed (make test installs it)"
    session = f"corpus-{api}"
    base_url = f"{mock.url}/sessions/{session}{BASES[api]}"
    script, corpus = tmp_path / "corpus.sh", tmp_path / "corpus.json"
    selection = [part for op in operations for part in ("--operation", op)]
    for path, fmt in ((script, "curl"), (corpus, "json")):
        args = ["generate", "--api", api, "--seed", SEED, "--count", "10", *selection, "--quiet"]
        assert main([*args, "--out", str(path), "--format", fmt]) == 0
    env = {**os.environ, "PYTHON": sys.executable}
    credentials = ["--username", SONIA[0], "--password", SONIA[1]]
    env["CONFORMANCE_PASSWORD"] = SONIA[1]  # the Glue script holds no password of its own
    if api == "sendcloud":
        env["CONFORMANCE_BASIC"] = basic(mock, session)
        credentials = ["--basic", env["CONFORMANCE_BASIC"]]
    run = subprocess.run(
        ["bash", str(script), base_url],
        capture_output=True, text=True, env=env, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert re.search(r"^\S+ \d{3} ok$", run.stdout, flags=re.MULTILINE), run.stdout[-500:]
    httpx.post(f"{mock.url}/sessions/{session}/__admin/reset").raise_for_status()
    code = main(["replay", str(corpus), "--base-url", base_url, *credentials])
    output = capsys.readouterr().out
    assert code == 0, output
    assert "ALL AS EXPECTED" in output
    journal = httpx.get(f"{mock.url}/sessions/{session}/__admin/requests").json()["requests"]
    assert any(r["path"].startswith(BASES[api]) for r in journal)
