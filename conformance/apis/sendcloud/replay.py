"""How a replay resolves the ``{{sendcloud.*}}`` placeholders: from --basic and GET /returns."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from ...profile import Credentials, PlaceholderResolver, Unresolvable


class SendcloudResolver(PlaceholderResolver):
    """Values of the Sendcloud placeholders on one target."""

    def __init__(
        self, http: httpx.Client, base_url: str, credentials: Credentials, value: Any
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.credentials = credentials
        self.value = value

    def _get(self, path: str) -> tuple[int, Any]:
        headers = {
            "Authorization": f"Basic {self.value('sendcloud.basic')}",
            "Accept": "application/json",
        }
        response = self.http.get(self.base_url + path, headers=headers)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def lookup(self, name: str) -> dict[str, str]:
        c = self.credentials
        if name in ("sendcloud.basic", "sendcloud.basicWrongSecret"):
            if c.basic is None:
                raise Unresolvable("needs --basic KEY:SECRET")
            key, secret = c.basic
            wrong = secret + "-wrong"
            return {
                "sendcloud.basic": base64.b64encode(f"{key}:{secret}".encode()).decode(),
                "sendcloud.basicWrongSecret": base64.b64encode(f"{key}:{wrong}".encode()).decode(),
            }
        if name == "sendcloud.returnId":
            status, document = self._get("/returns")
            entries = (document or {}).get("returns") if isinstance(document, dict) else None
            if status != 200 or not entries:
                raise Unresolvable(f"no return found (GET /returns answered {status})")
            return {name: str(entries[0].get("id"))}
        if name == "sendcloud.cursor":
            status, document = self._get("/returns")
            next_link = document.get("next") if isinstance(document, dict) else None
            cursor = parse_qs(urlsplit(next_link).query).get("cursor") if next_link else None
            if status != 200 or not cursor:
                raise Unresolvable("the list has a single page: no `next` cursor")
            return {name: cursor[0]}
        raise Unresolvable(f"no lookup for {{{{{name}}}}}")
