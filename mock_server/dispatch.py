"""The app at the bottom of Connexion's middleware stack: calls the per-API handler.

Connexion documents its middleware as usable around any ASGI app. ``AsyncApp`` puts its own
app there, which routes the request a second time and, on every call, rebuilds the handler's
decorator chain (``AsyncOperation.fn``: ``inspect.signature``, four ``functools.wraps``, a URI
parser) — about half the CPU of a read the response cache does not replay. This app takes the
operation Connexion's routing middleware already resolved and calls the service's handler
directly, with the arguments Connexion's parameter decorator would give ours:

* path parameters as routed (integers converted by Connexion's convertor);
* the operation's declared query parameters, named as Connexion names them
  (``page[offset]`` → ``page_offset``), last value winning, like Starlette's ``QueryParams``;
* ``body``: the JSON request body (already validated by then), or None when empty;

and, first, a :class:`~mock_server.request_context.RequestContext` (principal, headers, base
URL, query pairs, path parameters), so handlers read no context variables of Connexion's.

Handlers return ``(document, status, headers)``; the document is serialized with Connexion's
``Jsonifier``, as ``AsyncApp`` does, so the bytes are the ones ``AsyncApp`` sent.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from ._compat.connexion import dumps_json
from ._compat.starlette import path_params
from .errors import ApiError
from .request_context import RequestContext
from .runtime import Runtime
from .sessions import service_for


class HandlerApp:
    """ASGI app: the routed operation's handler, its arguments, its serialized answer."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        routed = self.runtime.routed(scope)
        if routed is None:
            raise HTTPException(404)  # no documented path matched (a wrong method is a 405)
        mounted, operation = routed
        handler = service_for(scope, mounted).handlers[operation.operation_id]
        params = path_params(scope)
        context = RequestContext.from_scope(scope, mounted.definition.base_path, params)
        arguments: dict[str, Any] = {}
        if operation.query_names:
            for name, value in context.query:
                if name in operation.query_names:
                    arguments[operation.query_names[name]] = value
        arguments.update(params)
        if operation.spec.get("requestBody"):
            arguments["body"] = await _json_body(receive)
        document, status, headers = await handler(context, **arguments)
        raw = b"" if document is None else dumps_json(document).encode()
        response_headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]
        if not any(k == b"content-type" for k, _ in response_headers) and document is not None:
            response_headers.append((b"content-type", b"application/json"))
        response_headers.append((b"content-length", str(len(raw)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": raw})


async def _lifespan(receive: Receive, send: Send) -> None:
    """Nothing to start or stop: acknowledge both, as Starlette's router does."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _json_body(receive: Receive) -> Any:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    raw = b"".join(chunks)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:  # the body validator refuses these first; kept for safety
        raise ApiError(400, "Malformed request body.") from exc
