"""Who may drive ``/__admin``: scripts and tools, not web pages (nor, optionally, strangers).

A web page the developer visits can send a CORS "simple" request (a bodiless ``POST``) to the
mock, or rebind its own name to 127.0.0.1 (DNS rebinding) and then read the answers. So
``/__admin`` gets no CORS headers and refuses, in this order:

* a ``Host`` that is not a loopback name or address, when the mock is bound to loopback
  (``Settings.loopback_hosts_only``): a rebinding page's requests carry its own name;
* an ``Origin`` other than the mock's own, or ``Sec-Fetch-Site: cross-site``: browsers send
  these on cross-site requests; curl, scripts and test clients send neither;
* without ``Authorization: Bearer <token>`` when ``--admin-token`` is set (401).

API paths are not Host-checked: their CORS is open to any origin by default (browser apps
under development call them), their credentials are the seeded ones, so a rebinding page
gains nothing there that a cross-origin page does not already have, and they keep answering
clients that reach the mock under another name (a reverse proxy, a ``/etc/hosts`` alias).
"""

from __future__ import annotations

import ipaddress
import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .api import same_secret
from .config import Settings

REALM = 'Bearer realm="mock-server admin"'


def is_loopback_name(host: str) -> bool:
    """``localhost``, ``*.localhost`` (RFC 6761), 127.0.0.0/8 or ::1 — a port is ignored."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8080
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:  # name:port or v4:port
        host = host.split(":", 1)[0]
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def own_origin(scope: Scope, headers: Headers) -> str | None:
    host = headers.get("host")
    return f"{scope.get('scheme', 'http')}://{host}".lower() if host else None


class AdminGuard:
    """ASGI wrapper of the admin app enforcing the rules above."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope, Headers(scope=scope))
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, message = refusal
        body = json.dumps({"error": {"status": status, "message": message}}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if status == 401:
            headers.append((b"www-authenticate", REALM.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        """(status, message) for a request the admin API must not serve, else None."""
        host = headers.get("host")
        if self.settings.loopback_hosts_only and host is not None and not is_loopback_name(host):
            return 403, (
                "Host is not a loopback name or address; the admin API answers only "
                "localhost / 127.0.0.1 / [::1] (DNS rebinding protection)."
            )
        origin = headers.get("origin")
        if origin is not None and origin.lower() != own_origin(scope, headers):
            return 403, "Cross-origin requests to the admin API are refused (no CORS here)."
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return 403, "Cross-site requests to the admin API are refused."
        token = self.settings.admin_token
        if token is not None:
            kind, _, given = headers.get("authorization", "").partition(" ")
            if kind.lower() != "bearer" or not same_secret(given.strip(), token):
                return 401, "The admin API requires Authorization: Bearer <--admin-token>."
        return None
