"""The gate: what every routed API request passes before Connexion validates it.

In order: ``Prefer`` is parsed (400 when malformed), the chaos applies (latency, faults), the
body limit (413), the API's own preconditions (406/415) and authentication (the principal is
put in the scope for the handler's :class:`~mock_server.request_context.RequestContext`).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from . import limits
from .chaos import Chaos
from .control import PREFERENCES, parse_prefer
from .request_context import set_principal
from .runtime import Runtime
from .sessions import service_for


class GateMiddleware:
    """Everything a request must pass before its parameters and body are validated."""

    def __init__(self, app: ASGIApp, runtime: Runtime, chaos: Chaos) -> None:
        self.app = app
        self.runtime = runtime
        self.chaos = chaos

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = self.runtime.routed(scope) if scope["type"] == "http" else None
        if routed is None:
            await self.app(scope, receive, send)
            return
        mounted, operation = routed
        settings = self.runtime.settings
        headers = Headers(scope=scope)
        prefs = parse_prefer(headers.get("prefer"))
        scope[PREFERENCES] = prefs
        await self.chaos.apply(prefs)
        limits.check_content_length(headers, settings.max_body_bytes)
        length = headers.get("content-length")
        has_body = bool(length and length != "0") or "transfer-encoding" in headers
        scope = _lower_media_type(scope, headers.get("content-type"))
        service = service_for(scope, mounted)  # the request's session
        service.check_request(scope["method"], headers, has_body)
        if operation.security_schemes:
            set_principal(scope, service.authenticate(headers, operation.security_schemes))
        if length is None and "transfer-encoding" in headers:
            scope, receive = await limits.buffered_body(scope, receive, settings.max_body_bytes)
        await self.app(scope, receive, send)


def _lower_media_type(scope: Scope, content_type: str | None) -> Scope:
    """Media types are case-insensitive (RFC 9110); Connexion matches them as written."""
    if not content_type:
        return scope
    media, sep, params = content_type.partition(";")
    if media == media.lower():
        return scope
    value = (media.lower() + sep + params).encode("latin-1")
    headers = [(k, value if k == b"content-type" else v) for k, v in scope["headers"]]
    return {**scope, "headers": headers}
