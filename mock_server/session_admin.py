"""Admin endpoints of sessions and their journals (mounted by :mod:`mock_server.admin`).

Every admin path also works under ``/sessions/{name}/__admin/…`` (or with ``Mock-Session``) and
then concerns that session only; ``GET /__admin/sessions`` lists them all.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .api import ApiService
from .journal import parse_since, valid_status_filter
from .runtime import MountedApi, Runtime
from .sessions import Session, describe_all, service_for, session_of


def services(runtime: Runtime, request: Request) -> list[tuple[MountedApi, ApiService]]:
    """Each mounted API with its service in the request's session."""
    return [(m, service_for(request.scope, m)) for m in runtime.apis.values()]


def session_routes(runtime: Runtime) -> list[Route]:
    def current(request: Request) -> Session:
        return session_of(request.scope) or runtime.sessions.default

    async def list_sessions(request: Request) -> JSONResponse:
        store = runtime.sessions
        return JSONResponse(
            {
                "maxSessions": getattr(store, "max_sessions", None),
                "ttlSeconds": getattr(store, "ttl", None),
                "evicted": getattr(store, "evicted", None),
                "sessions": describe_all(store.list()),
            }
        )

    async def list_requests(request: Request) -> JSONResponse:
        params = request.query_params
        status = params.get("status") or None
        if status is not None and not valid_status_filter(status):
            return _bad_request("status must be a status such as 201 or a class such as 4xx")
        since = None
        if params.get("since"):
            try:
                since = parse_since(params["since"])
            except ValueError:
                return _bad_request("since must be Unix seconds or an ISO-8601 time")
        session = current(request)
        entries = session.journal.query(
            params.get("method") or None, params.get("path") or None, status, since
        )
        return JSONResponse({"session": session.name, "requests": entries})

    async def clear_requests(request: Request) -> JSONResponse:
        session = current(request)
        return JSONResponse({"session": session.name, "cleared": session.journal.clear()})

    return [
        Route("/__admin/sessions", list_sessions),
        Route("/__admin/requests", list_requests, methods=["GET"]),
        Route("/__admin/requests", clear_requests, methods=["DELETE"]),
    ]


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": 400, "message": message}}, status_code=400)
