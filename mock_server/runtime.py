"""The running mock: mounted APIs, their operations, and error rendering (error mapping)."""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.types import Scope

from ._compat.connexion import argument_name, routing_context
from .api import ApiDefinition, ApiService
from .config import Settings
from .errors import ApiError
from .generator import SchemaFaker

if TYPE_CHECKING:
    from .cache import ResponseCache
    from .routing import RouteMemo
    from .sessions import SessionStore

logger = logging.getLogger("mock_server")


@dataclass
class Operation:
    """What the shared middleware needs to know about one operation."""

    operation_id: str
    method: str
    spec: dict  # the $ref-resolved operation object
    security_schemes: list[str]  # names of the acceptable schemes; empty = public
    query_names: dict[str, str] = field(default_factory=dict)  # query name → handler argument


def query_argument_names(operation_spec: dict, path_item: dict) -> dict[str, str]:
    """Declared query parameters of an operation → the handler argument names Connexion uses
    (``page[offset]`` → ``page_offset``)."""
    declared = [*path_item.get("parameters", []), *operation_spec.get("parameters", [])]
    return {p["name"]: argument_name(p["name"]) for p in declared if p.get("in") == "query"}


@dataclass
class MountedApi:
    """One API as served: its definition, its live service and its operations."""

    definition: ApiDefinition
    service: ApiService
    operations: dict[str, Operation] = field(default_factory=dict)
    routes: list[tuple[re.Pattern[str], list[str]]] = field(default_factory=list)

    def allowed_methods(self, path: str) -> list[str]:
        """Methods the contract documents for a concrete request path (for ``Allow``)."""
        relative = path[len(self.definition.base_path) :] or "/"
        return next(
            (methods for pattern, methods in self.routes if pattern.fullmatch(relative)), []
        )


class Runtime:
    """Shared state of one mock process, used by the middleware, the admin API and the CLI."""

    sessions: SessionStore  # set by create_app once the APIs are mounted (build_store)

    def __init__(
        self,
        settings: Settings,
        *,
        routing: RouteMemo | None = None,
        response_cache: ResponseCache | None = None,
    ) -> None:
        self.settings = settings
        self.apis: dict[str, MountedApi] = {}  # by base path
        self.faker = SchemaFaker()
        self.routing = routing  # the routing memo (for /__admin/state)
        self.response_cache = response_cache  # None with --no-response-cache

    def mount(self, definition: ApiDefinition, service: ApiService, resolved_spec: dict) -> None:
        mounted = MountedApi(definition, service)
        root_security = resolved_spec.get("security", [])
        for template, path_item in resolved_spec["paths"].items():
            pattern = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)))
            methods = [
                m.upper() for m in path_item if m in ("get", "post", "put", "patch", "delete")
            ]
            mounted.routes.append((pattern, methods))
            for method, op in path_item.items():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                requirements = op.get("security", root_security)
                schemes = [name for requirement in requirements for name in requirement]
                mounted.operations[op["operationId"]] = Operation(
                    op["operationId"],
                    method.upper(),
                    op,
                    schemes,
                    query_argument_names(op, path_item),
                )
        self.apis[definition.base_path] = mounted

    def routed(self, scope: Scope) -> tuple[MountedApi, Operation] | None:
        """The API and operation Connexion's routing resolved for ``scope``, if any."""
        routing = routing_context(scope)
        mounted = self.apis.get(routing.get("api_base_path") or "")
        if mounted is None:
            return None
        operation = mounted.operations.get(routing.get("operation_id") or "")
        return (mounted, operation) if operation else None

    def api_for_path(self, path: str) -> MountedApi | None:
        for base, mounted in self.apis.items():
            if path == base or path.startswith(base + "/"):
                return mounted
        return None

    def error_body(
        self, mounted: MountedApi | None, exc: Exception, path: str
    ) -> tuple[ApiError, bytes, str]:
        """Translate ``exc`` with the envelope of the API that owns ``path``."""
        if mounted is None:
            error = (
                exc
                if isinstance(exc, ApiError)
                else ApiError(getattr(exc, "status_code", 500), str(exc))
            )
            body = {"error": {"status": error.status, "message": error.detail}}
            return error, json.dumps(body).encode(), "application/json"
        envelope = mounted.definition.envelope
        error = envelope.translate(exc, path)
        return error, json.dumps(envelope.render(error, path)).encode(), envelope.media_type

    async def handle_exception(
        self, request: ConnexionRequest, exc: Exception
    ) -> ConnexionResponse:
        """Connexion error handler: every error in the owning API's envelope."""
        path = request.url.path
        mounted = self.api_for_path(path)
        error, body, media_type = self.error_body(mounted, exc, path)
        if error.status == 405 and mounted is not None:
            error = error.with_headers({"Allow": ", ".join(mounted.allowed_methods(path))})
        if error.status >= 500 and not isinstance(exc, ApiError):
            logger.error("%s %s failed", request.method, path, exc_info=exc)
        return ConnexionResponse(
            status_code=error.status,
            body=body,
            content_type=media_type,
            headers=dict(error.headers),
        )

    def request_seed(self, method: str, path: str, query: bytes) -> int:
        """Seed for per-resource deterministic dynamic data."""
        return zlib.crc32(f"{self.settings.seed}|{method}|{path}|".encode() + query)
