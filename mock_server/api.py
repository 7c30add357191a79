"""The contract between the shared machinery and one mocked API.

Adding an API means a spec in ``specs/`` and a package in ``mock_server/apis/`` exposing an
:class:`ApiDefinition`; nothing shared changes.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.datastructures import Headers

from .config import Settings
from .errors import ErrorEnvelope
from .generator import BodyShaper, keep_body
from .store import StateStore


class ApiService(Protocol):
    """The per-API behaviour behind the spec: handlers, auth and state."""

    @property
    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        """operationId → ``async handler(context, **arguments)`` → (document, status, headers)."""
        ...

    @property
    def store(self) -> StateStore[Any]:
        """The API's world; its ``version`` keys the response cache."""
        ...

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


def account_lines(title: str, accounts: dict) -> list[str]:
    """Seeded credentials for the start-up banner: one line per account, as ``accounts()``
    lists them (an API words its own with :attr:`ApiDefinition.describe_accounts`)."""
    lines = []
    for kind, entries in accounts.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            fields = entry.items() if isinstance(entry, dict) else [("", entry)]
            lines.append(f"{title} {kind}: " + ", ".join(f"{k} {v}".strip() for k, v in fields))
    return lines


@dataclass(frozen=True)
class ApiDefinition:
    """One mocked API: its contract, mount point, error envelope and service."""

    name: str
    title: str
    spec_file: str  # a bundled contract (api_contracts.spec_path) or a path
    base_path: str
    envelope: ErrorEnvelope
    make_service: Callable[[Settings], ApiService]
    # the banner's lines for the seeded credentials (``service.accounts()`` → lines)
    describe_accounts: Callable[[dict], list[str]] | None = None
    # Contract bodies (``Prefer`` examples, codes, dynamic data) made fit for the request.
    shape_body: BodyShaper = keep_body

    def banner_lines(self, accounts: dict) -> list[str]:
        if self.describe_accounts is not None:
            return self.describe_accounts(accounts)
        return account_lines(self.title, accounts)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that accepts non-ASCII input (compare_digest on str does not)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
