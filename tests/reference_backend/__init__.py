"""An independent reference backend for both APIs, written from the documentation
(``domain-facts.md``, the seeds), not from our mock: the harness must pass it with no violation.

``create_app()`` serves Glue under ``/glue`` and Sendcloud under ``/sendcloud/api/v2``;
``python -m tests.reference_backend --port N`` runs it on 127.0.0.1. Credentials: README.md.
"""

from __future__ import annotations

from typing import Any

from .glue import GlueBackend
from .glue_data import CUSTOMERS, STORE
from .http import json_response
from .sendcloud import OAUTH_TOKEN, PUBLIC_KEY, SECRET_KEY, SendcloudBackend
from .tokens import ACCESS_TTL

GLUE_PREFIX = "/glue"
SENDCLOUD_PREFIX = "/sendcloud/api/v2"
GLUE_CUSTOMER = (CUSTOMERS[0][0].email, CUSTOMERS[0][0].password)
GLUE_OTHER_CUSTOMER = (CUSTOMERS[1][0].email, CUSTOMERS[1][0].password)
GLUE_STORE = STORE
SENDCLOUD_BASIC = (PUBLIC_KEY, SECRET_KEY)
SENDCLOUD_OAUTH_TOKEN = OAUTH_TOKEN

__all__ = [
    "GLUE_CUSTOMER",
    "GLUE_OTHER_CUSTOMER",
    "GLUE_STORE",
    "SENDCLOUD_BASIC",
    "SENDCLOUD_OAUTH_TOKEN",
    "ReferenceBackend",
    "create_app",
]


class ReferenceBackend:
    """Both APIs behind one ASGI callable, routed by path prefix; fresh data per instance."""

    def __init__(self, access_ttl: int = ACCESS_TTL) -> None:
        self.glue = GlueBackend(GLUE_PREFIX, access_ttl)
        self.sendcloud = SendcloudBackend(SENDCLOUD_PREFIX)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        path: str = scope["path"]
        for prefix, api in ((GLUE_PREFIX, self.glue), (SENDCLOUD_PREFIX, self.sendcloud)):
            if path == prefix or path.startswith(prefix + "/"):
                await api(scope, receive, send)
                return
        response = json_response({"detail": "Not Found"}, 404, "application/json")
        await response(scope, receive, send)


def create_app(access_ttl: int = ACCESS_TTL) -> ReferenceBackend:
    """A new backend with its initial data (each call is independent of the others)."""
    return ReferenceBackend(access_ttl)
