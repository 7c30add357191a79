"""Admin endpoints under ``/__admin``: reset, seeded accounts, state counts.

Who may call them is decided by :mod:`mock_server.admin_guard` (no CORS, no cross-origin
callers, loopback ``Host`` only, optional bearer token).
"""

from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .runtime import Runtime
from .session_admin import services, session_routes

_SEED = re.compile(r"[0-9]{1,18}")  # ASCII digits only ('²' passes str.isdigit())


def admin_app(runtime: Runtime) -> Starlette:
    """A small Starlette app; :class:`~mock_server.admin_guard.AdminGuard` stands in front."""

    async def index(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "endpoints": {
                    "POST /__admin/reset[?seed=N]": "back to the seeded world",
                    "GET /__admin/accounts": "seeded credentials per API",
                    "GET /__admin/state": "what each API holds and what was created",
                    "GET /__admin/requests[?method=&path=&status=&since=]": "the journal",
                    "DELETE /__admin/requests": "clear the journal",
                    "GET /__admin/sessions": "live sessions: age, last use, size",
                    "/sessions/{name}/__admin/...": "any of these for one session",
                },
                "apis": {m.definition.name: m.definition.base_path for m in runtime.apis.values()},
            }
        )

    async def reset(request: Request) -> JSONResponse:
        raw = request.query_params.get("seed")
        if raw is not None and not _SEED.fullmatch(raw):
            return JSONResponse(
                {"error": {"status": 400, "message": "seed must be a non-negative integer"}},
                status_code=400,
            )
        seed = int(raw) if raw is not None else None
        for _, service in services(runtime, request):  # sessions seam
            service.reset(seed)
        return JSONResponse({"reset": True, "state": _state(runtime, request)})

    async def accounts(request: Request) -> JSONResponse:
        return JSONResponse(
            {m.definition.name: s.accounts() for m, s in services(runtime, request)}
        )

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(_state(runtime, request))

    return Starlette(
        routes=[
            Route("/__admin", index),
            Route("/__admin/reset", reset, methods=["POST"]),
            Route("/__admin/accounts", accounts),
            Route("/__admin/state", state),
            *session_routes(runtime),  # sessions seam
        ]
    )


def _state(runtime: Runtime, request: Request) -> dict:
    state = {m.definition.name: s.counts() for m, s in services(runtime, request)}
    if runtime.response_cache is not None:
        state["responseCache"] = runtime.response_cache.stats()
    if runtime.routing is not None:
        state["routing"] = runtime.routing.stats()
    return state
