"""The handler app: the arguments a handler gets come from the contract, never from the caller."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from support import GLUE_HEADERS, glue_login

from mock_server.app import create_app
from mock_server.config import Settings


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(Settings(validate_responses=True, response_cache=False)))


def test_undeclared_query_names_do_not_reach_the_handler(client: TestClient) -> None:
    """``self``, ``body`` or ``orderReference`` in the query are not handler arguments."""
    headers = {**GLUE_HEADERS, "Authorization": f"Bearer {glue_login(client)}"}
    ref = client.get("/glue/orders", headers=headers).json()["data"][0]["id"]
    plain = client.get(f"/glue/orders/{ref}", headers=headers)
    tricky = client.get(
        f"/glue/orders/{ref}?self=1&body=2&orderReference=DE--999&include=x", headers=headers
    )
    assert plain.status_code == tricky.status_code == 200
    # Glue's self link carries the request's query (issue 10 pt 7); the rest is the same.
    tricky_data, plain_data = tricky.json()["data"], plain.json()["data"]
    query = "self=1&body=2&orderReference=DE--999&include=x"
    assert tricky_data.pop("links") == {"self": f"{plain_data.pop('links')['self']}?{query}"}
    assert tricky_data == plain_data


def test_path_parameters_are_converted_as_connexion_does(client: TestClient) -> None:
    basic = client.get("/__admin/accounts").json()["sendcloud"]["basic"][0]
    auth = (basic["publicKey"], basic["secretKey"])
    first = client.get("/sendcloud/api/v2/returns", auth=auth).json()["returns"][0]
    found = client.get(f"/sendcloud/api/v2/returns/{first['id']}?id=abc", auth=auth)
    assert found.status_code == 200 and found.json()["id"] == first["id"]


def test_repeated_page_parameters_use_the_last_value(client: TestClient) -> None:
    """As Starlette's QueryParams (which the validator reads): the last value counts."""
    headers = {**GLUE_HEADERS, "Authorization": f"Bearer {glue_login(client)}"}
    page = client.get(
        "/glue/orders?page[offset]=5&page[offset]=0&page[limit]=1", headers=headers
    ).json()
    first = client.get("/glue/orders?page[offset]=0&page[limit]=1", headers=headers).json()
    assert page["data"] == first["data"] and len(page["data"]) == 1
    refused = client.get(
        "/glue/orders?page[offset]=0&page[offset]=-1&page[limit]=1", headers=headers
    )
    assert refused.status_code == 400


def test_bodies_are_serialized_as_connexion_does(client: TestClient) -> None:
    """Connexion's Jsonifier (json.dumps, then a newline), as AsyncApp answered."""
    response = client.get("/glue/return-reasons", headers=GLUE_HEADERS)
    assert response.content.endswith(b"}\n")
    assert int(response.headers["content-length"]) == len(response.content)
