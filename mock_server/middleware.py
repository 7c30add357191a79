"""The mock's request path around Connexion's validation.

``GateMiddleware`` (after routing, before validation): Prefer parsing, latency, faults, body size
limit, the API's own preconditions (406/415) and authentication.
``NegotiationMiddleware`` (after validation, before the handler): answers from the contract when
``Prefer`` asks for a status, a named example or dynamic data (the *negotiator*).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .control import NO_PREFERENCES, Preferences, parse_prefer
from .errors import ApiError
from .generator import shape_served_body
from .runtime import MountedApi, Operation, Runtime

PREFS_KEY = "mock_preferences"


def routed_operation(runtime: Runtime, scope: Scope) -> tuple[MountedApi, Operation] | None:
    routing = scope.get("extensions", {}).get("connexion_routing", {})
    mounted = runtime.apis.get(routing.get("api_base_path", ""))
    if mounted is None:
        return None
    operation = mounted.operations.get(routing.get("operation_id", ""))
    return (mounted, operation) if operation else None


class GateMiddleware:
    """Everything a request must pass before its parameters and body are validated."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = routed_operation(self.runtime, scope) if scope["type"] == "http" else None
        if routed is None:
            await self.app(scope, receive, send)
            return
        mounted, operation = routed
        settings = self.runtime.settings
        headers = Headers(scope=scope)
        prefs = parse_prefer(headers.get("prefer"))
        scope[PREFS_KEY] = prefs
        delay = settings.latency_ms + prefs.delay_ms
        if delay:
            await asyncio.sleep(delay / 1000)
        if settings.fault_rate and self.runtime.faults.random() < settings.fault_rate:
            raise ApiError(500, f"Injected fault (--fault-rate {settings.fault_rate}).")
        length = headers.get("content-length")
        if length and (not length.isdigit() or int(length) > settings.max_body_bytes):
            raise ApiError(413, "Request body is too large.")
        has_body = bool(length and length != "0") or "transfer-encoding" in headers
        scope = _lower_media_type(scope, headers.get("content-type"))
        mounted.service.check_request(scope["method"], headers, has_body)
        if operation.security_schemes:
            principal = mounted.service.authenticate(headers, operation.security_schemes)
            extensions = scope.setdefault("extensions", {})
            extensions.setdefault("connexion_context", {})["user"] = principal
        if length is None and "transfer-encoding" in headers:
            scope, receive = await self._buffered(scope, receive, settings.max_body_bytes)
        await self.app(scope, receive, send)

    @staticmethod
    async def _buffered(scope: Scope, receive: Receive, limit: int) -> tuple[Scope, Receive]:
        """Read a chunked body (stopping as soon as it exceeds ``limit``) and present it with a
        ``Content-Length``, which Connexion's body validators rely on."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise ApiError(413, "Request body is too large.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = [(k, v) for k, v in scope["headers"] if k != b"transfer-encoding"]
        headers.append((b"content-length", str(len(body)).encode()))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return {**scope, "headers": headers}, replay


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


class NegotiationMiddleware:
    """Prism-style responses from the contract: ``Prefer: code=``, ``example=``, ``dynamic=``."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefs: Preferences = scope.get(PREFS_KEY, NO_PREFERENCES)
        routed = routed_operation(self.runtime, scope) if prefs.overrides_response else None
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
