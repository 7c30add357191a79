"""What a run produces: recorded exchanges, violations, per-check outcomes and the run result.

Plain data, no Schemathesis: reports, the CLI and the pytest plugin only need this module.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

REDACTED = "[Filtered]"
SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
MAX_BODY_IN_REPORT = 4000


class CheckKind(StrEnum):
    """Where a check comes from."""

    BUILTIN = "schemathesis"  # a built-in Schemathesis check
    RESPONSE = "response"  # one of ours, run on every response
    SCENARIO = "scenario"  # one of ours, a flow of requests

    def __str__(self) -> str:
        return self.value


class ExitCode(int, Enum):
    """Process exit status of ``conformance run``."""

    OK = 0
    VIOLATIONS = 1
    USAGE = 2


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    return body.decode("utf-8", errors="replace")


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with credentials replaced by ``[Filtered]``."""
    return {k: (REDACTED if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


@dataclass
class RecordedRequest:
    """A request as it went out (headers already flattened to one value per name)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def curl(self) -> str:
        """A ``curl`` command that sends this request (credentials filtered)."""
        parts = ["curl", "-X", self.method]
        skip = {"content-length", "host", "user-agent", "accept-encoding", "connection"}
        for name, value in redact_headers(self.headers).items():
            if name.lower() not in skip:
                parts += ["-H", f"{name}: {value}"]
        if self.body:
            parts += ["-d", _text(self.body)]
        parts.append(self.url)
        return " ".join(shlex.quote(part) for part in parts)


@dataclass
class RecordedResponse:
    """A response as it came back."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    elapsed: float = 0.0

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def media_type(self) -> str | None:
        """The ``Content-Type`` essence (``type/subtype``), lower-cased."""
        value = self.header("content-type")
        return value.split(";")[0].strip().lower() if value else None

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` if it is not JSON)."""
        return json.loads(self.body.decode("utf-8"))

    def text(self, limit: int = MAX_BODY_IN_REPORT) -> str:
        text = _text(self.body)
        return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


@dataclass
class Exchange:
    """One request/response pair, with the contract operation it belongs to (if any)."""

    request: RecordedRequest
    response: RecordedResponse
    operation: str | None = None  # e.g. "GET /returns/{returnReference}"

    def json(self) -> Any:
        return self.response.json()


@dataclass
class Violation:
    """One way the implementation broke its contract, with everything needed to see why."""

    check: str
    title: str
    message: str
    contract: str = ""
    operation: str | None = None
    phase: str = "scenario"
    curl: str | None = None
    request: RecordedRequest | None = None
    response: RecordedResponse | None = None
    occurrences: int = 1

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.check, self.operation, self.title)

    def summary(self) -> str:
        where = f" [{self.operation}]" if self.operation else ""
        return f"{self.check}{where}: {self.title}"


@dataclass
class CheckOutcome:
    """How one check fared over the whole run."""

    name: str
    kind: CheckKind
    description: str = ""
    passed: int = 0
    failed: int = 0
    skipped: list[str] = field(default_factory=list)  # reasons

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        if self.passed:
            return "passed"
        return "skipped" if self.skipped else "not run"


@dataclass
class HarnessError:
    """Something that kept the harness from testing (network error, crashed check…)."""

    where: str
    message: str


@dataclass
class RunResult:
    """Outcome of one conformance run against one API."""

    api: str
    base_url: str
    spec_path: str
    seed: int
    max_examples: int
    phases: list[str]
    checks: dict[str, CheckOutcome] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    errors: list[HarnessError] = field(default_factory=list)
    duration: float = 0.0
    requests: int = 0
    fail_on_skip: bool = False  # ``--fail-on-skip``: a skipped check fails the run (CI)
    # credential options of the reproduce line; secrets as "$CONFORMANCE_…" references
    auth_options: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No violation and no harness error (skips aside, see :attr:`passed_gate`)."""
        return not self.violations and not self.errors

    @property
    def passed_gate(self) -> bool:
        """``ok``, and with ``fail_on_skip`` also no skipped check."""
        return self.ok and not (self.fail_on_skip and self.skipped_checks())

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK if self.passed_gate else ExitCode.VIOLATIONS

    def checks_with_status(self, status: str) -> list[str]:
        """Names of the checks whose outcome is ``status`` (passed, failed, skipped, not run)."""
        return sorted(name for name, outcome in self.checks.items() if outcome.status == status)

    def skipped_checks(self) -> list[str]:
        """Checks that could not run here, each with a reason that says how to unblock it."""
        return self.checks_with_status("skipped")

    def counts(self) -> str:
        """``27 checks: 24 passed, 1 failed, 2 skipped, 0 not applicable``."""
        numbers = {s: len(self.checks_with_status(s)) for s in ("passed", "failed", "skipped")}
        return (
            f"{len(self.checks)} checks: {numbers['passed']} passed, {numbers['failed']} failed, "
            f"{numbers['skipped']} skipped, {len(self.checks_with_status('not run'))} not "
            "applicable"
        )

    def failed_checks(self) -> list[str]:
        """Names of the checks with at least one violation."""
        return sorted({v.check for v in self.violations})

    def violations_of(self, check: str) -> list[Violation]:
        return [v for v in self.violations if v.check == check]

    def reproduce_command(self) -> str:
        """A command line that repeats this run with the same seed."""
        command = (
            f"conformance run --api {self.api} --base-url {shlex.quote(self.base_url)} "
            f"--seed {self.seed} --max-examples {self.max_examples}"
        )
        return " ".join([command, *self.auth_options])
