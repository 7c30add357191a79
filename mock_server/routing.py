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
so Connexion calls their ``add_api``). The memo itself (:class:`RouteMemo`) is made by
``create_app``, which hands it to the middleware and to the runtime (for ``/__admin/state``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._compat.connexion import (
    RoutingMiddleware,
    SpecMiddleware,
    SwaggerUIMiddleware,
    bound_integer_path_parameters,
    routing_context,
    set_routing_context,
)
from ._compat.starlette import path_params, update_path_params

MAX_ROUTES = 8192

_Resolved = tuple[dict[str, Any], dict[str, Any]]  # (connexion routing context, path params)


class RouteMemo:
    """LRU of routing results by (method, path): routing is a pure function of both."""

    def __init__(self, max_routes: int = MAX_ROUTES) -> None:
        self.resolved: OrderedDict[tuple[str, str], _Resolved] = OrderedDict()
        self.max_routes = max_routes
        self.hits = 0

    def get(self, method: str, path: str) -> _Resolved | None:
        resolved = self.resolved.get((method, path))
        if resolved is not None:
            self.hits += 1
        return resolved

    def remember(self, method: str, path: str, resolved: _Resolved) -> None:
        self.resolved[(method, path)] = resolved
        if len(self.resolved) > self.max_routes:
            self.resolved.popitem(last=False)

    def stats(self) -> dict:
        """For /__admin/state."""
        return {"entries": len(self.resolved), "hits": self.hits}


class MemoizedRoutingMiddleware(RoutingMiddleware):
    """Connexion's ``RoutingMiddleware``, consulting ``memo`` before its routers."""

    def __init__(self, app: ASGIApp, memo: RouteMemo) -> None:
        self.memo = memo
        self._next = app
        # The routers call the next app with the scope they resolved: record it there.
        super().__init__(self._record_and_continue)
        bound_integer_path_parameters()  # an over-long integer id misses the route (404)

    async def _record_and_continue(self, scope: Scope, receive: Receive, send: Send) -> None:
        routing = routing_context(scope)
        if routing.get("operation_id") and scope["type"] == "http":
            resolved = (dict(routing), dict(path_params(scope)))
            self.memo.remember(scope["method"], scope["path"], resolved)
        await self._next(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            resolved = self.memo.get(scope["method"], scope["path"])
            if resolved is not None:
                routing, params = resolved
                # In place, as Connexion's RoutingOperation does; the memo's dicts are copied.
                set_routing_context(scope, routing)
                update_path_params(scope, params)
                await self._next(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


_DOC_SUFFIXES = ("/openapi.json", "/openapi.yaml", "/swagger.json", "/swagger.yaml")


def is_docs_path(path: str) -> bool:
    """Paths Connexion's Swagger UI middleware serves (or redirects) for some base path."""
    return path.endswith(_DOC_SUFFIXES) or path.endswith("/ui") or "/ui/" in path


MAX_DOCUMENTS = 64  # served specification documents kept (per path, scheme, Host)


class DocsOnlySwaggerUIMiddleware(SpecMiddleware):
    """Connexion's ``SwaggerUIMiddleware``, consulted for documentation paths only.

    Connexion deep-copies and re-renders the whole specification on every
    ``GET …/openapi.json`` (~0.3 s of CPU for Glue's, on the event loop): one client polling it
    would slow everyone. The rendered document depends only on the path and the URL the request
    reached (its ``servers`` entry), so the first answer is kept and replayed, bounded in count.
    """

    def __init__(self, app: ASGIApp, max_documents: int = MAX_DOCUMENTS) -> None:
        self.app = app
        self.swagger_ui = SwaggerUIMiddleware(app)
        self.max_documents = max_documents
        self.documents: OrderedDict[tuple[Any, ...], tuple[list[Any], bytes]] = OrderedDict()

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        self.swagger_ui.add_api(*args, **kwargs)
        self.documents.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_docs_path(scope["path"]):
            await self.app(scope, receive, send)
        elif scope["method"] == "GET" and scope["path"].endswith(_DOC_SUFFIXES):
            await self._document(scope, receive, send)
        else:
            await self.swagger_ui(scope, receive, send)

    async def _document(self, scope: Scope, receive: Receive, send: Send) -> None:
        host = next((v for k, v in scope["headers"] if k == b"host"), b"")
        key = (scope["path"], scope.get("scheme"), scope.get("root_path", ""), host)
        kept = self.documents.get(key)
        if kept is not None:
            self.documents.move_to_end(key)
            headers, body = kept
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.documents[key] = (list(start.get("headers", [])), b"".join(chunks))
                    while len(self.documents) > self.max_documents:
                        self.documents.popitem(last=False)
            await send(message)

        await self.swagger_ui(scope, receive, record)
