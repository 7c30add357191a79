"""Issue #4: the conformance harness fails every deliberately broken implementation, each with
the check meant for its defect named in the JUnit XML and the Markdown report.

Broken implementations (``support/broken_impls.py``) run in-process through
``conformance run --app`` (one shared mock, reset before each run, to keep this fast); one also
runs over real HTTP, served by uvicorn in a thread.
"""

from __future__ import annotations

import copy
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from support import SONIA, SPENCOR, broken_impls, free_port
from support.broken_impls import BROKEN, BrokenImpl, GlueDuplicateReturnAccepted

from conformance.apis import profile_for
from conformance.cli import main
from conformance.runner import available_checks
from mock_server.app import MockServer, create_app
from mock_server.config import Settings

SEED = "4242"
GLUE_CREDENTIALS = [
    "--username", SONIA[0], "--password", SONIA[1],
    "--other-username", SPENCOR[0], "--other-password", SPENCOR[1],
]  # fmt: skip


@pytest.fixture(scope="module")
def shared_mock() -> MockServer:
    return create_app(Settings())


def credentials(impl: BrokenImpl) -> list[str]:
    if impl.API == "glue":
        return GLUE_CREDENTIALS
    basic = impl.sendcloud.accounts()["basic"][0]
    return ["--basic", f"{basic['publicKey']}:{basic['secretKey']}"]


def assert_caught(code: int, impl: type[BrokenImpl], reports: Path, output: str) -> None:
    """Exit 1, and the expected check failed in the JUnit XML and in the Markdown report."""
    assert code == 1, output
    suite = ET.parse(reports / f"conformance-{impl.API}.xml").getroot().find("testsuite")
    assert suite is not None
    failed = {
        case.get("name"): case.find("failure")
        for case in suite.iter("testcase")
        if case.find("failure") is not None
    }
    assert impl.EXPECTED_CHECK in failed, f"{impl.NAME}: failed checks {sorted(failed)}\n{output}"
    failure = failed[impl.EXPECTED_CHECK]
    assert failure is not None and failure.get("type") == impl.EXPECTED_CHECK
    assert impl.EXPECTED_CHECK in failure.get("message", "")
    markdown = (reports / f"conformance-{impl.API}.md").read_text(encoding="utf-8")
    assert f"| `{impl.EXPECTED_CHECK}` |" in markdown
    assert f"`{impl.EXPECTED_CHECK}`" in markdown.split("## Violations", 1)[1]
    assert "❌ not conformant" in markdown


def test_there_are_at_least_ten_broken_impls_each_for_a_known_check() -> None:
    assert len(BROKEN) >= 10
    assert len({impl.NAME for impl in BROKEN}) == len(BROKEN)
    for impl in BROKEN:
        assert impl.EXPECTED_CHECK in available_checks(impl.API), impl.NAME
        assert impl.DEFECT


@pytest.mark.parametrize("impl", BROKEN, ids=lambda impl: impl.NAME)
def test_broken_impl_in_process_is_caught(
    impl: type[BrokenImpl],
    shared_mock: MockServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for mounted in shared_mock.runtime.apis.values():
        mounted.service.reset()
    app = impl(shared_mock)
    monkeypatch.setattr(broken_impls, "UNDER_TEST", app, raising=False)
    code = main([
        "run", "--api", impl.API, "--app", "support.broken_impls:UNDER_TEST",
        "--base-url", app.base_path, *credentials(app), "--seed", SEED,
        "--max-examples", "5", "--phases", impl.PHASES, "--report-dir", str(tmp_path),
        *patched_contract(impl, tmp_path),
    ])  # fmt: skip
    assert_caught(code, impl, tmp_path, capsys.readouterr().out)


def patched_contract(impl: type[BrokenImpl], directory: Path) -> list[str]:
    """``--spec`` of the repository's contract plus what ``impl`` breaks, if it says so."""
    if impl.CONTRACT_PATCH is None:
        return []
    contract = profile_for(impl.API).load_contract()
    document = copy.deepcopy(contract.raw)
    impl.CONTRACT_PATCH(document)
    target = directory / contract.path.name
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return ["--spec", str(target)]


@pytest.fixture
def served_broken_impl() -> Iterator[tuple[str, BrokenImpl]]:
    """GlueDuplicateReturnAccepted served by uvicorn on a free loopback port."""
    app = GlueDuplicateReturnAccepted()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield url, app
    server.should_exit = True
    thread.join(timeout=10)


def test_broken_impl_over_http_is_caught(
    served_broken_impl: tuple[str, BrokenImpl],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, app = served_broken_impl
    assert httpx.get(f"{url}/glue/return-reasons", timeout=5).status_code == 200
    junit = tmp_path / "ci" / "junit.xml"
    code = main([
        "run", "--api", "glue", "--base-url", f"{url}/glue", *GLUE_CREDENTIALS,
        "--seed", SEED, "--max-examples", "5", "--phases", "examples",
        "--report-dir", str(tmp_path), "--junit-xml", str(junit),
    ])  # fmt: skip
    output = capsys.readouterr().out
    assert_caught(code, type(app), tmp_path, output)
    failures = {
        case.get("name")
        for case in ET.parse(junit).getroot().iter("testcase")
        if case.find("failure") is not None
    }
    assert type(app).EXPECTED_CHECK in failures
    assert "curl -X POST" in (tmp_path / "conformance-glue.md").read_text(encoding="utf-8")
    assert "glue: NOT CONFORMANT" in output
