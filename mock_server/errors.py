"""Errors the mock raises, and the per-API envelope protocol that renders them.

Anything that goes wrong while serving a request ends up as an :class:`ApiError`; the
envelope of the API that owns the request path turns it into that API's own error body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import FrozenInstanceError, dataclass, field, fields, make_dataclass
from types import MappingProxyType
from typing import Protocol

from connexion.exceptions import (
    BadRequestProblem,
    NonConformingResponseBody,
    NonConformingResponseHeaders,
    ProblemException,
)
from starlette.exceptions import HTTPException


def _frozen_headers(headers: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(headers or {}))


@dataclass(eq=False)
class ApiError(Exception):
    """An error answer: HTTP status, optional API error code, human-readable detail.

    Immutable, and raised fresh every time: a shared instance raised from many requests
    would share (and grow) its traceback and could be changed by one of them for all.
    Its fields are frozen once set; the exception machinery's own attributes
    (``__traceback__``, which Starlette clears, ``__notes__``…) stay writable, which a
    ``frozen=True`` dataclass would refuse.
    """

    status: int = 500
    detail: str = "Internal Server Error"
    code: str | None = None
    headers: Mapping[str, str] = field(default_factory=_frozen_headers)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _frozen_headers(self.headers))

    def __setattr__(self, name: str, value: object) -> None:
        if name in _FIELDS and name in self.__dict__:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in _FIELDS:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super().__delattr__(name)

    def __str__(self) -> str:
        return f"{self.status} {self.code or ''} {self.detail}".strip()

    def with_headers(self, extra: Mapping[str, str]) -> ApiError:
        """A new error like this one with ``extra`` headers added (e.g. ``Allow`` on a 405)."""
        return ApiError(self.status, self.detail, self.code, {**self.headers, **extra})


_FIELDS = frozenset(f.name for f in fields(ApiError))


def error_type(
    status: int, detail: str, code: str | None = None, headers: Mapping[str, str] | None = None
) -> type[ApiError]:
    """A reusable error of an API: ``raise NOT_FOUND`` makes a fresh instance each time.

    Its ``status``, ``detail``, ``code`` and ``headers`` can be read on the type itself
    (its defaults), and ``NOT_FOUND()`` is an instance to return from an envelope's mapping.
    """
    name = f"ApiError{status}{code or ''}"
    kind_fields = [
        ("status", int, field(default=status)),
        ("detail", str, field(default=detail)),
        ("code", str | None, field(default=code)),
        ("headers", Mapping[str, str], field(default_factory=lambda: _frozen_headers(headers))),
    ]
    kind = make_dataclass(name, kind_fields, bases=(ApiError,), eq=False)
    kind.__module__ = __name__
    return kind


class RequestBodyError(BadRequestProblem):
    """The body is well-formed JSON but does not match its schema."""

    def __init__(self, pointer: str, keyword: str, message: str) -> None:
        super().__init__(detail=f"{message} (at {pointer or '/'})")
        self.pointer = pointer
        self.keyword = keyword
        self.message = message


class MalformedBodyError(BadRequestProblem):
    """The body is empty, not UTF-8 or not JSON."""

    def __init__(self, reason: str) -> None:
        super().__init__(detail=reason)
        self.reason = reason


class RequestParameterError(BadRequestProblem):
    """A path, query, header or cookie parameter does not match its schema."""

    def __init__(self, location: str, name: str, message: str) -> None:
        super().__init__(detail=f"{location} parameter '{name}': {message}")
        self.location = location
        self.name = name
        self.message = message


class ErrorEnvelope(Protocol):
    """How one API spells its errors."""

    media_type: str

    def translate(self, exc: Exception, path: str) -> ApiError:
        """Map any exception raised while serving ``path`` to this API's error."""
        ...

    def render(self, error: ApiError, path: str) -> dict:
        """The error body for ``error`` on a request to ``path``."""
        ...


class EnvelopeBase:
    """Shared exception → :class:`ApiError` mapping; APIs override the hooks they word apart."""

    media_type = "application/json"
    status_messages: dict[int, str] = {}

    def translate(self, exc: Exception, path: str) -> ApiError:
        if isinstance(exc, ApiError):
            return exc
        if isinstance(exc, RequestBodyError):
            return self.body_error(exc)
        if isinstance(exc, MalformedBodyError):
            return self.malformed_body(exc)
        if isinstance(exc, RequestParameterError):
            return self.parameter_error(exc)
        if isinstance(exc, (NonConformingResponseBody, NonConformingResponseHeaders)):
            return ApiError(500, f"The mock produced a response its contract rejects: {exc.detail}")
        status = getattr(exc, "status_code", None)
        if isinstance(exc, (HTTPException, ProblemException)) and isinstance(status, int):
            headers = dict(getattr(exc, "headers", None) or {})
            detail = self.status_messages.get(status) or getattr(exc, "detail", None) or ""
            return ApiError(status, str(detail), headers=headers)
        return ApiError(500, "Internal Server Error")

    def body_error(self, exc: RequestBodyError) -> ApiError:
        return ApiError(400, exc.detail)

    def malformed_body(self, exc: MalformedBodyError) -> ApiError:
        return ApiError(400, exc.reason)

    def parameter_error(self, exc: RequestParameterError) -> ApiError:
        return ApiError(400, exc.detail)
