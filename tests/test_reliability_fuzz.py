"""Issue #6 (1): Schemathesis fuzzing of both APIs over real HTTP, every phase, negative data too.

The run uses Schemathesis' own engine (what ``st run`` drives): the examples, coverage, fuzzing
and stateful phases, generation mode ``all`` (positive and negative data), and the response
checks. A schema-local ``after_call`` hook counts every request and its status, so the tests can
assert how much was sent, that nothing came back 5xx, and that the server logged no traceback.

The default run sends well over 1,000 requests in about half a minute; ``make test-long`` (marker
``long``) sends over 10,000.
"""

from __future__ import annotations

import os
import random
import time
from base64 import b64encode
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.core.transport import Response
from schemathesis.engine import events, from_schema
from schemathesis.generation.case import Case
from schemathesis.hooks import HookContext
from support import JSONAPI, LiveMock, glue_login

# Checks every response goes through. `positive_data_acceptance` is off: schema-valid data
# names orders, items and returns that do not exist, which the mock rightly refuses (404/422).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
)
# Schemathesis insists on 401 for a missing `Authorization`; Glue documents 403/002 (glue-C13),
# which `ignored_auth` and `status_code_conformance` still hold the mock to.
# `unsupported_method` hard-codes 405; real Glue answers a wrong method 404 "Not Found"
# (issue 10 pt 6, glue-A3), asserted in test_fidelity_glue and test_mock_glue.
GLUE_SKIPPED_CHECKS = ("missing_required_header", "unsupported_method")


@dataclass
class FuzzBudget:
    """How much one API is fuzzed: per pass, and in total (bounded in passes and time)."""

    min_requests: int
    max_examples: int
    max_steps: int = 6
    max_passes: int = 3
    max_seconds: float = 120.0


# Default: glue + sendcloud >= 1,000 requests; long: >= 10,000.
DEFAULT_BUDGETS = {
    "glue": FuzzBudget(min_requests=700, max_examples=40),
    "sendcloud": FuzzBudget(min_requests=300, max_examples=40),
}
LONG_BUDGETS = {
    "glue": FuzzBudget(min_requests=7000, max_examples=300, max_passes=12, max_seconds=900),
    "sendcloud": FuzzBudget(min_requests=3000, max_examples=300, max_passes=12, max_seconds=600),
}


@dataclass
class FuzzReport:
    """What the fuzzer sent and what went wrong, over all passes."""

    statuses: Counter[int] = field(default_factory=Counter)
    per_phase: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> str:
        return (
            f"{self.requests} requests, seeds {self.seeds}, by phase {dict(self.per_phase)}, "
            f"by status {dict(sorted(self.statuses.items()))}"
        )


def api_config(
    api: str, url: str, seed: int, budget: FuzzBudget
) -> tuple[schemathesis.Config, dict[str, str]]:
    """Configuration for one pass (all phases, positive and negative data) and its auth header."""
    accounts = httpx.get(f"{url}/__admin/accounts", timeout=10).json()
    checks: dict[str, Any] = {name: {"enabled": True} for name in CHECKS}
    checks["positive_data_acceptance"] = {"enabled": False}
    data: dict[str, Any] = {
        "seed": seed,
        "workers": 1,  # the engine's worker threads are not safe here (SystemError in coverage)
        "request-timeout": 10,
        "generation": {"mode": "all", "max-examples": budget.max_examples},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": budget.max_steps},
        },
        "checks": checks,
    }
    if api == "glue":
        # The third (Faker-made) customer: the spec's examples log in as sonia, so fuzzing
        # `POST /access-tokens` cannot push this token out of the per-customer token cap.
        third = accounts["glue"]["customers"][2]
        with httpx.Client(base_url=url, timeout=10) as client:
            token = glue_login(client, (third["username"], third["password"]))
        for name in GLUE_SKIPPED_CHECKS:
            checks[name] = {"enabled": False}
        data["headers"] = {"Accept": JSONAPI}
        data["auth"] = {"openapi": {"BearerAuth": {"bearer": token}}}
        auth = {"Authorization": f"Bearer {token}", "Accept": JSONAPI}
    else:
        basic = accounts["sendcloud"]["basic"][0]
        public, secret = basic["publicKey"], basic["secretKey"]
        data["auth"] = {"openapi": {"HTTPBasicAuth": {"username": public, "password": secret}}}
        auth = {"Authorization": "Basic " + b64encode(f"{public}:{secret}".encode()).decode()}
    return schemathesis.Config.from_dict(data), auth


SPEC_PATHS = {"glue": "/glue/openapi.json", "sendcloud": "/sendcloud/api/v2/openapi.json"}
PROTECTED = {"glue": "/glue/orders", "sendcloud": "/sendcloud/api/v2/returns"}


def fuzz_pass(
    api: str, url: str, seed: int, budget: FuzzBudget, report: FuzzReport, deadline: float
) -> None:
    """One engine run over every phase; counts requests and collects failures into ``report``."""
    config, auth = api_config(api, url, seed, budget)
    schema = schemathesis.openapi.from_url(f"{url}{SPEC_PATHS[api]}", config=config)
    phase = {"name": "loading"}

    def count(context: HookContext, case: Case, response: Response) -> None:
        report.statuses[response.status_code] += 1
        report.per_phase[phase["name"]] += 1

    schema.hooks.register_hook_with_name(count, "after_call")
    report.seeds.append(seed)
    stream = from_schema(schema).execute()
    for event in stream:
        if time.monotonic() > deadline:
            stream.stop()  # the next event is the last one
        if isinstance(event, events.PhaseStarted):
            phase["name"] = event.phase.name.value
        elif isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            for case_id, nodes in recorder.checks.items():
                for node in nodes:
                    if node.failure_info is None:
                        continue
                    interaction = recorder.interactions.get(case_id)
                    uri = interaction.request.uri if interaction else ""
                    response = interaction.response if interaction else None
                    failure = node.failure_info.failure
                    line = (
                        f"[{event.phase.value}] {node.name}: {failure.title}\n"
                        f"  {failure.message[:600]}\n  {node.failure_info.code_sample[:600]}"
                    )
                    report.failures.append(
                        f"{line}\n  {uri} -> {getattr(response, 'status_code', None)}"
                    )
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            report.errors.append(repr(getattr(event, "value", None) or event))
    # The credentials the fuzzer used still work, so the whole pass really was authenticated
    # (a token pushed out of the per-customer cap would have turned everything into 401s).
    answer = httpx.get(f"{url}{PROTECTED[api]}", headers=auth, timeout=10)
    assert answer.status_code == 200, f"fuzzer credentials stopped working: {answer.text}"


def run_fuzz(api: str, mock: LiveMock, budget: FuzzBudget, base_seed: int) -> FuzzReport:
    """Passes with different seeds until ``min_requests`` were sent (bounded in passes and time)."""
    report = FuzzReport()
    deadline = time.monotonic() + budget.max_seconds
    for index in range(budget.max_passes):
        if report.requests >= budget.min_requests or time.monotonic() > deadline:
            break
        fuzz_pass(api, mock.url, base_seed + index, budget, report, deadline)
    return report


def check_report(
    api: str, mock: LiveMock, report: FuzzReport, log_offset: int, budget: FuzzBudget
) -> None:
    """The assertions shared by the default and the long run."""
    print(f"\n{api}: {report.summary()}")
    assert not report.errors, "\n".join(report.errors)
    assert not report.failures, f"{len(report.failures)} failed checks:\n" + "\n".join(
        report.failures[:15]
    )
    server_errors = {s: n for s, n in report.statuses.items() if s >= 500}
    assert not server_errors, f"5xx answers: {server_errors}"
    assert report.requests >= budget.min_requests, report.summary()
    assert set(report.per_phase) >= {"examples", "coverage", "fuzzing", "stateful"}, (
        report.summary()
    )
    assert any(400 <= s < 500 for s in report.statuses), "no negative case was refused"
    new_log = mock.log()[log_offset:]
    assert "Traceback" not in new_log, new_log[-4000:]


def _fuzz(api: str, live_mock: LiveMock, budgets: dict[str, FuzzBudget], seed: int) -> FuzzReport:
    httpx.post(f"{live_mock.url}/__admin/reset", timeout=30).raise_for_status()
    offset = len(live_mock.log())
    try:
        report = run_fuzz(api, live_mock, budgets[api], seed)
        check_report(api, live_mock, report, offset, budgets[api])
    finally:
        httpx.post(f"{live_mock.url}/__admin/reset", timeout=30).raise_for_status()
    return report


@pytest.mark.parametrize("api", ["glue", "sendcloud"])
def test_fuzz_all_phases_default(api: str, live_mock: LiveMock) -> None:
    """≥ 700 + 300 requests, fixed seeds: no 5xx, no traceback, every response per contract."""
    _fuzz(api, live_mock, DEFAULT_BUDGETS, seed=20_251_122)


def test_fuzz_default_budget_reaches_1000_requests() -> None:
    """The default budgets add up to the issue's 1,000 requests (the long ones to 10,000)."""
    assert sum(b.min_requests for b in DEFAULT_BUDGETS.values()) >= 1_000
    assert sum(b.min_requests for b in LONG_BUDGETS.values()) >= 10_000


@pytest.mark.parametrize("api", ["glue", "sendcloud"])
@pytest.mark.long
def test_fuzz_all_phases_long(api: str, live_mock: LiveMock) -> None:
    """≥ 7,000 + 3,000 requests with random seeds (printed), same assertions as the default."""
    seed = int(os.environ.get("FUZZ_SEED", random.randrange(2**31)))
    print(f"\nFUZZ_SEED={seed}")
    _fuzz(api, live_mock, LONG_BUDGETS, seed=seed)
