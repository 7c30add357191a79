"""Run the conformance suite of one API against one implementation: ``run(...) -> RunResult``.

1. Load the contract (the repository's ``specs/`` file, or ``Options.spec``).
2. Make sure the target answers and the credentials work (else :class:`UsageError`, exit 2).
3. Run our scenarios (business flows), then Schemathesis 4 with all its phases and checks plus
   our response checks, configured from the contract so a correct implementation passes.
4. Return one :class:`~conformance.model.RunResult` with per-check outcomes and violations.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from api_contracts import ContractError, Operation

from .apis import profile_for, profiles
from .client import ApiClient, AsgiTarget, Target, as_target, probe
from .model import (
    CheckKind,
    CheckOutcome,
    Exchange,
    HarnessError,
    RunResult,
    Violation,
)
from .profile import ApiProfile, Authentication, Credentials, UsageError
from .redaction import Redactor

if TYPE_CHECKING:
    from ._compat.schemathesis import EngineEvent

__all__ = [
    "PHASES",
    "Credentials",
    "Options",
    "RunResult",
    "UsageError",
    "available_checks",
    "builtin_check_names",
    "run",
]

PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEFAULT_MAX_EXAMPLES = 20
DEFAULT_STATEFUL_STEPS = 5
DEFAULT_STATEFUL_EXAMPLES = 10
DEFAULT_TIMEOUT = 10.0
# Statuses Schemathesis accepts for schema-valid requests before the contract adds its own.
POSITIVE_DEFAULTS = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

Progress = Callable[[str], None]
BUILTIN_DESCRIPTIONS = {
    "not_a_server_error": "No response is a 5xx",
    "status_code_conformance": "Every status is documented for its operation",
    "content_type_conformance": "Every Content-Type is documented for its status",
    "response_headers_conformance": "Documented required response headers are sent and valid",
    "response_schema_conformance": "Every body matches its documented schema",
    "positive_data_acceptance": "Schema-valid requests succeed or get a documented refusal",
    "negative_data_rejection": "Schema-invalid requests are rejected with 4xx",
    "missing_required_header": "A request without a required header is rejected",
    "unsupported_method": "Undocumented methods get 405 with Allow",
    "allow_header_conformance": "Allow lists exactly the documented methods",
    "ignored_auth": "Protected operations refuse missing and invalid credentials",
    "object_level_authorization": "One identity cannot read another's objects",
    "use_after_free": "A deleted resource stays gone",
    "ensure_resource_availability": "A resource just created can be read",
}


@dataclass
class Options:
    """Knobs of a run; the defaults keep a run of both APIs against the mock under a minute."""

    seed: int | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    workers: int = 1
    checks: Sequence[str] | None = None  # None = all
    exclude_checks: Sequence[str] = ()
    phases: Sequence[str] = PHASES
    scenarios: bool = True
    stateful_steps: int = DEFAULT_STATEFUL_STEPS
    request_timeout: float = DEFAULT_TIMEOUT
    spec: Path | str | None = None
    progress: Progress | None = None
    fail_on_skip: bool = False  # a skipped check makes the exit status 1 (for CI)


@dataclass
class _Selection:
    include: set[str] | None
    exclude: set[str] = field(default_factory=set)

    def __call__(self, name: str) -> bool:
        if name in self.exclude:
            return False
        return self.include is None or name in self.include


def builtin_check_names() -> list[str]:
    """Schemathesis' built-in checks that run by default."""
    from ._compat.schemathesis import builtin_check_names

    return builtin_check_names()


def load_checks() -> None:
    """Import (and so register) the checks of every API; idempotent."""
    for profile in profiles():
        profile.load_checks()


def available_checks(api: str) -> dict[str, tuple[CheckKind, str]]:
    """Every check name a run of ``api`` can report, with its kind and description."""
    profile_for(api)  # an unknown API is a usage error
    load_checks()
    from .checks.base import SCENARIO_CHECKS, response_checks_for

    names: dict[str, tuple[CheckKind, str]] = {
        name: (CheckKind.BUILTIN, BUILTIN_DESCRIPTIONS.get(name, "Schemathesis built-in check"))
        for name in builtin_check_names()
    }
    for check in response_checks_for(api):
        names[check.name] = (CheckKind.RESPONSE, check.description)
    for name, (owner, text) in SCENARIO_CHECKS.items():
        if owner == api:
            names[name] = (CheckKind.SCENARIO, text)
    return names


# --------------------------------------------------------------------------- the run


class _Run:
    """State of one run; :func:`run` is its only entry point."""

    def __init__(
        self, profile: ApiProfile, target: Target, credentials: Credentials, options: Options
    ) -> None:
        api = profile.name
        self.profile = profile
        self.api = api
        self.target = target
        self.credentials = credentials
        self.options = options
        self.redactor = Redactor(profile.secrets(credentials))
        shown = options.progress or (lambda line: None)
        self.progress: Progress = lambda line: shown(self.redactor.text(line))
        self.seed = options.seed if options.seed is not None else random.randrange(2**31)
        try:
            self.contract = profile.load_contract(options.spec)
        except ContractError as exc:
            raise UsageError(str(exc)) from None
        load_checks()
        from .checks.base import Recorder

        self.recorder = Recorder()
        self.known = available_checks(api)
        unknown = sorted(set(options.checks or ()) - set(self.known) - {"all"})
        unknown += sorted(set(options.exclude_checks) - set(self.known))
        if unknown:
            raise UsageError(
                f"unknown check(s) for {api}: {', '.join(unknown)} "
                f"(available: {', '.join(sorted(self.known))})"
            )
        include = None if options.checks is None or "all" in options.checks else set(options.checks)
        self.selected = _Selection(include, set(options.exclude_checks))
        bad_phases = sorted(set(options.phases) - set(PHASES))
        if bad_phases:
            raise UsageError(
                f"unknown phase(s): {', '.join(bad_phases)} (choose from {', '.join(PHASES)})"
            )
        self.result = RunResult(
            api=api,
            base_url=target.url,
            spec_path=str(self.contract.path),
            seed=self.seed,
            max_examples=options.max_examples,
            phases=list(options.phases),
            fail_on_skip=options.fail_on_skip,
            auth_options=profile.reproduce_options(credentials),
        )
        for name, (kind, description) in self.known.items():
            if self.selected(name):
                self.result.checks[name] = CheckOutcome(name, kind, description)

    # ------------------------------------------------------------------ clients

    def _client(self, auth_header: str | None = None) -> ApiClient:
        from .checks.base import run_response_checks

        headers = {"Accept": self.profile.accept}

        def on_exchange(exchange: Exchange) -> None:
            self.redactor.learn(exchange.response.body)  # tokens of a login, for instance
            run_response_checks(self.api, exchange, self.contract, self.recorder, self.selected)

        def operation_of(method: str, path: str) -> str | None:
            found = self.contract.operation(method, path)
            return found.label if found else None

        client = ApiClient(
            self.target,
            default_headers=headers,
            auth_header=auth_header,
            timeout=self.options.request_timeout,
            on_exchange=on_exchange,
            operation_of=operation_of,
            body_media_type=self.profile.media_type,
        )
        return client

    def _verify(self, client: ApiClient, header: str, what: str) -> None:
        """Refuse to start when the given credentials are rejected outright (401)."""
        listing = next(
            (
                op
                for op in self.contract.secured_operations
                if op.method == "GET" and "{" not in op.path
            ),
            None,
        )
        if listing is None:
            return
        exchange = client.get(listing.path, auth=header, check=False)
        if exchange.response.status == 401:
            raise UsageError(
                f"{what} {'was' if 'token' in what else 'were'} refused: "
                f"GET {listing.path} answered 401 {exchange.response.text(120)}"
            )

    # ------------------------------------------------------------------ phases

    def execute(self) -> RunResult:
        """The run; every secret masked in the result and in any usage error."""
        try:
            result = self._execute()
        except UsageError as exc:
            raise UsageError(self.redactor.text(str(exc))) from None
        self.redactor.result(result)
        return result

    def _execute(self) -> RunResult:
        started = time.perf_counter()
        options = self.options
        self.profile.check_credentials(self.credentials)
        reason = probe(self.target, timeout=min(options.request_timeout, 10.0))
        if reason is not None:
            raise UsageError(reason)
        self.progress(
            f"[{self.api}] {self.target.url}  contract {self.contract.path.name}  "
            f"seed {self.seed}  max-examples {options.max_examples}"
        )
        client = self._client()
        try:

            def verify(header: str, what: str) -> None:
                self._verify(client, header, what)

            try:
                auth = self.profile.authenticate(client, self.credentials, self.contract, verify)
            except httpx.HTTPError as exc:
                raise UsageError(f"cannot authenticate at {self.target.url}: {exc}") from None
            client.auth_header = auth.header
            if options.scenarios:
                self._scenarios(client, auth.other)
            if options.phases:
                self._schemathesis(auth)
        finally:
            client.close()
        self._merge()
        self.result.duration = time.perf_counter() - started
        return self.result

    def _scenarios(self, client: ApiClient, other: ApiClient | None) -> None:
        from .checks.base import ScenarioContext, scenarios_for

        anonymous = client.with_auth(None)
        context = ScenarioContext(
            api=self.api,
            contract=self.contract,
            client=client,
            recorder=self.recorder,
            rng=random.Random(self.seed),
            anonymous=anonymous,
            other=other,
            credentials=self.profile.scenario_credentials(self.credentials),
            selected=self.selected,
        )
        for item in scenarios_for(self.api):
            if not any(self.selected(name) for name in item.reports):
                continue
            before = len(client.exchanges)
            began = time.perf_counter()
            try:
                item.func(context)
            except Exception as exc:  # a bug in a scenario must not hide the others
                self.recorder.errors.append(
                    HarnessError(item.name, f"scenario crashed: {type(exc).__name__}: {exc}")
                )
            states = []
            for name in item.reports:
                outcome = self.recorder.outcomes.get(name)
                states.append(f"{name} {outcome.status if outcome else 'not run'}")
            self.progress(
                f"[{self.api}] scenario {item.name}: {', '.join(states)} "
                f"({len(client.exchanges) - before} requests, {time.perf_counter() - began:.1f}s)"
            )
        self.result.requests += len(client.exchanges)

    def _schemathesis(self, auth: Authentication) -> None:
        import schemathesis
        from schemathesis.config import SchemathesisConfig

        from ._compat import schemathesis as compat
        from .checks.base import Binding, bind, unbind

        try:
            config = SchemathesisConfig.from_dict(self._config())
            schema = schemathesis.openapi.from_dict(self.contract.raw, config=config)
        except compat.SCHEMA_ERRORS as exc:
            raise UsageError(f"Schemathesis cannot use the contract: {exc}") from None
        if isinstance(self.target, AsgiTarget):
            compat.set_asgi_app(schema, self.target.app)
        compat.register_schema_hook(schema, "filter_failure", self._filter_failure)
        if auth.install is not None:
            auth.install(schema)
        bind(schema, Binding(self.api, self.contract))
        try:
            self._consume(compat.run_engine(schema))
        finally:
            unbind(schema)

    def _config(self) -> dict[str, Any]:
        options = self.options
        checks: dict[str, Any] = {}
        for name, (kind, _) in self.known.items():
            if kind is CheckKind.SCENARIO:
                continue
            checks[name] = {"enabled": self.selected(name)}
        from .checks.base import RESPONSE_CHECKS

        for name, check in RESPONSE_CHECKS.items():
            if check.api != self.api:
                checks[name] = {"enabled": False}
        operations = []
        for operation in self.contract.operations:
            business = operation.business_error_statuses()
            if business:
                statuses = POSITIVE_DEFAULTS + [
                    str(s) for s in business if str(s) not in POSITIVE_DEFAULTS
                ]
                operations.append(
                    {
                        "include-operation-id": operation.operation_id,
                        "checks": {"positive_data_acceptance": {"expected-statuses": statuses}},
                    }
                )
        data: dict[str, Any] = {
            "seed": self.seed,
            "suppress-health-check": ["all"],
            "cache": {"enabled": False},
            "base-url": self.target.url,
            "workers": max(1, options.workers),
            "request-timeout": options.request_timeout,
            "generation": {"max-examples": max(1, options.max_examples), "database": "none"},
            "phases": {name: {"enabled": name in options.phases} for name in PHASES},
            "auth": {"auto-signup": False},
            "checks": checks,
            "operations": operations,
        }
        data["phases"]["stateful"].update(
            {
                "max-steps": max(2, options.stateful_steps),
                "generation": {
                    "max-examples": max(1, min(options.max_examples, DEFAULT_STATEFUL_EXAMPLES))
                },
            }
        )
        for key, value in self.profile.schemathesis_settings(self.credentials).items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return data

    def _filter_failure(self, context: Any, failure: Any, case: Any, response: Any) -> bool:
        """Drop Schemathesis findings the contract itself documents as correct behaviour.

        ``missing_required_header`` insists on 401 for a missing ``Authorization``; a contract
        that documents another status with an API error code for it (Glue: 403/002) wins.
        ``positive_data_acceptance`` yields to a refusal the API's profile names as the real
        service's (Glue: a lone ``page[offset]``, 400 in some Spryker versions).
        """
        from ._compat.schemathesis import (
            is_rejected_positive_data,
            missing_header_name,
            unsupported_method_status,
        )

        # ``unsupported_method`` insists on 405; a contract naming its API's own status for
        # undocumented methods (`x-unsupported-method-status`, Glue: 404) wins.
        if unsupported_method_status(failure) == self.contract.unsupported_method_status != 405:
            return False
        if is_rejected_positive_data(failure):
            operation = self.contract.by_label(case.operation.label)
            if operation is not None and self.profile.tolerated_refusal(
                operation, case.query or {}, response.status_code, response.content
            ):
                return False
        header = missing_header_name(failure)
        if header is not None and header.lower() == "authorization":
            operation = self.contract.by_label(case.operation.label)
            codes = operation.error_codes(response.status_code) if operation else None
            if codes is not None and codes.is_business and response.status_code in (401, 403):
                return False
        return True

    def _consume(self, stream: Iterator[EngineEvent]) -> None:
        phase_started: dict[str, float] = {}
        testing = set(PHASES)
        for event in stream:
            if event.kind == "phase-started" and event.phase in testing:
                phase_started[event.phase] = time.perf_counter()
                if event.enabled:
                    self.progress(f"[{self.api}] phase {event.phase} …")
            elif event.kind == "phase-finished" and event.phase in testing:
                began = phase_started.get(event.phase)
                took = f" ({time.perf_counter() - began:.1f}s)" if began is not None else ""
                self.progress(f"[{self.api}] phase {event.phase}: {event.status}{took}")
            elif event.kind == "scenario":
                self._collect(event.recorder, event.phase or "")
            elif event.kind == "error":
                message = (event.message or "").strip().splitlines()
                label = event.label or "schemathesis"
                self.result.errors.append(
                    HarnessError(label, " ".join(message[:6]) or str(event.fallback))
                )
                first = message[0] if message else ""
                self.progress(f"[{self.api}] error in {label}: {first}")
            elif event.kind == "fatal":
                self.result.errors.append(HarnessError("schemathesis", str(event.message)))
                self.progress(f"[{self.api}] fatal error: {event.message}")
                break
            if event.terminal:
                break

    def _collect(self, recorder: Any, phase: str) -> None:
        from ._compat.schemathesis import recorded_checks, recorded_responses
        from .checks.base import ContractFailure

        builtins = set(builtin_check_names())
        self.result.requests += recorded_responses(recorder)
        for check in recorded_checks(recorder):
            label = check.label
            kind = CheckKind.BUILTIN if check.name in builtins else CheckKind.RESPONSE
            outcome = self.recorder.outcome(check.name, kind)
            if check.status == "success":
                outcome.passed += 1
            elif check.status == "error":
                where = f"{check.name} on {label}"
                if all(e.where != where for e in self.result.errors):
                    self.result.errors.append(HarnessError(where, "the check crashed"))
            elif check.status == "failure" and check.failure is not None:
                outcome.failed += 1
                failure = check.failure
                operation = self.contract.by_label(label)
                status = check.response.status if check.response is not None else None
                contract = (
                    failure.contract
                    if isinstance(failure, ContractFailure)
                    else _builtin_contract(check.name, operation, status)
                )
                message = failure.message
                if isinstance(failure, ContractFailure) and failure.contract:
                    message = message.split("\n\nContract: ")[0]
                violation = Violation(
                    check=check.name,
                    title=failure.title,
                    message=message,
                    contract=contract,
                    operation=failure.operation or label,
                    phase=phase,
                    curl=check.code_sample,
                    request=check.request,
                    response=check.response,
                )
                existing = self.recorder.violations.get(violation.key)
                if existing is None:
                    self.recorder.violations[violation.key] = violation
                    self.progress(f"[{self.api}]   ✗ {violation.summary()} ({phase})")
                else:
                    existing.occurrences += 1

    def _merge(self) -> None:
        for name, outcome in self.recorder.outcomes.items():
            if not self.selected(name):
                continue
            merged = self.result.checks.setdefault(
                name, CheckOutcome(name, outcome.kind, outcome.description)
            )
            merged.passed += outcome.passed
            merged.failed += outcome.failed
            merged.skipped += [r for r in outcome.skipped if r not in merged.skipped]
        self.result.violations = sorted(
            self.recorder.violations.values(), key=lambda v: (v.check, v.operation or "", v.title)
        )
        self.result.errors = self.recorder.errors + self.result.errors


def _builtin_contract(check: str, operation: Operation | None, status: int | None) -> str:
    """What the contract says, for a failure of a Schemathesis built-in check."""
    if operation is None:
        return "The operation is not part of the contract."
    label = operation.label
    documented = ", ".join(operation.responses)
    business = ", ".join(map(str, operation.business_error_statuses())) or "none"
    sentences = {
        "not_a_server_error": f"{label} documents {documented}; no 5xx is part of the contract.",
        "status_code_conformance": f"{label} documents only {documented}.",
        "positive_data_acceptance": (
            f"Schema-valid requests to {label} succeed or are refused with a documented "
            f"business error ({business})."
        ),
        "negative_data_rejection": f"Schema-invalid requests to {label} are rejected with 4xx.",
        "missing_required_header": f"{label} rejects a request without a required header.",
        "unsupported_method": "Methods the contract does not document answer 405 with `Allow`.",
        "allow_header_conformance": "`Allow` lists exactly the documented methods.",
        "ignored_auth": f"{label} needs valid credentials; without them it answers 401/403.",
        "use_after_free": "A deleted resource stays gone.",
        "ensure_resource_availability": "A resource that was just created can be read.",
    }
    if check in sentences:
        return sentences[check]
    if status is not None and operation.response_for(status) is not None:
        response = operation.response_for(status) or {}
        media = ", ".join(response.get("content") or {}) or "no body"
        headers = ", ".join(response.get("headers") or {}) or "no required headers"
        return f"{label} → {status}: {media}; headers: {headers}; the body matches its schema."
    return f"{label} documents {documented}."


def run(
    api: str,
    target: Target | str,
    auth: Credentials | None = None,
    options: Options | None = None,
) -> RunResult:
    """Check the implementation at ``target`` against the contract of ``api``.

    ``target`` is a base URL (the API root, e.g. ``http://127.0.0.1:8080/glue``), an
    :class:`~conformance.client.HttpTarget` or an in-process
    :class:`~conformance.client.AsgiTarget`. Raises :class:`UsageError` for bad options, an
    unreachable target or refused credentials.
    """
    profile = profile_for(api)
    return _Run(profile, as_target(target), auth or Credentials(), options or Options()).execute()
