"""Helpers shared by the ``test_mock_*`` modules (this module holds no tests).

Error-envelope assertions, Glue sessions and order discovery over real HTTP, and JSON Schema
2020-12 validators for the response schemas of both contracts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from conftest import LiveMock, access_token_body, start_mock, stop_mock
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

JSONAPI = "application/vnd.api+json"
GLUE_JSON = {"Accept": JSONAPI, "Content-Type": JSONAPI}
SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"
SPEC_FILES = {
    "glue": SPEC_DIR / "glue-returns.openapi.yaml",
    "sendcloud": SPEC_DIR / "sendcloud-returns-v2.openapi.yaml",
}


# ----------------------------------------------------------------------------- processes


@contextmanager
def mock_in_background(tmp_dir: Path, *args: str) -> Iterator[Future[LiveMock]]:
    """Start an extra mock in a thread (its start-up overlaps other tests); stop it on exit."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(start_mock, tmp_dir, *args)
    try:
        yield future
    finally:
        pool.shutdown(wait=True)
        if future.exception() is None:
            stop_mock(future.result())


# ----------------------------------------------------------------------------- envelopes


def assert_no_leak(response: httpx.Response) -> None:
    """Never Connexion's problem+json, never a traceback in the body."""
    assert "problem" not in response.headers.get("content-type", ""), response.headers
    assert "Traceback" not in response.text, response.text


def assert_glue_error(
    response: httpx.Response, status: int, detail: str, code: str | None = None
) -> None:
    """Exactly Glue's JSON:API error document: ``{"errors":[{"status","code"?,"detail"}]}``."""
    assert_no_leak(response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == JSONAPI, response.headers
    entry: dict[str, Any] = {"status": status}
    if code is not None:
        entry["code"] = code
    entry["detail"] = detail
    assert response.json() == {"errors": [entry]}


def assert_sendcloud_error(
    response: httpx.Response, status: int, request: str, message: str
) -> None:
    """Exactly Sendcloud's error envelope: ``{"error":{"code","request","message"}}``."""
    assert_no_leak(response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/json", response.headers
    assert response.json() == {"error": {"code": status, "request": request, "message": message}}


# ----------------------------------------------------------------------------- Glue over HTTP


def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """POST /glue/access-tokens (the response, whatever it is); the body is ASCII-escaped JSON."""
    body = access_token_body((username, password))
    return client.post("/glue/access-tokens", headers=GLUE_JSON, content=json.dumps(body))


def glue_session(base_url: str, credentials: tuple[str, str], **kwargs: Any) -> httpx.Client:
    """An httpx client logged in as ``credentials`` (bearer token and JSON:API headers set)."""
    client = httpx.Client(base_url=base_url, timeout=30, **kwargs)
    response = login(client, *credentials)
    assert response.status_code == 201, response.text
    token = response.json()["data"]["attributes"]["accessToken"]
    client.headers.update({**GLUE_JSON, "Authorization": f"Bearer {token}"})
    return client


def return_body(*uuids: str, store: str = "DE", reason: str | None = "Damaged") -> dict:
    """A createReturn document for ``uuids``."""
    items = [
        {"salesOrderItemUuid": u} | ({"reason": reason} if reason is not None else {})
        for u in uuids
    ]
    return {"data": {"type": "returns", "attributes": {"store": store, "returnItems": items}}}


def orders_with_items(client: httpx.Client) -> list[dict]:
    """Every order of the session's customer, with items (GET /orders + GET /orders/{ref})."""
    listing = client.get("/glue/orders")
    assert listing.status_code == 200, listing.text
    details = []
    for summary in listing.json()["data"]:
        detail = client.get(f"/glue/orders/{summary['id']}")
        assert detail.status_code == 200, detail.text
        details.append(detail.json()["data"])
    return details


def two_merchant_order(client: httpx.Client) -> tuple[str, dict, dict]:
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


def returnable_items(client: httpx.Client) -> list[dict]:
    """All currently returnable items of the session's customer (order reference added)."""
    return [
        item | {"orderReference": order["id"]}
        for order in orders_with_items(client)
        for item in order["attributes"]["items"]
        if item["isReturnable"]
    ]


# ----------------------------------------------------------------------------- contracts


@cache
def load_spec(api: str) -> dict:
    """The parsed contract of ``api`` (``glue`` or ``sendcloud``); do not mutate."""
    return yaml.safe_load(SPEC_FILES[api].read_text(encoding="utf-8"))


def _deref(spec: dict, node: Any) -> Any:
    """Follow document-local ``$ref``s."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def response_validator(api: str, operation_id: str, status: int) -> Draft202012Validator:
    """Draft 2020-12 validator (formats checked) of an operation's documented response body."""
    spec = load_spec(api)
    operation = next(
        op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == operation_id
    )
    response = _deref(spec, operation["responses"][str(status)])
    schema = next(iter(response["content"].values()))["schema"]
    uri = f"urn:mock-tests:{api}"
    registry = Registry().with_resource(uri, Resource.from_contents(spec, DRAFT202012))
    return Draft202012Validator(
        _rebase(schema, uri),
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _rebase(node: Any, uri: str) -> Any:
    """Point document-local ``$ref``s at the registered contract."""
    if isinstance(node, dict):
        return {
            key: f"{uri}{value}"
            if key == "$ref" and isinstance(value, str) and value.startswith("#")
            else _rebase(value, uri)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v, uri) for v in node]
    return node
