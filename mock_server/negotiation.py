"""The negotiator: which documented response to send when ``Prefer`` asks for one.

``NegotiationMiddleware`` sits after validation, before the handler: for ``Prefer: code=``,
``example=`` or ``dynamic=true`` it answers from the contract (Prism's negotiator) instead of
calling the handler. ``Prefer`` itself is parsed by the gate (:mod:`mock_server.control`).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .control import NO_PREFERENCES, PREFERENCES, Preferences
from .errors import ApiError
from .generator import shape_served_body
from .runtime import Operation, Runtime
from .server_errors import SIMULATED_SERVER_ERRORS, simulated_server_error


class NegotiationMiddleware:
    """Prism-style responses from the contract: ``Prefer: code=``, ``example=``, ``dynamic=``."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefs: Preferences = scope.get(PREFERENCES, NO_PREFERENCES)
        routed = self.runtime.routed(scope) if prefs.overrides_response else None
        if routed is None:
            await self.app(scope, receive, send)
            return
        seed = self.runtime.request_seed(
            scope["method"], scope["path"], scope.get("query_string", b"")
        )
        status, media_type, body, headers = negotiate(routed[1], prefs, self.runtime, seed)
        body = shape_served_body(routed[0].definition, body, scope, prefs.dynamic)
        raw = b"" if body is None else json.dumps(body).encode()
        response_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if media_type:
            response_headers.append((b"content-type", media_type.encode()))
        response_headers.append((b"content-length", str(len(raw)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": raw})


def negotiate(
    operation: Operation, prefs: Preferences, runtime: Runtime, seed: int
) -> tuple[int, str | None, Any, dict[str, str]]:
    """Choose the documented response and its body: (status, media type, body, headers)."""
    responses = operation.spec.get("responses", {})
    documented = ", ".join(responses)
    if prefs.code is not None:
        status = str(prefs.code)
        if status not in responses and prefs.code in SIMULATED_SERVER_ERRORS:
            raise simulated_server_error(prefs.code)  # any operation (issue 13)
        if status not in responses:
            raise ApiError(
                400,
                f"Prefer: code={status} is not documented for "
                f"{operation.operation_id} (documented: {documented})",
            )
    elif prefs.example is not None:
        status = next(
            (
                s
                for s, r in responses.items()
                if any(
                    prefs.example in m.get("examples", {}) for m in r.get("content", {}).values()
                )
            ),
            "",
        )
        if not status:
            raise ApiError(
                400,
                f"Prefer: example={prefs.example} is not an example of {operation.operation_id}",
            )
    else:
        status = min((s for s in responses if s.startswith("2")), default=next(iter(responses)))
    response = responses[status]
    headers = {
        name: str(h["schema"].get("const", h["schema"].get("example", "")))
        for name, h in response.get("headers", {}).items()
        if h.get("required")
    }
    content = response.get("content", {})
    if not content:
        return int(status), None, None, headers
    media_type, media = next(iter(content.items()))
    examples = media.get("examples", {})
    if prefs.dynamic:
        body = runtime.faker.generate(media.get("schema", {}), seed)
    elif prefs.example is not None:
        if prefs.example not in examples:
            raise ApiError(
                400,
                f"Prefer: example={prefs.example} is not an example of the "
                f"{status} response of {operation.operation_id}",
            )
        body = examples[prefs.example]["value"]
    elif examples:
        body = next(iter(examples.values()))["value"]
    elif "example" in media:
        body = media["example"]
    else:
        body = runtime.faker.generate(media.get("schema", {}), seed)
    return int(status), media_type, body, headers
