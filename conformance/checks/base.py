"""Check machinery shared by both APIs: registries, the Schemathesis adapter, scenario context.

Two kinds of checks of our own:

* **response checks** judge one exchange (``func(exchange, operation)``). Each is registered
  with ``@schemathesis.check`` under its own name, so it runs on every response Schemathesis
  gets, and the scenario client runs it on every response a scenario gets.
* **scenarios** are flows of requests (``func(ctx)``) that report one or more named checks.

A Schemathesis check registry is process-wide, so every adapter first asks whether the schema
under test was bound to its API by :func:`bind`; checks stay silent for anybody else's schemas.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin

import httpx
import schemathesis

from api_contracts import Contract, Operation

from .._compat.schemathesis import KeyedFailure, Severity, operation_schema
from ..client import ForeignOriginError, is_absolute, origin_of
from ..model import (
    CheckKind,
    CheckOutcome,
    Exchange,
    HarnessError,
    RecordedRequest,
    RecordedResponse,
    Violation,
)

if TYPE_CHECKING:
    from ..client import ApiClient

SAME_ORIGIN_RULE = (
    "Links name resources of the API itself: Glue builds every link from its own domain "
    "(`{glueDomain}/{type}/{id}`, `{glueDomain}/{type}?page[offset]=…`; domain-facts A2b) and "
    "Sendcloud's `next`/`previous` are cursor URLs of `GET /returns` (domain-facts B1b). "
    "Credentials go only to the target's own origin (developers' guide), so a link to another "
    "scheme, host or port is a defect and is never requested."
)


def foreign_links(exchange: Exchange, links: Iterable[tuple[str, str]]) -> list[str]:
    """``name = 'url'`` for each of ``links`` that leads to another scheme, host or port than
    the request of ``exchange`` (relative links resolve against the request URL)."""
    here = exchange.request.url
    origin = origin_of(here)
    return [
        f"{name} = {url!r}"
        for name, url in links
        if is_absolute(url) and origin_of(urljoin(here, url)) != origin
    ]


class CheckFailed(Exception):
    """A check found a violation: what is wrong, and what the contract says instead."""

    def __init__(
        self, title: str, message: str = "", *, contract: str = "", exchange: Exchange | None = None
    ) -> None:
        super().__init__(title)
        self.title = title
        self.message = message
        self.contract = contract
        self.exchange = exchange


class SkipCheck(Exception):
    """A check cannot run here (missing data or credentials); never a violation."""


PureCheck = Callable[[Exchange, "Operation | None"], None]


@dataclass(frozen=True)
class ResponseCheck:
    name: str
    api: str
    description: str
    func: PureCheck


@dataclass(frozen=True)
class Scenario:
    name: str
    api: str
    description: str
    reports: tuple[str, ...]
    func: Callable[[ScenarioContext], None]


RESPONSE_CHECKS: dict[str, ResponseCheck] = {}
SCENARIOS: dict[str, Scenario] = {}
# Descriptions of every check name a scenario reports, for the summary table.
SCENARIO_CHECKS: dict[str, tuple[str, str]] = {}  # name -> (api, description)


@dataclass
class Binding:
    """The API a loaded Schemathesis schema is being tested as."""

    api: str
    contract: Contract


_BINDINGS: dict[int, Binding] = {}


def bind(schema: Any, binding: Binding) -> None:
    """Make our response checks apply to ``schema`` (a Schemathesis ``BaseSchema``)."""
    _BINDINGS[id(schema)] = binding


def unbind(schema: Any) -> None:
    _BINDINGS.pop(id(schema), None)


def binding_for(case: Any) -> Binding | None:
    return _BINDINGS.get(id(operation_schema(case)))


class ContractFailure(KeyedFailure):
    """A Schemathesis failure raised by one of our response checks."""

    code = "CONF1"
    kind_title = "Contract check failed"
    checks: ClassVar[tuple[str, ...]] = ()
    __slots__ = ("check", "contract")

    def __init__(
        self, *, operation: str | None, check: str, title: str, message: str, contract: str
    ) -> None:
        body = message + (f"\n\nContract: {contract}" if contract else "")
        super().__init__(operation=operation, title=title, message=body, severity=Severity.HIGH)
        self.check = check
        self.contract = contract

    @property
    def dedup_key(self) -> str:
        return f"{self.check}|{self.title}"


def _flatten(headers: Any) -> dict[str, str]:
    flat = {}
    for key, value in dict(headers).items():
        flat[str(key).lower()] = ", ".join(value) if isinstance(value, list) else str(value)
    return flat


def exchange_from_schemathesis(response: Any, case: Any) -> Exchange:
    """Our :class:`Exchange` for a Schemathesis ``Response`` (and the ``Case`` that caused it)."""
    sent = response.request
    body = sent.body
    if isinstance(body, str):
        body = body.encode("utf-8", errors="replace")
    elif body is not None and not isinstance(body, bytes):
        body = None  # a streamed body: not kept
    return Exchange(
        request=RecordedRequest(
            method=str(sent.method),
            url=str(sent.url),
            headers={str(k): str(v) for k, v in dict(sent.headers).items()},
            body=body,
        ),
        response=RecordedResponse(
            status=response.status_code,
            headers=_flatten(response.headers),
            body=response.content or b"",
            elapsed=getattr(response, "elapsed", 0.0),
        ),
        operation=case.operation.label,
    )


def _schemathesis_adapter(check: ResponseCheck) -> Callable[..., bool | None]:
    def adapter(ctx: Any, response: Any, case: Any) -> bool | None:
        binding = binding_for(case)
        if binding is None or binding.api != check.api:
            return True  # not a schema we test: skipped, not passed
        operation = binding.contract.by_label(case.operation.label)
        try:
            check.func(exchange_from_schemathesis(response, case), operation)
        except SkipCheck:
            return True
        except CheckFailed as exc:
            raise ContractFailure(
                operation=case.operation.label,
                check=check.name,
                title=exc.title,
                message=exc.message,
                contract=exc.contract,
            ) from None
        return None

    adapter.__name__ = check.name
    adapter.__qualname__ = check.name
    adapter.__doc__ = check.description
    return adapter


def response_check(api: str) -> Callable[[PureCheck], PureCheck]:
    """Register ``func(exchange, operation)`` as a response check of ``api``.

    It becomes a Schemathesis check of the same name (``@schemathesis.check``) and runs on
    every response a scenario receives.
    """

    def register(func: PureCheck) -> PureCheck:
        description = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        check = ResponseCheck(func.__name__, api, description, func)
        RESPONSE_CHECKS[check.name] = check
        schemathesis.check(_schemathesis_adapter(check))
        return func

    return register


def scenario(
    api: str, *, reports: dict[str, str] | None = None
) -> Callable[[Callable[[ScenarioContext], None]], Callable[[ScenarioContext], None]]:
    """Register a scenario of ``api``; ``reports`` names its checks (default: the function)."""

    def register(func: Callable[[ScenarioContext], None]) -> Callable[[ScenarioContext], None]:
        description = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        names = reports or {func.__name__: description}
        SCENARIOS[func.__name__] = Scenario(func.__name__, api, description, tuple(names), func)
        for name, text in names.items():
            SCENARIO_CHECKS[name] = (api, text)
        return func

    return register


def response_checks_for(api: str) -> list[ResponseCheck]:
    return [c for c in RESPONSE_CHECKS.values() if c.api == api]


def scenarios_for(api: str) -> list[Scenario]:
    return [s for s in SCENARIOS.values() if s.api == api]


def scenario_check_names(api: str) -> list[str]:
    return [name for name, (owner, _) in SCENARIO_CHECKS.items() if owner == api]


# --------------------------------------------------------------------------- recording


@dataclass
class Recorder:
    """Collects outcomes and violations of our own checks (scenarios and their traffic)."""

    outcomes: dict[str, CheckOutcome] = field(default_factory=dict)
    violations: dict[tuple[str, str | None, str], Violation] = field(default_factory=dict)
    errors: list[HarnessError] = field(default_factory=list)

    def outcome(self, name: str, kind: CheckKind, description: str = "") -> CheckOutcome:
        found = self.outcomes.get(name)
        if found is None:
            found = self.outcomes[name] = CheckOutcome(name, kind, description)
        return found

    def passed(self, name: str, kind: CheckKind) -> None:
        self.outcome(name, kind).passed += 1

    def skipped(self, name: str, kind: CheckKind, reason: str) -> None:
        outcome = self.outcome(name, kind)
        if reason not in outcome.skipped:
            outcome.skipped.append(reason)

    def failed(self, name: str, kind: CheckKind, exc: CheckFailed, operation: str | None) -> None:
        self.outcome(name, kind).failed += 1
        exchange = exc.exchange
        violation = Violation(
            check=name,
            title=exc.title,
            message=exc.message,
            contract=exc.contract,
            operation=operation or (exchange.operation if exchange else None),
            phase="scenario",
            curl=exchange.request.curl() if exchange else None,
            request=exchange.request if exchange else None,
            response=exchange.response if exchange else None,
        )
        existing = self.violations.get(violation.key)
        if existing is None:
            self.violations[violation.key] = violation
        else:
            existing.occurrences += 1


class ScenarioContext:
    """What a scenario works with: clients per identity, the contract, a seeded RNG."""

    def __init__(
        self,
        *,
        api: str,
        contract: Contract,
        client: ApiClient,
        recorder: Recorder,
        rng: random.Random,
        anonymous: ApiClient,
        other: ApiClient | None = None,
        credentials: dict[str, Any] | None = None,
        selected: Callable[[str], bool] = lambda name: True,
    ) -> None:
        self.api = api
        self.contract = contract
        self.client = client
        self.anonymous = anonymous
        self.other = other
        self.recorder = recorder
        self.rng = rng
        self.credentials = credentials or {}
        self.selected = selected
        self._status: dict[str, str] = {}

    def with_client(self, client: ApiClient) -> ScenarioContext:
        """The same context acting as another identity (``client``)."""
        twin = ScenarioContext.__new__(ScenarioContext)
        twin.__dict__.update(self.__dict__)
        twin.client = client
        return twin

    def ok(self, name: str) -> bool:
        """Whether the check ``name`` has run in this scenario and passed."""
        return self._status.get(name) == "passed"

    @contextmanager
    def check(self, name: str, *, operation: str | None = None) -> Iterator[None]:
        """Run the block as the check ``name``: a :class:`CheckFailed` inside is its violation.

        A check left out by ``--checks``/``--exclude-checks`` still runs (later checks of the
        scenario may build on it) but reports nothing.
        """
        report = self.selected(name)
        try:
            yield
        except SkipCheck as exc:
            self._status[name] = "skipped"
            if report:
                self.recorder.skipped(name, CheckKind.SCENARIO, str(exc))
        except CheckFailed as exc:
            self._status[name] = "failed"
            if report:
                self.recorder.failed(name, CheckKind.SCENARIO, exc, operation)
        except ForeignOriginError as exc:
            self._status[name] = "failed"
            if report:
                failure = CheckFailed(
                    "A link leads to another origin; it was not followed",
                    f"{exc.url} is not on the scheme, host and port of {exc.target}",
                    contract=SAME_ORIGIN_RULE,
                )
                self.recorder.failed(name, CheckKind.SCENARIO, failure, operation)
        except httpx.HTTPError as exc:
            self._status[name] = "error"
            self.recorder.errors.append(HarnessError(name, f"{type(exc).__name__}: {exc}"))
            if report:
                self.recorder.skipped(name, CheckKind.SCENARIO, f"network error: {exc}")
        else:
            self._status[name] = "passed"
            if report:
                self.recorder.passed(name, CheckKind.SCENARIO)

    def skip(self, name: str, reason: str) -> None:
        """Record that the check ``name`` could not run (not a violation)."""
        if self.selected(name):
            self._status[name] = "skipped"
            self.recorder.skipped(name, CheckKind.SCENARIO, reason)


def expect(
    condition: bool,
    title: str,
    message: str = "",
    *,
    contract: str = "",
    exchange: Exchange | None = None,
) -> None:
    """Raise :class:`CheckFailed` unless ``condition``."""
    if not condition:
        raise CheckFailed(title, message, contract=contract, exchange=exchange)


def describe(exchange: Exchange) -> str:
    """``GET /returns/X → 404`` for messages."""
    return (
        f"{exchange.request.method} {exchange.request.url} → {exchange.response.status} "
        f"({exchange.response.media_type or 'no Content-Type'})"
    )


def run_response_checks(
    api: str,
    exchange: Exchange,
    contract: Contract,
    recorder: Recorder,
    selected: Callable[[str], bool],
) -> None:
    """Run ``api``'s response checks on one scenario exchange and record the outcomes."""
    if exchange.operation is None:
        return
    operation = contract.by_label(exchange.operation)
    for check in response_checks_for(api):
        if not selected(check.name):
            continue
        try:
            check.func(exchange, operation)
        except SkipCheck:
            continue
        except CheckFailed as exc:
            exc.exchange = exc.exchange or exchange
            recorder.failed(check.name, CheckKind.RESPONSE, exc, exchange.operation)
        else:
            recorder.passed(check.name, CheckKind.RESPONSE)
