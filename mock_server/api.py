"""The contract between the shared machinery and one mocked API.

Adding an API means a spec in ``specs/`` and a package in ``mock_server/apis/`` exposing an
:class:`ApiDefinition`; nothing shared changes.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from connexion.context import scope as request_scope
from starlette.datastructures import Headers

from .config import Settings
from .errors import ErrorEnvelope
from .generator import BodyShaper, keep_body
from .store import StateStore

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"


class ApiService(Protocol):
    """The per-API behaviour behind the spec: handlers, auth and state."""

    handlers: Mapping[str, Callable[..., Any]]
    store: StateStore[Any]  # the API's world; its ``version`` keys the response cache

    def check_request(self, method: str, headers: Headers, has_body: bool) -> None:
        """Raise :class:`ApiError` for requests the API refuses before auth (406, 415…)."""

    def authenticate(self, headers: Headers, schemes: list[str]) -> Any:
        """Return the principal for a request to an operation secured by ``schemes``."""

    def reset(self, seed: int | None = None) -> None:
        """Back to the seeded world."""

    def accounts(self) -> dict:
        """Seeded credentials, for /__admin/accounts and the start-up banner."""

    def counts(self) -> dict:
        """What the world holds and what was created, for /__admin/state."""


@dataclass(frozen=True)
class ApiDefinition:
    """One mocked API: its contract, mount point, error envelope and service."""

    name: str
    title: str
    spec_file: Path
    base_path: str
    envelope: ErrorEnvelope
    make_service: Callable[[Settings], ApiService]
    # Contract bodies (``Prefer`` examples, codes, dynamic data) made fit for the request.
    shape_body: BodyShaper = keep_body


def request_base_url(base_path: str) -> str:
    """Absolute URL of ``base_path`` as the current request reached it (for JSON links)."""
    scope = request_scope._get_current_object()  # one context look-up, not one per field
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "localhost")
    return f"{scope.get('scheme', 'http')}://{host}{base_path}"


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that accepts non-ASCII input (compare_digest on str does not)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
