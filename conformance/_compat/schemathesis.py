"""Undocumented Schemathesis 4 names the harness relies on (see ``tests/test_compat_harness.py``).

The documented Python API (``schemathesis.openapi.from_dict``, ``schemathesis.check``,
``SchemathesisConfig``, ``GenerationMode``, ``APIOperation.as_strategy``) is used directly.
Everything else the harness needs — running the engine in-process and reading its events and
recorders, the list of built-in checks, failures of our own, a hook registered on one schema,
an ASGI app behind a schema, the coverage phase's case generator — goes through here.

Importing this module imports Schemathesis: the harness does so only when it runs or generates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemathesis.core.failures import Failure, Severity

if TYPE_CHECKING:
    from ..model import RecordedRequest, RecordedResponse

__all__ = [
    "SCHEMA_ERRORS",
    "EngineEvent",
    "Failure",
    "KeyedFailure",
    "RecordedCheck",
    "Severity",
    "builtin_check_names",
    "case_generation_mode",
    "case_phase_description",
    "coverage_cases",
    "install_auth",
    "is_not_set",
    "is_rejected_positive_data",
    "missing_header_name",
    "operation_schema",
    "operations_of",
    "recorded_checks",
    "recorded_responses",
    "register_schema_hook",
    "run_engine",
    "set_asgi_app",
    "unsupported_method_status",
]


def _schema_errors() -> tuple[type[Exception], ...]:
    from schemathesis.config import ConfigError
    from schemathesis.core.errors import LoaderError

    return (ConfigError, LoaderError)


# Errors of loading a configuration or a schema (a usable message each).
SCHEMA_ERRORS: tuple[type[Exception], ...] = _schema_errors()


# --------------------------------------------------------------------------- checks


def builtin_check_names() -> list[str]:
    """Schemathesis' built-in checks that run by default (``_BUILTIN_CHECK_CONFIGS``)."""
    from schemathesis.config._checks import _BUILTIN_CHECK_CONFIGS

    return sorted(_BUILTIN_CHECK_CONFIGS)


class KeyedFailure(Failure):
    """A failure of our own; Schemathesis deduplicates failures by their private
    ``_unique_key``, which is :attr:`dedup_key` here."""

    __slots__ = ()

    @property
    def dedup_key(self) -> str:
        raise NotImplementedError

    @property
    def _unique_key(self) -> str:
        return self.dedup_key


def missing_header_name(failure: Any) -> str | None:
    """The header of a ``missing_required_header`` failure (``MissingHeaderNotRejected``)."""
    from schemathesis.openapi.checks import MissingHeaderNotRejected

    if isinstance(failure, MissingHeaderNotRejected):
        return str(failure.header_name)
    return None


def unsupported_method_status(failure: Any) -> int | None:
    """The status an ``unsupported_method`` failure (``UnsupportedMethodResponse``) saw."""
    from schemathesis.openapi.checks import UnsupportedMethodResponse

    if isinstance(failure, UnsupportedMethodResponse):
        return int(failure.status_code)
    return None


def is_rejected_positive_data(failure: Any) -> bool:
    """Whether a failure is ``positive_data_acceptance``'s (``RejectedPositiveData``)."""
    from schemathesis.openapi.checks import RejectedPositiveData

    return isinstance(failure, RejectedPositiveData)


def operation_schema(case: Any) -> Any:
    """The loaded schema a case was generated from (``case.operation.schema``)."""
    return case.operation.schema


# --------------------------------------------------------------------------- a schema


def set_asgi_app(schema: Any, app: Any) -> None:
    """Send the schema's requests to an in-process ASGI app (``schema.app``)."""
    schema.app = app


def register_schema_hook(schema: Any, name: str, hook: Callable[..., Any]) -> None:
    """A hook for this schema only (``schema.hooks.register_hook_with_name``)."""
    schema.hooks.register_hook_with_name(hook, name)


def install_auth(
    schema: Any,
    provider: type,
    operation_ids: list[str],
    *,
    refresh_interval: int,
    retry_on: list[int],
) -> None:
    """``provider`` (``get``/``set``) authenticates the given operations; a response with a
    status in ``retry_on`` makes Schemathesis authenticate again."""
    register = schema.auth(refresh_interval=refresh_interval, retry_on=retry_on)
    register.apply_to(operation_id=operation_ids)(provider)


def operations_of(schema: Any) -> Iterator[Any]:
    """Every ``APIOperation`` of a loaded schema (``get_all_operations()`` results, unwrapped).

    An ``Err`` result (an operation Schemathesis cannot use) is raised as its error.
    """
    for result in schema.get_all_operations():
        if not hasattr(result, "ok"):
            raise result.err()
        yield result.ok()


# --------------------------------------------------------------------------- generation


def is_not_set(value: Any) -> bool:
    """Whether a case's body is absent (``schemathesis.core.NOT_SET``)."""
    from schemathesis.core import NOT_SET

    return value is NOT_SET


def coverage_cases(schema: Any, operation: Any, modes: list[Any]) -> Iterator[Any]:
    """The cases of the coverage phase for ``operation`` (``schema.iter_coverage_cases``)."""
    return iter(
        schema.iter_coverage_cases(
            operation,
            generation_modes=modes,
            generation_config=schema.config.generation_for(operation=operation),
        )
    )


def case_generation_mode(case: Any) -> str:
    """``positive`` or ``negative`` (``case.meta.generation.mode``; empty when unknown)."""
    mode = getattr(getattr(case.meta, "generation", None), "mode", None)
    return str(getattr(mode, "value", ""))


def case_phase_description(case: Any) -> tuple[str, str | None]:
    """(description, parameter) of a coverage case (``case.meta.phase.data``)."""
    data = getattr(case.meta.phase, "data", None)
    description = getattr(data, "description", None) or "generated request"
    return str(description), getattr(data, "parameter", None)


# --------------------------------------------------------------------------- the engine


@dataclass
class EngineEvent:
    """What the harness reads of one event of Schemathesis' engine."""

    kind: str  # "phase-started", "phase-finished", "scenario", "error", "fatal" or "other"
    phase: str | None = None  # the phase: "examples", "coverage", "fuzzing", "stateful" …
    enabled: bool = True  # phase-started: whether the phase runs at all
    status: str | None = None  # phase-finished: "success", … or "skipped: <reason>"
    recorder: Any = None  # scenario: read it with recorded_checks / recorded_responses
    label: str | None = None  # error: where
    message: str | None = None  # error: the formatted error; fatal: the exception
    fallback: str | None = None  # error: the exception text, when the formatted one is empty
    terminal: bool = False  # the last event of the run


def run_engine(schema: Any) -> Iterator[EngineEvent]:
    """Run every enabled phase against the schema's target; yields the engine's events."""
    from schemathesis.engine import events, from_schema

    for event in from_schema(schema).execute():
        yield _engine_event(events, event)


def _engine_event(events: Any, event: Any) -> EngineEvent:
    terminal = bool(getattr(event, "is_terminal", False))
    if isinstance(event, events.PhaseStarted):
        return EngineEvent(
            "phase-started", event.phase.name.value, bool(event.phase.is_enabled), terminal=terminal
        )
    if isinstance(event, events.PhaseFinished):
        status = str(event.status.value)
        if event.phase.skip_reason is not None:
            status = f"skipped: {event.phase.skip_reason.value}"
        return EngineEvent(
            "phase-finished", event.phase.name.value, status=status, terminal=terminal
        )
    if isinstance(event, events.ScenarioFinished):
        return EngineEvent(
            "scenario", str(event.phase.value), recorder=event.recorder, terminal=terminal
        )
    if isinstance(event, events.FuzzScenarioFinished):
        return EngineEvent("scenario", "fuzzing", recorder=event.recorder, terminal=terminal)
    if isinstance(event, events.NonFatalError):
        return EngineEvent(
            "error",
            label=str(event.label),
            message=event.info.format(),
            fallback=str(event.value),
            terminal=terminal,
        )
    if isinstance(event, events.FatalError):
        return EngineEvent("fatal", message=repr(event.exception), terminal=terminal)
    return EngineEvent("other", terminal=terminal)


@dataclass
class RecordedCheck:
    """One check result from a scenario recorder."""

    name: str
    status: str  # "success", "failure", "error", "skip"
    label: str  # the operation, e.g. "GET /returns"
    failure: Any | None  # the Failure, for a failure
    code_sample: str | None  # the curl reproduction Schemathesis wrote, for a failure
    request: RecordedRequest | None  # for a failure only
    response: RecordedResponse | None  # for a failure only


def recorded_responses(recorder: Any) -> int:
    """How many responses a scenario recorder holds."""
    return sum(1 for interaction in recorder.interactions.values() if interaction.response)


def recorded_checks(recorder: Any) -> Iterator[RecordedCheck]:
    """Every check result of a scenario recorder, with the exchange it judged."""
    for case_id, nodes in recorder.checks.items():
        node = recorder.cases.get(case_id)
        label = node.value.operation.label if node is not None else recorder.label
        for check in nodes:
            info = check.failure_info
            failure = info.failure if info is not None else None
            interaction = None
            if failure is not None:  # the exchange is only read for a failure
                interaction = recorder.interactions.get(
                    failure.case_id or case_id
                ) or recorder.interactions.get(case_id)
            yield RecordedCheck(
                name=check.name,
                status=str(check.status.value),
                label=label,
                failure=failure,
                code_sample=info.code_sample if info is not None else None,
                request=_request(interaction),
                response=_response(interaction),
            )


def _request(interaction: Any) -> RecordedRequest | None:
    from ..model import RecordedRequest

    if interaction is None:
        return None
    request = interaction.request
    headers = {
        k: (v[0] if isinstance(v, list) and v else str(v)) for k, v in request.headers.items()
    }
    return RecordedRequest(request.method, request.uri, headers, request.body)


def _response(interaction: Any) -> RecordedResponse | None:
    from ..model import RecordedResponse

    if interaction is None or interaction.response is None:
        return None
    response = interaction.response
    headers = {
        k.lower(): ", ".join(v) if isinstance(v, list) else str(v)
        for k, v in response.headers.items()
    }
    return RecordedResponse(
        response.status_code, headers, response.content or b"", getattr(response, "elapsed", 0.0)
    )
