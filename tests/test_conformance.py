"""Issue #4: the conformance harness passes the mock (in-process and over HTTP), exits 2 on an
unreachable target or bad usage, writes its reports, and its pytest plugin stays inert.

The broken implementations it must fail are in ``test_conformance_broken.py``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from support import ROOT, SONIA, SPENCOR, LiveMock, free_port

from api_contracts import Contract
from conformance import report
from conformance.apis import load_contract
from conformance.cli import main
from conformance.client import AsgiTarget
from conformance.model import (
    CheckKind,
    CheckOutcome,
    RecordedRequest,
    RecordedResponse,
    RunResult,
    Violation,
)
from conformance.runner import Credentials, Options, UsageError, available_checks, run
from mock_server.app import MockServer, create_app
from mock_server.config import Settings

GLUE_AUTH = Credentials(
    username=SONIA[0], password=SONIA[1], other_username=SPENCOR[0], other_password=SPENCOR[1]
)
SEED = 20261122
# Third-party plugins a subprocess pytest does not need (they cost seconds of imports).
LEAN_PYTEST = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:faker"]


def sendcloud_auth(accounts: dict) -> Credentials:
    basic = accounts["sendcloud"]["basic"][0]
    return Credentials(basic=(basic["publicKey"], basic["secretKey"]))


def glue_args(url: str) -> list[str]:
    return [
        "run", "--api", "glue", "--base-url", f"{url}/glue",
        "--username", SONIA[0], "--password", SONIA[1],
        "--other-username", SPENCOR[0], "--other-password", SPENCOR[1],
    ]  # fmt: skip


def sendcloud_args(url: str) -> list[str]:
    basic = httpx.get(f"{url}/__admin/accounts", timeout=10).json()["sendcloud"]["basic"][0]
    key = f"{basic['publicKey']}:{basic['secretKey']}"
    return ["run", "--api", "sendcloud", "--base-url", f"{url}/sendcloud/api/v2", "--basic", key]


def contract_gated_skips(contract: Contract) -> set[str]:
    """Checks of rules the contract does not document yet (they skip, saying --spec)."""
    gated = set()
    if not any(op.method == "GET" and op.statuses_with_code("005") for op in contract.operations):
        gated.add("glue_anonymous_id_with_token_is_005")
    if not any(
        op.method == "DELETE" and op.path.startswith("/refresh-tokens/")
        for op in contract.operations
    ):
        gated.add("glue_revoked_refresh_token_refused")
    return gated


def our_checks(api: str) -> list[str]:
    return [n for n, (kind, _) in available_checks(api).items() if kind is not CheckKind.BUILTIN]


# ----------------------------------------------------------------------------- passes the mock


def test_glue_mock_in_process_passes(mock_app: MockServer) -> None:
    result = run(
        "glue", AsgiTarget(mock_app, "/glue"), GLUE_AUTH, Options(seed=SEED, max_examples=5)
    )
    assert result.ok, report.markdown(result)
    assert result.exit_code == 0
    contract = load_contract("glue")
    for name in our_checks("glue"):  # every business check really ran, none was skipped...
        if name in contract_gated_skips(contract):  # ...but those the contract cannot show
            assert result.checks[name].status == "skipped", (name, result.checks[name])
            assert "(--spec)" in result.checks[name].skipped[0]
            continue
        assert result.checks[name].status == "passed", (name, result.checks[name])
    assert set(result.phases) == {"examples", "coverage", "fuzzing", "stateful"}
    assert result.requests > 100


def test_sendcloud_mock_in_process_passes(mock_app: MockServer) -> None:
    accounts = {"sendcloud": mock_app.runtime.apis["/sendcloud/api/v2"].service.accounts()}
    result = run(
        "sendcloud",
        AsgiTarget(mock_app, "/sendcloud/api/v2"),
        sendcloud_auth(accounts),
        Options(seed=SEED),
    )
    assert result.ok, report.markdown(result)
    for name in our_checks("sendcloud"):
        assert result.checks[name].status == "passed", (name, result.checks[name])


def test_expired_tokens_make_the_harness_log_in_again() -> None:
    """Tokens live one second here: Schemathesis' auth hook logs in again on 401."""
    app = create_app(Settings(token_ttl=1))
    options = Options(seed=SEED, max_examples=5, phases=("examples", "fuzzing"))
    result = run("glue", AsgiTarget(app, "/glue"), GLUE_AUTH, options)
    assert result.ok, report.markdown(result)
    assert app.runtime.apis["/glue"].service.counts()["tokensIssued"] > 2


def test_checks_can_be_selected(mock_app: MockServer) -> None:
    options = Options(seed=SEED, checks=["glue_pagination_links"], phases=())
    result = run("glue", AsgiTarget(mock_app, "/glue"), Credentials(*SONIA), options)
    assert list(result.checks) == ["glue_pagination_links"]
    assert result.ok and result.checks["glue_pagination_links"].status == "passed"


@pytest.mark.long  # the in-process runs and the installed-wheel runs cover it quicker
def test_cli_passes_the_live_mock_for_both_apis_with_defaults(
    live_mock: LiveMock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: pytest.RecordProperty,
) -> None:
    """Exit 0 over real HTTP with the default settings; the wall time is recorded."""
    started = time.perf_counter()
    glue = main(
        [
            *glue_args(live_mock.url),
            "--seed",
            str(SEED),
            "--report-dir",
            str(tmp_path),
            "--junit-xml",
            str(tmp_path / "ci.xml"),
        ]
    )
    glue_out = capsys.readouterr().out
    sendcloud = main(
        [*sendcloud_args(live_mock.url), "--seed", str(SEED), "--report-dir", str(tmp_path)]
    )
    sendcloud_out = capsys.readouterr().out
    record_property("conformance_wall_time_s", round(time.perf_counter() - started, 1))
    assert glue == 0, glue_out
    assert sendcloud == 0, sendcloud_out
    # live progress, then the summary table and the verdict
    assert "[glue] scenario glue_create_return" in glue_out
    assert "[glue] phase stateful" in glue_out
    assert "glue: CONFORMANT" in glue_out and "sendcloud: CONFORMANT" in sendcloud_out
    assert "glue_foreign_return_is_404_3602" in glue_out
    suite = ET.parse(tmp_path / "ci.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and suite.get("errors") == "0"
    names = {case.get("name") for case in suite.iter("testcase")}
    assert set(available_checks("glue")) == names
    assert "✅ conformant" in (tmp_path / "conformance-sendcloud.md").read_text()


# ----------------------------------------------------------------------------- exit status 2


def test_unreachable_url_is_exit_2_with_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/glue"
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--api", "glue", "--base-url", url,
         "--token", "t", "--report-dir", "/nonexistent-never-written"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("conformance: error: cannot connect to " + url)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--api", "glue", "--base-url", "http://127.0.0.1:1/glue"], "needs --username"),
        (["--api", "sendcloud", "--base-url", "http://127.0.0.1:1/x", "--basic", "nokey"],
         "KEY:SECRET"),
        (["--api", "glue", "--base-url", "http://127.0.0.1:1/glue", "--token", "t", "--checks",
          "no_such_check"], "unknown check(s) for glue: no_such_check"),
        (["--api", "glue", "--base-url", "ftp://example.org/glue", "--token", "t"],
         "use http:// or https://"),
        (["--api", "glue", "--base-url", "http://127.0.0.1:1/glue", "--token", "t", "--spec",
          "/no/such/spec.yaml"], "cannot read the contract"),
        (["--api", "graphql", "--base-url", "http://127.0.0.1:1/"], "invalid choice"),
    ],
)  # fmt: skip
def test_usage_errors_are_exit_2(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["run", *extra])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_refused_credentials_are_a_usage_error(live_mock: LiveMock) -> None:
    with pytest.raises(UsageError, match=r"login as sonia@spryker\.com .* failed: 401"):
        run("glue", f"{live_mock.url}/glue", Credentials(SONIA[0], "wrong"))
    with pytest.raises(UsageError, match="access token was refused"):
        run("glue", f"{live_mock.url}/glue", Credentials(token="forged"))
    with pytest.raises(UsageError, match="Basic credentials were refused"):
        run("sendcloud", f"{live_mock.url}/sendcloud/api/v2", Credentials(basic=("a", "b")))


# ----------------------------------------------------------------------------- contract


def test_contract_derives_codes_and_statuses_from_the_spec() -> None:
    glue = load_contract("glue")
    get_return = glue.by_id("getReturn")
    assert get_return is not None and get_return.secured
    assert get_return.error_codes(404).codes == {"3602"}
    assert get_return.statuses_with_code("002") == [403]
    assert get_return.statuses_with_code("001") == [401]
    create = glue.by_id("createReturn")
    assert create is not None
    assert create.business_error_statuses() == [401, 403, 422]
    assert create.error_codes(422).codes == {"3601", "3603", "901"}
    assert create.error_codes(400).forbidden  # framework error: no code allowed
    assert glue.operation("GET", "/returns/DE--1-R3") is get_return
    assert not glue.by_id("listReturnReasons").secured  # type: ignore[union-attr]
    sendcloud = load_contract("sendcloud")
    assert {op.label for op in sendcloud.secured_operations} == {
        "GET /returns", "GET /returns/{id}"
    }  # fmt: skip
    detail = sendcloud.operation("GET", "/returns/7")
    assert detail is not None and detail.error_codes(404) is not None
    assert detail.documented_header(401, "www-authenticate") is not None


# ----------------------------------------------------------------------------- reports


def synthetic_result() -> RunResult:
    result = RunResult("glue", "http://shop/glue", "specs/glue.yaml", 42, 20, ["examples"])
    result.checks = {
        "glue_jsonapi_media_type": CheckOutcome("glue_jsonapi_media_type", CheckKind.RESPONSE,
                                                passed=3, failed=1),
        "glue_foreign_return_is_404_3602": CheckOutcome(
            "glue_foreign_return_is_404_3602", CheckKind.SCENARIO, skipped=["needs a customer"]),
        "not_a_server_error": CheckOutcome("not_a_server_error", CheckKind.BUILTIN, passed=9),
    }  # fmt: skip
    result.violations = [
        Violation(
            check="glue_jsonapi_media_type",
            title="Content-Type is application/json, not application/vnd.api+json",
            message="GET http://shop/glue/returns → 200 (application/json) ```fence```",
            contract="Every Glue response is `application/vnd.api+json`.",
            operation="GET /returns",
            curl=RecordedRequest("GET", "http://shop/glue/returns",
                                 {"Authorization": "Bearer secret"}).curl(),
            response=RecordedResponse(200, {"content-type": "application/json"},
                                      b'{"data": []}\x00'),
        )
    ]  # fmt: skip
    return result


def test_junit_names_the_failed_check(tmp_path: Path) -> None:
    path = report.write_junit(synthetic_result(), tmp_path / "junit.xml")
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    failure = cases["glue_jsonapi_media_type"].find("failure")
    assert failure is not None and failure.get("type") == "glue_jsonapi_media_type"
    assert failure.get("message", "").startswith("glue_jsonapi_media_type: 1 violation(s)")
    assert "contract: Every Glue response" in (failure.text or "")
    assert cases["glue_foreign_return_is_404_3602"].find("skipped") is not None
    seed = [p for p in suite.iter("property") if p.get("name") == "seed"]
    assert seed and seed[0].get("value") == "42"


def test_markdown_explains_each_violation() -> None:
    text = report.markdown(synthetic_result())
    assert text.startswith("# Conformance report: glue")
    assert (  # issue 11 pt 6: the header counts the checks (it said "in 0 check(s)" before)
        "- **Result:** ❌ not conformant — 3 checks: 1 passed, 1 failed, 1 skipped, 0 not "
        "applicable; 1 violation(s), 0 harness error(s)"
    ) in text
    assert "## Skipped checks" in text and "glue_foreign_return_is_404_3602: needs a" in text
    assert "| `glue_jsonapi_media_type` | response | ❌ failed | 3 | 1 |" in text
    assert "### 1. `glue_jsonapi_media_type` — `GET /returns`" in text
    assert "curl -X GET -H 'Authorization: [Filtered]'" in text  # no secrets in reports
    assert "secret" not in text
    assert "> Every Glue response is `application/vnd.api+json`." in text
    assert "````text" in text  # the fence outgrows the backticks inside
    assert "HTTP 200\ncontent-type: application/json" in text
    assert "--seed 42" in text


# ----------------------------------------------------------------------------- pytest plugin


def test_plugin_is_inert_without_its_options() -> None:
    code = (
        "import sys, conformance.pytest_plugin;"
        "assert 'schemathesis' not in sys.modules, 'the plugin imported schemathesis'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
    # This very session loads the plugin through its entry point and runs unaffected; an
    # explicit `-p` on top of the entry point must not register it twice.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-q", *LEAN_PYTEST,
         "-p", "no:schemathesis", "-p", "conformance.pytest_plugin"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 skipped" in done.stdout


@pytest.mark.long  # test_installed_wheel runs the plugin over HTTP in the default run
def test_pytest_entry_runs_one_test_per_check(live_mock: LiveMock, tmp_path: Path) -> None:
    basic = sendcloud_args(live_mock.url)[-1]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance", "-q", *LEAN_PYTEST,
         "--conformance-api", "sendcloud",
         "--conformance-base-url", f"{live_mock.url}/sendcloud/api/v2",
         "--conformance-basic", basic, "--conformance-max-examples", "3",
         "--conformance-seed", "3", "--junitxml", str(tmp_path / "pytest.xml")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    names = {c.get("name") for c in ET.parse(tmp_path / "pytest.xml").getroot().iter("testcase")}
    assert "test_conformance_check[sendcloud_cursor_chain]" in names
    assert len(names) == len(available_checks("sendcloud")) + 1
