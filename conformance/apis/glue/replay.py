"""How a replay resolves the ``{{glue.*}}`` placeholders: by logging in and reading the API."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from ...profile import Credentials, PlaceholderResolver, Unresolvable, UsageError
from .media import JSONAPI

DEFAULT_STORE = "DE"


class GlueResolver(PlaceholderResolver):
    """Values of the Glue placeholders on one target, read through the API itself."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        credentials: Credentials,
        value: Any,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.credentials = credentials
        self.value = value  # the replay's resolver of any placeholder (cached)

    def _request(self, method: str, path: str, *, token: bool = True, json_body: Any = None) -> Any:
        headers = {"Accept": JSONAPI}
        if token:
            headers["Authorization"] = f"Bearer {self.value('glue.token')}"
        content = None
        if json_body is not None:
            headers["Content-Type"] = JSONAPI
            content = json.dumps(json_body).encode()
        response = self.http.request(method, self.base_url + path, headers=headers, content=content)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def _login(self) -> dict[str, Any]:
        c = self.credentials
        if not (c.username and c.password):
            raise Unresolvable("needs --username and --password")
        body = {
            "data": {
                "type": "access-tokens",
                "attributes": {"username": c.username, "password": c.password},
            }
        }
        status, document = self._request("POST", "/access-tokens", token=False, json_body=body)
        try:
            attributes = document["data"]["attributes"]
            if status != 201:
                raise KeyError
            return dict(attributes)
        except (KeyError, TypeError):
            raise UsageError(
                f"login as {c.username} through POST /access-tokens failed: {status}"
            ) from None

    def _items(self) -> list[tuple[str, str | None, bool]]:
        """(uuid, merchant, isReturnable) of every item of every order of the customer."""
        status, document = self._request("GET", "/orders")
        if status != 200 or not isinstance(document, dict):
            raise Unresolvable(f"GET /orders answered {status}")
        items = []
        for order in document.get("data") or []:
            reference = quote(str(order.get("id")), safe="")
            status, detail = self._request("GET", f"/orders/{reference}")
            if status != 200 or not isinstance(detail, dict):
                continue
            for item in (detail.get("data") or {}).get("attributes", {}).get("items") or []:
                items.append(
                    (
                        str(item.get("uuid")),
                        item.get("merchantReference"),
                        bool(item.get("isReturnable")),
                    )
                )
        return items

    def _first_id(self, path: str, what: str) -> str:
        status, document = self._request("GET", path)
        entries = (document or {}).get("data") if isinstance(document, dict) else None
        if status != 200 or not entries:
            raise Unresolvable(f"no {what} found (GET {path} answered {status})")
        return str(entries[0].get("id"))

    def related(self, names: list[str]) -> list[str]:
        # two merchants' items are looked up together, so they come from one listing
        return ["glue.otherMerchantItemUuid"] if "glue.otherMerchantItemUuid" in names else []

    def lookup(self, name: str) -> dict[str, str]:
        c = self.credentials
        if name == "glue.token":
            if c.token:
                return {name: c.token}
            return {name: str(self._login()["accessToken"])}
        if name in ("glue.username", "glue.password"):
            if not (c.username and c.password):
                raise Unresolvable("needs --username and --password")
            return {"glue.username": c.username, "glue.password": c.password}
        if name == "glue.refreshToken":
            return {name: str(self._login()["refreshToken"])}
        if name == "glue.store":
            return {name: c.store or DEFAULT_STORE}
        if name == "glue.orderReference":
            return {name: self._first_id("/orders", "order")}
        if name == "glue.returnReference":
            return {name: self._first_id("/returns", "return")}
        if name in ("glue.returnableItemUuid", "glue.otherMerchantItemUuid"):
            returnable = [(uuid, merchant) for uuid, merchant, ok in self._items() if ok]
            if not returnable:
                raise Unresolvable("the customer has no returnable item left")
            first = returnable[0]
            if name == "glue.returnableItemUuid":
                return {name: first[0]}
            other = next((i for i in returnable if i[1] != first[1]), None)
            if other is None:
                raise Unresolvable("no returnable items of two merchants")
            return {"glue.returnableItemUuid": first[0], name: other[0]}
        if name == "glue.nonReturnableItemUuid":
            found = next((uuid for uuid, _, ok in self._items() if not ok), None)
            if found is None:
                raise Unresolvable("the customer has no item that is not returnable")
            return {name: found}
        raise Unresolvable(f"no lookup for {{{{{name}}}}}")
