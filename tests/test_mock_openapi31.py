"""OpenAPI 3.1 in Connexion through ``mock_server.openapi31``: loader and 2020-12 validation."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import connexion
import httpx
import pytest
from connexion.exceptions import InvalidSpecification
from connexion.resolver import Resolver
from connexion.spec import OpenAPISpecification
from support.contracts import SPECS, load_spec

from api_contracts import parse_document
from mock_server import openapi31

TINY = parse_document(
    """
openapi: 3.1.0
info: {title: tiny 3.1 API, version: '1'}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [data]
              properties:
                data:
                  type: object
                  required: [type, note]
                  properties:
                    type: {const: returns}              # 3.1 / 2020-12 only
                    note: {type: [string, 'null']}      # type array instead of nullable
                    count: {type: integer, exclusiveMinimum: 0}   # numeric, not boolean
      responses:
        '201':
          description: created; echoes the note as `id`
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: [integer, 'null']}
"""
)


async def create_thing(body: dict) -> tuple[dict, int]:
    """Echo ``note`` as ``id``: a string note makes a response the contract rejects."""
    return {"id": body["data"]["note"]}, 201


def post(data: dict[str, Any]) -> httpx.Response:
    """POST ``{"data": data}`` to a fresh AsyncApp serving the tiny 3.1 document."""
    app = connexion.AsyncApp(__name__)
    openapi31.add_api(
        app,
        copy.deepcopy(TINY),
        base_path="/tiny",
        name="tiny",
        resolver=Resolver(function_resolver={"createThing": create_thing}.__getitem__),
        validate_responses=True,
    )

    async def run() -> httpx.Response:
        """The request, over ASGI."""
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tiny.test") as client:
            return await client.post("/tiny/things", json={"data": data})

    return asyncio.run(run())


def test_const_is_enforced() -> None:
    assert post({"type": "returns", "note": None}).status_code == 201
    refused = post({"type": "x", "note": None})
    assert refused.status_code == 400
    assert "'returns' was expected" in refused.json()["detail"]


@pytest.mark.parametrize(("note", "status"), [(None, 201), ("text", 500), (5, 400), ([], 400)])
def test_type_arrays_on_requests_and_responses(note: object, status: int) -> None:
    """``[string, "null"]`` accepts null and strings; the echoed string breaks the response."""
    response = post({"type": "returns", "note": note})
    assert response.status_code == status, response.text
    if status == 201:
        assert response.json() == {"id": None}
    if status == 500:
        assert "is not of type 'integer', 'null'" in response.json()["detail"]


@pytest.mark.parametrize(("count", "status"), [(0, 400), (-1, 400), (1, 201)])
def test_numeric_exclusive_minimum(count: int, status: int) -> None:
    assert post({"type": "returns", "note": None, "count": count}).status_code == status


def test_loader_accepts_31_which_stock_connexion_refuses() -> None:
    specification = openapi31.OpenAPI31Specification(copy.deepcopy(TINY))
    assert specification.raw["openapi"] == "3.1.0"
    assert "/things" in specification.raw["paths"]
    with pytest.raises(InvalidSpecification, match=r"'3\.1\.0' does not match"):
        OpenAPISpecification(copy.deepcopy(TINY))


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda s: s.pop("info"), "'info' is a required property"),
        (
            lambda s: s["paths"]["/things"]["post"].__setitem__("responses", "nope"),
            "is not of type 'object'",
        ),
        (
            lambda s: s["paths"]["/things"]["post"]["responses"]["201"]["content"][
                "application/json"
            ]["schema"].__setitem__("type", "strin"),
            "is not valid under any of the given schemas",
        ),
    ],
    ids=["no-info", "responses-not-object", "unknown-type"],
)
def test_loader_rejects_an_invalid_document(mutate: Any, reason: str) -> None:
    document = copy.deepcopy(TINY)
    mutate(document)
    with pytest.raises(InvalidSpecification) as raised:
        openapi31.add_api(connexion.AsyncApp(__name__), document, base_path="/x", name="x")
    assert str(raised.value).startswith("invalid OpenAPI document")
    assert reason.replace("'", '"') in str(raised.value) or reason in str(raised.value)


@pytest.mark.parametrize("api", sorted(SPECS))
def test_the_project_contracts_load_as_31(api: str) -> None:
    spec = copy.deepcopy(load_spec(api))
    assert spec["openapi"].startswith("3.1")
    openapi31.OpenAPI31Specification(spec)
