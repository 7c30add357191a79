"""Errors the mock raises, and the per-API envelope protocol that renders them.

Anything that goes wrong while serving a request ends up as an :class:`ApiError`; the
envelope of the API that owns the request path turns it into that API's own error body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from connexion.exceptions import (
    BadRequestProblem,
    NonConformingResponseBody,
    NonConformingResponseHeaders,
    ProblemException,
)
from starlette.exceptions import HTTPException


@dataclass
class ApiError(Exception):
    """An error answer: HTTP status, optional API error code, human-readable detail."""

    status: int
    detail: str
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code or ''} {self.detail}".strip()


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
