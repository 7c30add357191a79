"""What a handler may know about the request it answers, passed to it explicitly.

Built by :mod:`mock_server.dispatch` from the ASGI scope (after routing, the gate and
validation), so handlers read no context variables of Connexion's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import Scope

from .sessions import session_prefix

PRINCIPAL = "mock_principal"  # scope key: whom the gate authenticated


def set_principal(scope: Scope, principal: Any) -> None:
    scope[PRINCIPAL] = principal


def principal_of(scope: Scope) -> Any:
    """The authenticated principal, or None for a public operation."""
    return scope.get(PRINCIPAL)


def query_pairs(scope: Scope) -> tuple[tuple[str, str], ...]:
    """The query string as (name, value) pairs, blanks kept, in order."""
    raw = scope.get("query_string", b"")
    if not raw:
        return ()
    return tuple(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))


def base_url(scope: Mapping[str, Any], base_path: str) -> str:
    """Absolute URL of ``base_path`` as this request reached it (for links in bodies)."""
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "localhost")
    return f"{scope.get('scheme', 'http')}://{host}{session_prefix(scope)}{base_path}"


@dataclass(frozen=True)
class RequestContext:
    """The request as a handler sees it."""

    principal: Any  # what the API's ``authenticate`` returned; None for public operations
    headers: Headers  # case-insensitive, read-only
    base_url: str  # e.g. ``http://127.0.0.1:8080/glue``
    query: tuple[tuple[str, str], ...]  # every query pair, as sent
    path_params: Mapping[str, Any]  # as routed (integers converted)

    @classmethod
    def from_scope(
        cls, scope: Scope, base_path: str, path_params: Mapping[str, Any]
    ) -> RequestContext:
        return cls(
            principal=principal_of(scope),
            headers=Headers(scope=scope),
            base_url=base_url(scope, base_path),
            query=query_pairs(scope),
            path_params=path_params,
        )
