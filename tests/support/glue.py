"""Glue over HTTP: logins, sessions, return documents and order discovery."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .constants import GLUE_HEADERS, SONIA


def access_token_body(credentials: tuple[str, str] = SONIA) -> dict[str, Any]:
    """The JSON:API document of a Glue login (POST /access-tokens) for ``credentials``."""
    username, password = credentials
    return {
        "data": {
            "type": "access-tokens",
            "attributes": {"username": username, "password": password},
        }
    }


def glue_login(
    client: httpx.Client, credentials: tuple[str, str] = SONIA, base: str = "/glue"
) -> str:
    """Log in through POST /access-tokens and return the bearer token."""
    response = client.post(
        f"{base}/access-tokens", headers=GLUE_HEADERS, json=access_token_body(credentials)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["attributes"]["accessToken"])


def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """POST /glue/access-tokens (the response, whatever it is); the body is ASCII-escaped JSON."""
    body = access_token_body((username, password))
    return client.post("/glue/access-tokens", headers=GLUE_HEADERS, content=json.dumps(body))


def glue_session(base_url: str, credentials: tuple[str, str], **kwargs: Any) -> httpx.Client:
    """An httpx client logged in as ``credentials`` (bearer token and JSON:API headers set)."""
    client = httpx.Client(base_url=base_url, timeout=30, **kwargs)
    response = login(client, *credentials)
    assert response.status_code == 201, response.text
    token = response.json()["data"]["attributes"]["accessToken"]
    client.headers.update({**GLUE_HEADERS, "Authorization": f"Bearer {token}"})
    return client


def return_body(*uuids: str, store: str = "DE", reason: str | None = "Damaged") -> dict[str, Any]:
    """A createReturn document for ``uuids``."""
    items = [
        {"salesOrderItemUuid": u} | ({"reason": reason} if reason is not None else {})
        for u in uuids
    ]
    return {"data": {"type": "returns", "attributes": {"store": store, "returnItems": items}}}


def orders_with_items(client: httpx.Client) -> list[dict[str, Any]]:
    """Every order of the session's customer, with items (GET /orders + GET /orders/{ref})."""
    listing = client.get("/glue/orders")
    assert listing.status_code == 200, listing.text
    details = []
    for summary in listing.json()["data"]:
        detail = client.get(f"/glue/orders/{summary['id']}")
        assert detail.status_code == 200, detail.text
        details.append(detail.json()["data"])
    return details


def two_merchant_order(client: httpx.Client) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The order with two returnable items of two merchants: ``(reference, item_a, item_b)``."""
    for order in orders_with_items(client):
        items = order["attributes"]["items"]
        if (
            len(items) == 2
            and all(i["isReturnable"] for i in items)
            and items[0]["merchantReference"] != items[1]["merchantReference"]
        ):
            return order["id"], items[0], items[1]
    raise AssertionError("no order with two returnable items of two merchants")


def returnable_items(client: httpx.Client) -> list[dict[str, Any]]:
    """All currently returnable items of the session's customer (order reference added)."""
    return [
        item | {"orderReference": order["id"]}
        for order in orders_with_items(client)
        for item in order["attributes"]["items"]
        if item["isReturnable"]
    ]
