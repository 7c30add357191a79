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
        for mounted in runtime.apis.values():
            mounted.service.reset(seed)
        return JSONResponse({"reset": True, "state": _state(runtime)})

    async def accounts(request: Request) -> JSONResponse:
        return JSONResponse(
            {m.definition.name: m.service.accounts() for m in runtime.apis.values()}
        )

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(_state(runtime))

    return Starlette(
        routes=[
            Route("/__admin", index),
            Route("/__admin/reset", reset, methods=["POST"]),
            Route("/__admin/accounts", accounts),
            Route("/__admin/state", state),
        ]
    )


def _state(runtime: Runtime) -> dict:
    state = {m.definition.name: m.service.counts() for m in runtime.apis.values()}
    if runtime.response_cache is not None:
        state["responseCache"] = runtime.response_cache.stats()
    if runtime.routing is not None:
        state["routing"] = runtime.routing.stats()
    return state
