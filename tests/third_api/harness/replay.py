"""How a replay resolves ``{{third.token}}`` and ``{{third.returnId}}`` on a target."""

from __future__ import annotations

import httpx

from conformance.profile import Credentials, PlaceholderResolver, Unresolvable


class ThirdResolver(PlaceholderResolver):
    def __init__(self, http: httpx.Client, base_url: str, credentials: Credentials) -> None:
        self.http = http
        self.base_url = base_url
        self.credentials = credentials

    def lookup(self, name: str) -> dict[str, str]:
        token = self.credentials.token
        if not token:
            raise Unresolvable("needs --token TOKEN")
        if name == "third.token":
            return {name: token}
        if name == "third.returnId":
            response = self.http.get(
                f"{self.base_url}/returns?limit=1",
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            try:
                entries = response.json().get("data") if response.status_code == 200 else None
            except (ValueError, AttributeError):
                entries = None
            if not entries:
                raise Unresolvable(
                    f"no return found (GET /returns answered {response.status_code})"
                )
            return {name: str(entries[0]["id"])}
        raise Unresolvable(f"no lookup for {{{{{name}}}}}")
