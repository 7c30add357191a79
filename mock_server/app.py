"""The app factory: both APIs in one ASGI app, with CORS and the admin endpoints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial

import yaml
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

from . import openapi31
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

EXPOSED_HEADERS = [
    "WWW-Authenticate", "Content-Language", "Allow", "Location", "Retry-After", "X-Mock-Hint"
]  # fmt: skip


class MockApp:
    """Top-level ASGI app: ``/__admin`` → admin, API base paths → Connexion, else an index."""

    def __init__(self, runtime: Runtime, connexion_app: ASGIApp, admin: ASGIApp) -> None:
        self.runtime = runtime
        self.connexion_app = connexion_app
        self.admin = admin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
        body = {
            "apis": {
                m.definition.name: {
                    "title": m.definition.title,
                    "baseUrl": m.definition.base_path,
                    "openapi": f"{m.definition.base_path}/openapi.json",
                    "swaggerUi": f"{m.definition.base_path}/ui/",
                }
                for m in self.runtime.apis.values()
            },
            "admin": "/__admin",
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


def load_spec(definition: ApiDefinition) -> dict:
    with definition.spec_file.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


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
            load_spec(definition),
            base_path=definition.base_path,
            name=definition.name,
            resolver=Resolver(function_resolver=service.handlers.__getitem__),
            validate_responses=settings.validate_responses,
        )
        runtime.mount(definition, service, specification.spec)
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
