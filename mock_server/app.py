"""The app factory: both APIs in one ASGI app, with CORS and the admin endpoints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

from connexion import ConnexionMiddleware
from connexion.exceptions import ProblemException
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api_contracts import load_document

from . import openapi31
from .access_log import observed
from .admin import admin_app
from .api import ApiDefinition
from .apis import ALL_APIS
from .cache import ResponseCache
from .config import Settings
from .dispatch import HandlerApp
from .errors import ApiError
from .middleware import GateMiddleware, NegotiationMiddleware
from .routing import DocsOnlySwaggerUIMiddleware, MemoizedRoutingMiddleware
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

EXPOSED_HEADERS = ["WWW-Authenticate", "Content-Language", "Allow", "Location", "Retry-After"]


class MockApp:
    """Top-level ASGI app: ``/__admin`` → admin, API base paths → Connexion, else an index."""

    def __init__(self, runtime: Runtime, connexion_app: ASGIApp, admin: ASGIApp) -> None:
        self.runtime = runtime
        self.connexion_app = connexion_app
        self.admin = admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # --- sessions seam (sessions.py, access_log.py): resolve, strip the prefix, observe
        if scope["type"] == "http":
            try:
                name, scope = split_session(scope)
            except InvalidSessionName as invalid:
                error = ApiError(400, str(invalid))
                await self._error({**scope, "path": invalid.path}, send, error)
                return
            session = open_session(self.runtime.sessions, name or DEFAULT)
            scope[SESSION_KEY] = session
            api = self.runtime.api_for_path(scope["path"]) is not None
            journal = session.journal if api else None
            log = self.runtime.settings.access_log
            await observed(self._serve, scope, receive, send, session.name, journal, log)
            return
        # --- end of the sessions seam
        await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        mounted = self.runtime.api_for_path(path)
        if mounted is not None:
            limits = self.runtime.settings
            url_bytes = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
            if sum(len(k) + len(v) for k, v in scope["headers"]) > limits.max_header_bytes:
                await self._error(scope, send, ApiError(431, "Request header fields too large."))
                return
            if url_bytes > limits.max_url_bytes:
                await self._error(scope, send, ApiError(414, "Request-URI too long."))
                return
            if "\n" in path:
                # Starlette's route patterns stop at a line feed; such an id matches no resource,
                # so route it as one that merely does not exist (auth and 404 codes still apply).
                scope = {**scope, "path": path.replace("\n", "\ufffd")}
            await self.connexion_app(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.connexion_app(scope, receive, send)
        elif path == "/__admin" or path.startswith("/__admin/"):
            await self.admin(scope, receive, send)
        else:
            await self._index(scope, send)

    async def _error(self, scope: Scope, send: Send, error: ApiError) -> None:
        path = scope["path"]
        _, body, media_type = self.runtime.error_body(self.runtime.api_for_path(path), error, path)
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

    async def _index(self, scope: Scope, send: Send) -> None:
        found = scope.get("path") == "/"
        prefix = session_prefix(scope)  # sessions seam: a session's index points into it
        body = {
            "apis": {
                m.definition.name: {
                    "title": m.definition.title,
                    "baseUrl": prefix + m.definition.base_path,
                    "openapi": f"{m.definition.base_path}/openapi.json",
                    "swaggerUi": f"{m.definition.base_path}/ui/",
                }
                for m in self.runtime.apis.values()
            },
            "admin": prefix + "/__admin",
        }
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
    runtime = Runtime(settings)
    cache = [partial(ResponseCache, runtime=runtime)] if settings.response_cache else []
    middlewares = [
        ServerErrorMiddleware,
        ExceptionMiddleware,
        DocsOnlySwaggerUIMiddleware,
        partial(MemoizedRoutingMiddleware, runtime=runtime),
        partial(GateMiddleware, runtime=runtime),
        *cache,
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
    runtime.sessions = build_store(runtime, settings)  # sessions seam
    for exception in (Exception, ProblemException, HTTPException):
        connexion_app.add_error_handler(exception, runtime.handle_exception)
    app: ASGIApp = MockApp(runtime, connexion_app, admin_app(runtime))
    if settings.cors:
        app = CORSMiddleware(
            app,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    return MockServer(app, runtime)


class MockServer:
    """The served app plus a handle on its runtime (for tests and the CLI)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
