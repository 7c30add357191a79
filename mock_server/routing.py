"""Connexion's routing and Swagger UI middlewares, minus their per-request route scans.

Both wrap Starlette routers that try every route in turn: Connexion's ``RoutingMiddleware``
walks one mount per API and then that API's routes; ``SwaggerUIMiddleware`` walks its own
mounts for every request, though only documentation paths are its business. In the mock they
were half of the in-process time of a cached read.

* :class:`MemoizedRoutingMiddleware` is Connexion's routing middleware with an LRU of what it
  resolved: routing is a pure function of method and path once the APIs are added, so a path
  seen before gets the same operation id, API base path and path parameters without a scan.
* :class:`DocsOnlySwaggerUIMiddleware` hands only documentation paths (``…/ui…``,
  ``…/openapi.json|yaml``, ``…/swagger.json|yaml``) to Connexion's Swagger UI middleware.

Both are ordinary entries of Connexion's ``middlewares=`` list (``SpecMiddleware`` subclasses,
so Connexion calls their ``add_api``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from connexion.middleware.abstract import ROUTING_CONTEXT, SpecMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_ROUTES = 8192

_Resolved = tuple[dict[str, Any], dict[str, Any]]  # (connexion routing context, path params)


class MemoizedRoutingMiddleware(RoutingMiddleware):
    """Connexion's ``RoutingMiddleware``, remembering the operation resolved for a path."""

    def __init__(self, app: ASGIApp, runtime: Any = None, max_routes: int = MAX_ROUTES) -> None:
        self.resolved: OrderedDict[tuple[str, str], _Resolved] = OrderedDict()
        self.max_routes = max_routes
        self.hits = 0
        self._next = app
        if runtime is not None:
            runtime.routing = self
        # The routers call the next app with the scope they resolved: record it there.
        super().__init__(self._record_and_continue)

    async def _record_and_continue(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT)
        if routing and routing.get("operation_id") and scope["type"] == "http":
            key = (scope["method"], scope["path"])
            self.resolved[key] = (dict(routing), dict(scope.get("path_params", {})))
            if len(self.resolved) > self.max_routes:
                self.resolved.popitem(last=False)
        await self._next(scope, receive, send)

    def stats(self) -> dict:
        """For /__admin/state."""
        return {"entries": len(self.resolved), "hits": self.hits}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            resolved = self.resolved.get((scope["method"], scope["path"]))
            if resolved is not None:
                self.hits += 1
                routing, path_params = resolved
                # In place, as Connexion's RoutingOperation does; the memo's dicts are copied.
                scope.setdefault("extensions", {})[ROUTING_CONTEXT] = dict(routing)
                scope.setdefault("path_params", {}).update(path_params)
                await self._next(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


_DOC_SUFFIXES = ("/openapi.json", "/openapi.yaml", "/swagger.json", "/swagger.yaml")


def is_docs_path(path: str) -> bool:
    """Paths Connexion's Swagger UI middleware serves (or redirects) for some base path."""
    return path.endswith(_DOC_SUFFIXES) or path.endswith("/ui") or "/ui/" in path


class DocsOnlySwaggerUIMiddleware(SpecMiddleware):
    """Connexion's ``SwaggerUIMiddleware``, consulted for documentation paths only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.swagger_ui = SwaggerUIMiddleware(app)

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        self.swagger_ui.add_api(*args, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_docs_path(scope["path"]):
            await self.swagger_ui(scope, receive, send)
        else:
            await self.app(scope, receive, send)
