"""Every assumption ``conformance/_compat/`` makes about Schemathesis and Hypothesis, by name.

An upgrade that renames, moves or reshapes an undocumented name the harness relies on fails
here — one test per assumption — instead of deep inside a conformance run.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from conformance._compat import hypothesis as compat_hypothesis
from conformance._compat import schemathesis as compat
from conformance.apis import load_contract

# Which test below covers which entry of each module's __all__.
COVERED = {
    compat: {
        "SCHEMA_ERRORS": "test_schema_errors_are_the_config_and_loader_errors",
        "Failure": "test_our_failures_fit_schemathesis_failure",
        "KeyedFailure": "test_our_failures_fit_schemathesis_failure",
        "Severity": "test_our_failures_fit_schemathesis_failure",
        "RecordedCheck": "test_engine_events_and_recorders_have_what_the_runner_reads",
        "builtin_check_names": "test_builtin_check_names_are_the_default_checks",
        "case_generation_mode": "test_generated_cases_carry_mode_and_coverage_description",
        "case_phase_description": "test_generated_cases_carry_mode_and_coverage_description",
        "coverage_cases": "test_generated_cases_carry_mode_and_coverage_description",
        "EngineEvent": "test_engine_events_and_recorders_have_what_the_runner_reads",
        "install_auth": "test_schema_hooks_auth_and_app_can_be_set",
        "is_not_set": "test_generated_cases_carry_mode_and_coverage_description",
        "is_rejected_positive_data": "test_rejected_positive_data_is_recognised",
        "missing_header_name": "test_missing_header_failure_names_its_header",
        "unsupported_method_status": "test_unsupported_method_failure_has_its_status",
        "operation_schema": "test_generated_cases_carry_mode_and_coverage_description",
        "operations_of": "test_generated_cases_carry_mode_and_coverage_description",
        "recorded_checks": "test_engine_events_and_recorders_have_what_the_runner_reads",
        "recorded_responses": "test_engine_events_and_recorders_have_what_the_runner_reads",
        "register_schema_hook": "test_schema_hooks_auth_and_app_can_be_set",
        "run_engine": "test_engine_events_and_recorders_have_what_the_runner_reads",
        "set_asgi_app": "test_schema_hooks_auth_and_app_can_be_set",
    },
    compat_hypothesis: {
        "without_local_constants": "test_local_constants_can_be_switched_off",
    },
}


@pytest.mark.parametrize("module", list(COVERED), ids=lambda m: m.__name__)
def test_every_compat_entry_is_covered_by_a_test(module: Any) -> None:
    assert set(module.__all__) == set(COVERED[module]), module.__name__
    for name, test in COVERED[module].items():
        assert hasattr(module, name), name
        assert callable(globals().get(test)), f"{name}: no test {test}"


def _parameters(func: Any) -> set[str]:
    return set(inspect.signature(func).parameters)


def _fields(cls: type) -> set[str]:
    if dataclasses.is_dataclass(cls):
        return {f.name for f in dataclasses.fields(cls)}
    return _parameters(cls)


def _schema(api: str = "glue", **config: Any) -> Any:
    settings = SchemathesisConfig.from_dict(
        {"generation": {"database": "none"}, "suppress-health-check": ["all"], **config}
    )
    return schemathesis.openapi.from_dict(load_contract(api).raw, config=settings)


# --------------------------------------------------------------------------- Schemathesis


def test_builtin_check_names_are_the_default_checks() -> None:
    from schemathesis.config import _checks

    assert hasattr(_checks, "_BUILTIN_CHECK_CONFIGS")
    names = compat.builtin_check_names()
    assert {"not_a_server_error", "status_code_conformance", "response_schema_conformance"} <= set(
        names
    )
    assert names == sorted(names)


def test_schema_errors_are_the_config_and_loader_errors() -> None:
    from schemathesis.config import ConfigError
    from schemathesis.core.errors import LoaderError

    assert (ConfigError, LoaderError) == compat.SCHEMA_ERRORS
    with pytest.raises(compat.SCHEMA_ERRORS):
        SchemathesisConfig.from_dict({"phases": {"nope": {}}})
    with pytest.raises(compat.SCHEMA_ERRORS):
        schemathesis.openapi.from_dict({"openapi": "9.9.9", "info": {}, "paths": {}})


def test_our_failures_fit_schemathesis_failure() -> None:
    from schemathesis.core.failures import Failure, Severity

    assert compat.Failure is Failure and compat.Severity is Severity
    assert {"operation", "title", "message", "severity"} <= _parameters(Failure.__init__)
    assert Severity.HIGH in Severity
    assert isinstance(inspect.getattr_static(Failure, "_unique_key"), property)

    class Mine(compat.KeyedFailure):
        __slots__ = ("key",)

        def __init__(self, key: str) -> None:
            super().__init__(operation="GET /x", title="t", message="m", severity=Severity.HIGH)
            self.key = key

        @property
        def dedup_key(self) -> str:
            return self.key

    first, same, other = Mine("a"), Mine("a"), Mine("b")
    assert first._unique_key == "a"
    # Schemathesis folds failures with the same key into one
    assert first == same and first != other and hash(first) == hash(same)


def test_missing_header_failure_names_its_header() -> None:
    from schemathesis.openapi.checks import MissingHeaderNotRejected

    failure = MissingHeaderNotRejected(
        operation="GET /orders",
        header_name="Authorization",
        status_code=200,
        expected_statuses=[401],
        message="m",
    )
    assert compat.missing_header_name(failure) == "Authorization"
    assert compat.missing_header_name(ValueError()) is None


def test_unsupported_method_failure_has_its_status() -> None:
    from schemathesis.openapi.checks import UnsupportedMethodResponse

    failure = UnsupportedMethodResponse(
        operation="POST /returns",
        method="TRACE",
        status_code=404,
        failure_reason="wrong_status",
        message="m",
    )
    assert compat.unsupported_method_status(failure) == 404
    assert compat.unsupported_method_status(ValueError()) is None


def test_rejected_positive_data_is_recognised() -> None:
    from schemathesis.openapi.checks import RejectedPositiveData

    failure = RejectedPositiveData(
        operation="GET /orders", message="m", status_code=400, allowed_statuses=["2xx"]
    )
    assert compat.is_rejected_positive_data(failure)
    assert not compat.is_rejected_positive_data(ValueError())


def test_schema_hooks_auth_and_app_can_be_set() -> None:
    schema = _schema()
    app = object()
    compat.set_asgi_app(schema, app)
    assert schema.app is app
    assert "register_hook_with_name" in dir(schema.hooks)
    assert {"hook", "name"} <= _parameters(schema.hooks.register_hook_with_name)

    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        return True

    compat.register_schema_hook(schema, "filter_failure", filter_failure)
    assert filter_failure in schema.hooks.get_all_by_name("filter_failure")
    assert {"refresh_interval", "retry_on"} <= _parameters(schema.auth)

    class Provider:
        def get(self, case: Any, context: Any) -> str:
            return "t"

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers["Authorization"] = f"Bearer {data}"

    compat.install_auth(schema, Provider, ["listOrders"], refresh_interval=600, retry_on=[401])


def test_generated_cases_carry_mode_and_coverage_description() -> None:
    schema = _schema()
    operations = {op.label: op for op in compat.operations_of(schema)}
    assert "GET /orders" in operations and "POST /returns" in operations
    create = operations["POST /returns"]
    assert {"generation_modes", "generation_config"} <= _parameters(schema.iter_coverage_cases)
    assert {"operation"} <= _parameters(schema.config.generation_for)
    cases = list(compat.coverage_cases(schema, create, [GenerationMode.POSITIVE]))
    assert cases
    modes = {compat.case_generation_mode(case) for case in cases}
    assert modes == {"positive"}
    description, parameter = compat.case_phase_description(cases[0])
    assert description and description != "generated request"
    assert parameter is None or isinstance(parameter, str)
    assert compat.operation_schema(cases[0]) is schema
    listing = operations["GET /orders"]
    bodiless = next(iter(compat.coverage_cases(schema, listing, [GenerationMode.POSITIVE])))
    assert compat.is_not_set(bodiless.body) and not compat.is_not_set(cases[0].body)


def test_engine_events_and_recorders_have_what_the_runner_reads() -> None:
    from schemathesis.engine import Status, events

    expected = {
        "PhaseStarted": {"phase"},
        "PhaseFinished": {"phase", "status"},
        "ScenarioFinished": {"phase", "recorder"},
        "FuzzScenarioFinished": {"recorder"},
        "NonFatalError": {"info", "value", "label"},
        "FatalError": {"exception"},
    }
    for name, fields in expected.items():
        assert fields <= _fields(getattr(events, name)), name
    assert {s.value for s in Status} >= {"success", "failure", "error"}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"12")]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"data": []}'})

    phases = {"examples": {"enabled": True}}
    phases |= {name: {"enabled": False} for name in ("coverage", "fuzzing", "stateful")}
    schema = _schema(
        "sendcloud",
        **{
            "base-url": "http://testserver/",
            "phases": phases,
            "checks": {"not_a_server_error": {"enabled": True}},
        },
    )
    compat.set_asgi_app(schema, app)
    stream: Iterator[compat.EngineEvent] = compat.run_engine(schema)
    seen: list[compat.EngineEvent] = list(stream)
    kinds = {event.kind for event in seen}
    assert {"phase-started", "phase-finished", "scenario"} <= kinds
    started = {e.phase: e.enabled for e in seen if e.kind == "phase-started"}
    assert started["examples"] is True and started["fuzzing"] is False
    finished = {e.phase: e.status for e in seen if e.kind == "phase-finished"}
    assert finished["examples"] in ("success", "failure")
    assert str(finished["fuzzing"]).startswith("skipped: ")
    assert seen[-1].terminal
    scenarios = [e for e in seen if e.kind == "scenario"]
    assert scenarios and all(e.phase == "examples" for e in scenarios)
    responses = sum(compat.recorded_responses(e.recorder) for e in scenarios)
    checks = [c for e in scenarios for c in compat.recorded_checks(e.recorder)]
    assert responses > 0
    failed = [c for c in checks if c.name == "not_a_server_error" and c.status == "failure"]
    assert failed, checks
    first = failed[0]
    assert first.label.startswith("GET /returns")
    assert first.failure is not None and first.failure.title
    assert first.code_sample and "curl" in first.code_sample
    assert first.request is not None and first.request.method == "GET"
    assert first.response is not None and first.response.status == 500
    # the events the runner maps to errors carry what it reads
    error = compat._engine_event(events, _fake(events.FatalError, exception=ValueError("x")))
    assert error.kind == "fatal" and error.message == "ValueError('x')"


def _fake(cls: type, **values: Any) -> Any:
    """An instance of an event class without running its constructor (only ``values`` set)."""
    instance = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(instance, name, value)
    return instance


# --------------------------------------------------------------------------- Hypothesis


def test_local_constants_can_be_switched_off() -> None:
    from hypothesis.internal.conjecture import providers

    assert callable(providers._get_local_constants)
    assert isinstance(providers.CONSTANTS_CACHE.cache, dict)
    original = providers._get_local_constants
    with compat_hypothesis.without_local_constants():
        constants = providers._get_local_constants()
        assert constants == providers.Constants()
        assert not providers.CONSTANTS_CACHE.cache

        @hypothesis.given(st.integers())
        @hypothesis.settings(max_examples=5, database=None)
        def draw(value: int) -> None:
            assert isinstance(value, int)

        draw()
    assert providers._get_local_constants is original
