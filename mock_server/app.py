"""The app factory: both APIs in one ASGI app, with CORS, and the admin endpoints (without)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any

from connexion import ConnexionMiddleware
from connexion.exceptions import ProblemException
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api_contracts import load_document

from . import limits, openapi31
from ._compat.connexion import (
    ContextMiddleware,
    ExceptionMiddleware,
    LifespanMiddleware,
    RequestValidationMiddleware,
    ResponseValidationMiddleware,
    ServerErrorMiddleware,
)
from ._compat.starlette import routable_path
from .access_log import observed
from .admin import admin_app
from .admin_guard import AdminGuard
from .api import ApiDefinition
from .apis import ALL_APIS
from .cache import ResponseCache, ResponseCacheMiddleware
from .chaos import Chaos
from .config import Settings
from .dispatch import HandlerApp
from .errors import ApiError
from .gate import GateMiddleware
from .negotiation import NegotiationMiddleware
from .routing import DocsOnlySwaggerUIMiddleware, MemoizedRoutingMiddleware, RouteMemo
from .runtime import Runtime
from .sessions import (
    DEFAULT,
    SESSION_KEY,
    InvalidSessionName,
    build_store,
    open_session,
    session_prefix,
    split_session,
)

EXPOSED_HEADERS = [
    "WWW-Authenticate", "Content-Language", "Allow", "Location", "Retry-After", "X-Mock-Hint"
]  # fmt: skip


def is_admin_path(path: str) -> bool:
    return path == "/__admin" or path.startswith("/__admin/")


class FrontDoor:
    """Top-level ASGI app: resolves the request's session (``/sessions/{name}`` prefix or
    ``Mock-Session``), journals and logs it, then sends ``/__admin`` to the guarded admin app
    (never CORS) and the rest to the APIs (with CORS when on). Without an admin app
    (``--no-admin``) admin paths are unknown."""

    def __init__(self, runtime: Runtime, apis: ASGIApp, admin: ASGIApp | None) -> None:
        self.runtime = runtime
        self.apis = apis
        self.admin = admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.apis(scope, receive, send)
            return
        try:
            name, scope = split_session(scope)
        except InvalidSessionName as invalid:
            await send_error(self.runtime, {**scope, "path": invalid.path}, send, invalid.error)
            return
        session = open_session(self.runtime.sessions, name or DEFAULT)
        scope[SESSION_KEY] = session
        api = self.runtime.api_for_path(scope["path"]) is not None
        journal = session.journal if api else None
        access_log = self.runtime.settings.access_log
        await observed(self._route, scope, receive, send, session.name, journal, access_log)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.admin is not None and is_admin_path(scope["path"]):
            await self.admin(scope, receive, send)
        else:
            await self.apis(scope, receive, send)


async def send_error(runtime: Runtime, scope: Scope, send: Send, error: ApiError) -> None:
    """``error`` in the envelope of the API that owns the request path."""
    path = scope["path"]
    _, body, media_type = runtime.error_body(runtime.api_for_path(path), error, path)
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class MockApp:
    """The APIs: API base paths → Connexion, anything else → an index (404 unless ``/``)."""

    def __init__(self, runtime: Runtime, connexion_app: ASGIApp) -> None:
        self.runtime = runtime
        self.connexion_app = connexion_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        mounted = self.runtime.api_for_path(path)
        if mounted is not None:
            too_large = limits.head_error(scope, self.runtime.settings)
            if too_large is not None:
                await send_error(self.runtime, scope, send, too_large)
                return
            routable = routable_path(path)
            if routable is not path:
                scope = {**scope, "path": routable}
            await self.connexion_app(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.connexion_app(scope, receive, send)
        else:
            await self._index(scope, send)

    async def _index(self, scope: Scope, send: Send) -> None:
        found = scope.get("path") == "/"
        prefix = session_prefix(scope)  # a session's index points into the session
        body: dict[str, Any] = {
            "apis": {
                m.definition.name: {
                    "title": m.definition.title,
                    "baseUrl": prefix + m.definition.base_path,
                    "openapi": f"{m.definition.base_path}/openapi.json",
                    "swaggerUi": f"{m.definition.base_path}/ui/",
                }
                for m in self.runtime.apis.values()
            },
        }
        if self.runtime.settings.admin:
            body["admin"] = prefix + "/__admin"
        if not found:
            body = {"error": {"status": 404, "message": "Not Found"}} | body
        raw = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200 if found else 404,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": raw})


def create_app(
    settings: Settings | None = None, apis: Sequence[ApiDefinition] = ALL_APIS
) -> MockServer:
    """Build the mock for ``settings`` (defaults: seed 42, CORS on, no latency or faults)."""
    settings = settings or Settings()
    memo = RouteMemo()
    cache = ResponseCache() if settings.response_cache else None
    runtime = Runtime(settings, routing=memo, response_cache=cache)
    chaos = Chaos(settings.latency_ms, settings.fault_rate, settings.seed)
    replay = [partial(ResponseCacheMiddleware, runtime=runtime, cache=cache)] if cache else []
    middlewares = [
        ServerErrorMiddleware,
        ExceptionMiddleware,
        DocsOnlySwaggerUIMiddleware,
        partial(MemoizedRoutingMiddleware, memo=memo),
        partial(GateMiddleware, runtime=runtime, chaos=chaos),
        *replay,
        RequestValidationMiddleware,
        ResponseValidationMiddleware,
        partial(NegotiationMiddleware, runtime=runtime),
        LifespanMiddleware,
        ContextMiddleware,
    ]
    connexion_app = ConnexionMiddleware(HandlerApp(runtime), middlewares=middlewares)
    for definition in apis:
        service = definition.make_service(settings)
        specification = openapi31.add_api(
            connexion_app,
            load_document(definition.spec_file),
            base_path=definition.base_path,
            name=definition.name,
            resolver=Resolver(function_resolver=service.handlers.__getitem__),
            validate_responses=settings.validate_responses,
        )
        runtime.mount(definition, service, specification.spec)
    runtime.sessions = build_store(runtime, settings)
    for exception in (Exception, ProblemException, HTTPException):
        connexion_app.add_error_handler(exception, runtime.handle_exception)
    served: ASGIApp = MockApp(runtime, connexion_app)
    if settings.cors:
        served = CORSMiddleware(
            served,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    admin = AdminGuard(admin_app(runtime), settings) if settings.admin else None
    return MockServer(FrontDoor(runtime, served, admin), runtime)


class MockServer:
    """The served app plus a handle on its runtime (for tests and the CLI)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
