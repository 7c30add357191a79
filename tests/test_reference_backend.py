"""Issue 11 pt 1: the independent reference backend keeps every documented rule of both APIs,
and its responses match the contracts except where the contract is known to be wrong.

Fast: httpx against the ASGI app in-process; one test starts ``python -m tests.reference_backend``.
The harness run against it is in ``test_reference_backend_conformance.py``.
"""

from __future__ import annotations

import ast
import base64
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.testclient import TestClient
from support.contracts import load_spec

from tests.reference_backend import (
    GLUE_CUSTOMER,
    GLUE_OTHER_CUSTOMER,
    SENDCLOUD_BASIC,
    SENDCLOUD_OAUTH_TOKEN,
    create_app,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tests" / "reference_backend"
JSONAPI = "application/vnd.api+json"
HEADERS = {"Accept": JSONAPI, "Content-Type": JSONAPI}
GLUE = "/glue"
SC = "/sendcloud/api/v2"


# ----------------------------------------------------------------------------- helpers


@cache
def _validator(api: str, pointer: str) -> Draft202012Validator:
    spec = load_spec(api)  # the repository's contract, through api_contracts
    registry = Registry().with_resource(
        "urn:contract", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:contract#/components/schemas/{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(api: str, schema: str, body: Any) -> None:
    """``body`` matches the contract's schema (formats checked)."""
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _validator(api, schema).iter_errors(body)
    ]
    assert not errors, errors


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with TestClient(create_app(), base_url="http://backend.test") as sync:
        yield sync


def login(client: httpx.Client, who: tuple[str, str] = GLUE_CUSTOMER) -> dict[str, Any]:
    body = {
        "data": {"type": "access-tokens", "attributes": {"username": who[0], "password": who[1]}}
    }
    response = client.post(f"{GLUE}/access-tokens", headers=HEADERS, json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]["attributes"]


def bearer(client: httpx.Client, who: tuple[str, str] = GLUE_CUSTOMER) -> dict[str, str]:
    return {**HEADERS, "Authorization": f"Bearer {login(client, who)['accessToken']}"}


def error(response: httpx.Response) -> tuple[int, str | None, str]:
    """(status, code, detail) of a one-error Glue response, checking the envelope on the way."""
    assert response.headers["content-type"] == JSONAPI
    assert_valid("glue", "ErrorDocument", response.json())
    errors = response.json()["errors"]
    if "code" not in errors[0]:
        assert_valid("glue", "NoCode", response.json())  # framework errors carry no code
    assert len(errors) == 1 and errors[0]["status"] == response.status_code  # an integer
    return response.status_code, errors[0].get("code"), errors[0]["detail"]


def returnable(client: httpx.Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every returnable item of the customer, each with its order reference."""
    found = []
    url: str | None = f"{GLUE}/orders"
    while url:
        page = client.get(url, headers=headers).json()
        for order in page["data"]:
            items = client.get(f"{GLUE}/orders/{order['id']}", headers=headers).json()
            for item in items["data"]["attributes"]["items"]:
                if item["isReturnable"]:
                    found.append({**item, "order": order["id"]})
        url = page["links"].get("next")
    return found


def create(
    client: httpx.Client, headers: dict[str, str], *uuids: str, store: str = "AT"
) -> httpx.Response:
    items = [{"salesOrderItemUuid": u, "reason": "Wrong size"} for u in uuids]
    body = {"data": {"type": "returns", "attributes": {"store": store, "returnItems": items}}}
    return client.post(f"{GLUE}/returns", headers=headers, json=body)


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# ----------------------------------------------------------------------------- independence


def test_the_backend_does_not_import_the_mock() -> None:
    for source in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = (
                [alias.name for alias in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            assert not any(n.split(".")[0] in ("mock_server", "conformance") for n in names), source


# ----------------------------------------------------------------------------- Glue: tokens


def test_login_issues_a_real_looking_jwt_and_a_rotating_refresh_token(client: httpx.Client) -> None:
    response = client.post(
        f"{GLUE}/access-tokens",
        headers=HEADERS,
        json={
            "data": {
                "type": "access-tokens",
                "attributes": dict(zip(("username", "password"), GLUE_CUSTOMER, strict=True)),
            }
        },
    )
    assert response.status_code == 201
    assert_valid("glue", "AccessTokenDocument", response.json())
    data = response.json()["data"]
    assert data["id"] is None and data["links"]["self"] == "http://backend.test/glue/access-tokens"
    attributes = data["attributes"]
    assert attributes["expiresIn"] == 28800 and "refreshTokenExpiresIn" not in attributes
    jwt = claims(attributes["accessToken"])
    assert set(jwt) == {"aud", "jti", "iat", "nbf", "exp", "sub", "scopes"}
    subject = json.loads(jwt["sub"])  # Spryker: a JSON string describing the customer
    assert jwt["exp"] - jwt["iat"] == 28800 and jwt["scopes"] == ["customer"]
    assert subject["customer_reference"] == "AT--12" and subject["id_customer"] == 12
    old = attributes["refreshToken"]
    assert old.startswith("def50")
    refresh = {"data": {"type": "refresh-tokens", "attributes": {"refreshToken": old}}}
    rotated = client.post(f"{GLUE}/refresh-tokens", headers=HEADERS, json=refresh)
    assert rotated.status_code == 201
    assert_valid("glue", "RefreshTokenDocument", rotated.json())
    assert rotated.json()["data"]["attributes"]["refreshToken"] != old
    again = client.post(f"{GLUE}/refresh-tokens", headers=HEADERS, json=refresh)
    assert error(again) == (401, "004", "Failed to refresh token.")  # used once, then revoked


@pytest.mark.parametrize("which", ["mine", "token"])
def test_revoked_refresh_tokens_are_refused_with_004(client: httpx.Client, which: str) -> None:
    tokens = login(client)
    headers = {**HEADERS, "Authorization": f"Bearer {tokens['accessToken']}"}
    target = "mine" if which == "mine" else tokens["refreshToken"]
    revoked = client.delete(f"{GLUE}/refresh-tokens/{target}", headers=headers)
    assert revoked.status_code == 204 and revoked.content == b""
    refresh = {
        "data": {"type": "refresh-tokens", "attributes": {"refreshToken": tokens["refreshToken"]}}
    }
    response = client.post(f"{GLUE}/refresh-tokens", headers=HEADERS, json=refresh)
    assert error(response) == (401, "004", "Failed to refresh token.")


def test_login_refusals(client: httpx.Client) -> None:
    def attempt(username: Any, password: Any) -> httpx.Response:
        body = {
            "data": {
                "type": "access-tokens",
                "attributes": {"username": username, "password": password},
            }
        }
        return client.post(f"{GLUE}/access-tokens", headers=HEADERS, json=body)

    assert error(attempt(GLUE_CUSTOMER[0], "wrong")) == (401, "003", "Failed to authenticate user.")
    assert error(attempt("sonia@spryker.com", "change123"))[:2] == (401, "003")  # not the mock's
    assert error(attempt(" ", "x")) == (422, "901", "username => This value should not be blank.")
    assert error(attempt("a@b.c", 5)) == (
        422,
        "901",
        "password => This value should be of type string.",
    )


# ----------------------------------------------------------------------------- Glue: auth


def test_missing_and_bad_tokens(client: httpx.Client) -> None:
    assert error(client.get(f"{GLUE}/returns", headers=HEADERS)) == (
        403,
        "002",
        "Missing access token.",
    )
    tokens = login(client)
    tampered = (
        tokens["accessToken"][:-2]
        + ("A" if tokens["accessToken"][-2] != "A" else "B")
        + tokens["accessToken"][-1]
    )
    for header in (f"Bearer {tampered}", "Bearer x", "Basic abc", tokens["accessToken"]):
        response = client.get(f"{GLUE}/orders", headers={**HEADERS, "Authorization": header})
        assert error(response) == (401, "001", "Invalid access token.")
        assert response.headers["www-authenticate"] == 'Bearer realm="Access to shop API"'


def test_public_route_refuses_an_invalid_bearer_and_accepts_a_valid_one(
    client: httpx.Client,
) -> None:
    assert client.get(f"{GLUE}/return-reasons", headers=HEADERS).status_code == 200
    assert client.get(f"{GLUE}/return-reasons", headers=bearer(client)).status_code == 200
    bad = client.get(f"{GLUE}/return-reasons", headers={**HEADERS, "Authorization": "Bearer nope"})
    assert error(bad)[:2] == (401, "001")


def test_anonymous_customer_id_with_a_bearer_is_400_005(client: httpx.Client) -> None:
    headers = {**bearer(client), "X-Anonymous-Customer-Unique-Id": "guest-1"}
    status, code, detail = error(client.get(f"{GLUE}/returns", headers=headers))
    assert (status, code) == (400, "005") and "logged and not logged" in detail
    anonymous_only = {**HEADERS, "X-Anonymous-Customer-Unique-Id": "guest-1"}
    assert client.get(f"{GLUE}/return-reasons", headers=anonymous_only).status_code == 200


def test_expired_access_token_is_401_001() -> None:
    with TestClient(create_app(access_ttl=1), base_url="http://backend.test") as short:
        headers = bearer(short)
        assert short.get(f"{GLUE}/returns", headers=headers).status_code == 200
        time.sleep(1.1)
        assert error(short.get(f"{GLUE}/returns", headers=headers))[:2] == (401, "001")


# ----------------------------------------------------------------------------- Glue: framework


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/returns"), ("PATCH", "/returns/AT--12-R1"), ("TRACE", "/orders"),
     ("PUT", "/access-tokens"), ("GET", "/refresh-tokens/mine"), ("OPTIONS", "/return-reasons"),
     ("GET", "/no-such-resource")],
)  # fmt: skip
def test_unsupported_methods_and_routes_are_404_without_code(
    client: httpx.Client, method: str, path: str
) -> None:
    response = client.request(method, f"{GLUE}{path}", headers=bearer(client))
    assert response.json() == {"errors": [{"status": 404, "detail": "Not Found"}]}
    assert "allow" not in response.headers


def test_media_types_and_malformed_documents(client: httpx.Client) -> None:
    headers = bearer(client)
    html = {"Authorization": headers["Authorization"], "Accept": "text/html"}
    assert error(client.get(f"{GLUE}/returns", headers=html)) == (406, None, "Not acceptable.")
    assert client.get(f"{GLUE}/return-reasons", headers={"Accept": "*/*"}).status_code == 200
    plain = {**headers, "Content-Type": "application/json"}
    assert error(client.post(f"{GLUE}/returns", headers=plain, content=b"{}")) == (
        415,
        None,
        "Unsupported media type.",
    )
    bad = client.post(f"{GLUE}/returns", headers=headers, content=b"{not json")
    assert error(bad) == (400, None, "Post data is invalid.")
    wrong_type = client.post(
        f"{GLUE}/returns", headers=headers, json={"data": {"type": "orders", "attributes": {}}}
    )
    assert error(wrong_type) == (400, None, "Invalid type.")


# ----------------------------------------------------------------------------- Glue: pagination


@pytest.mark.parametrize(
    "query",
    ["page[offset]=0", "page[limit]=2", "page[offset]=-1&page[limit]=2",
     "page[offset]=0&page[limit]=0", "page[offset]=x&page[limit]=2",
     "page[offset]=%D9%A1&page[limit]=2", "page[offset]=0&page[limit]=%D9%A2"],
)  # fmt: skip
def test_invalid_or_lone_page_parameters_are_400_without_code(
    client: httpx.Client, query: str
) -> None:
    for path in ("/returns", "/orders"):
        response = client.get(f"{GLUE}{path}?{query}", headers=bearer(client))
        assert error(response) == (400, None, "Pagination parameters are invalid.")
    response = client.get(f"{GLUE}/return-reasons?{query}", headers=HEADERS)
    assert error(response) == (400, None, "Pagination parameters are invalid.")
    before_auth = client.get(f"{GLUE}/returns?{query}", headers=HEADERS)  # no token
    assert error(before_auth) == (400, None, "Pagination parameters are invalid.")


def test_pagination_links_write_brackets_literally_in_spryker_order(client: httpx.Client) -> None:
    headers = bearer(client)
    page = client.get(
        f"{GLUE}/returns?include=&page[offset]=4&page[limit]=4", headers=headers
    ).json()
    base = "http://backend.test/glue/returns?include=&"
    assert page["links"] == {
        "self": base + "page[offset]=4&page[limit]=4",
        "last": base + "page[offset]=8&page[limit]=4",
        "first": base + "page[offset]=0&page[limit]=4",
        "prev": base + "page[offset]=0&page[limit]=4",
        "next": base + "page[offset]=8&page[limit]=4",
    }
    assert list(page["links"]) == ["self", "last", "first", "prev", "next"]
    assert [r["id"] for r in page["data"]] == [f"AT--12-R{n}" for n in (8, 7, 6, 5)]  # newest first
    assert page["data"][0]["links"]["self"].endswith(
        "/returns/AT--12-R8?include=&page[offset]=4&page[limit]=4"
    )


def test_links_carry_the_query_string_url_decoded(client: httpx.Client) -> None:
    """GA ``RestRequest::getQueryString`` is ``urldecode(http_build_query(...))``."""
    query = "include=return-items%2Corder-items&page%5Boffset%5D=0&page%5Blimit%5D=2"
    page = client.get(f"{GLUE}/returns?{query}", headers=bearer(client)).json()
    decoded = "include=return-items,order-items&page[offset]=0&page[limit]=2"
    assert page["links"]["self"] == f"http://backend.test/glue/returns?{decoded}"
    assert (
        page["data"][0]["links"]["self"] == f"http://backend.test/glue/returns/AT--12-R12?{decoded}"
    )
    assert page["links"]["next"].endswith(
        "?include=return-items,order-items&page[offset]=2&page[limit]=2"
    )
    included_link = page["included"][0]["links"]["self"]
    assert "?" not in included_link  # only the main resource type repeats the query


def test_default_page_is_10_items_and_the_limit_is_capped_at_100(client: httpx.Client) -> None:
    headers = bearer(client)
    first = client.get(f"{GLUE}/returns", headers=headers).json()
    assert len(first["data"]) == 10
    assert (
        first["links"]["next"] == "http://backend.test/glue/returns?page[offset]=10&page[limit]=10"
    )
    rest = client.get(first["links"]["next"], headers=headers).json()
    assert [r["id"] for r in rest["data"]] == ["AT--12-R2", "AT--12-R1"] and "next" not in rest[
        "links"
    ]
    big = client.get(f"{GLUE}/orders?page[offset]=0&page[limit]=1000", headers=headers).json()
    assert len(big["data"]) == 14 and big["links"]["last"].endswith(
        "page[offset]=0&page[limit]=100"
    )


# ----------------------------------------------------------------------------- Glue: returns


def test_create_return_read_after_write_and_refusals(client: httpx.Client) -> None:
    headers = bearer(client)
    items = returnable(client, headers)
    first = items[0]
    created = create(client, headers, first["uuid"])
    assert created.status_code == 201
    assert_valid("glue", "ReturnDocument", created.json())
    data = created.json()["data"]
    assert data["id"] == "AT--12-R13" and data["attributes"]["customerReference"] == "AT--12"
    assert data["attributes"]["returnTotals"] == {
        "refundTotal": 0,
        "remunerationTotal": first["sumPriceToPayAggregation"],
    }
    read = client.get(f"{GLUE}/returns/{data['id']}", headers=headers).json()
    assert {k: read["data"][k] for k in ("type", "id", "attributes")} == {
        k: data[k] for k in ("type", "id", "attributes")
    }
    listed = client.get(f"{GLUE}/returns", headers=headers).json()["data"]
    assert listed[0]["id"] == "AT--12-R13"
    order = client.get(f"{GLUE}/orders/{first['order']}", headers=headers).json()["data"][
        "attributes"
    ]
    item = next(i for i in order["items"] if i["uuid"] == first["uuid"])
    assert item["isReturnable"] is False and item["state"] == "waiting for return"
    assert order["totals"]["remunerationTotal"] == first["sumPriceToPayAggregation"]
    # refusals leave nothing behind
    assert error(create(client, headers, first["uuid"])) == (
        422,
        "3601",
        "Return can't be created.",
    )
    two = next(i for i in items[1:] if i["merchantReference"] != items[1]["merchantReference"])
    assert error(create(client, headers, items[1]["uuid"], two["uuid"])) == (
        422, "3603", "Return contains items from different merchants.")  # fmt: skip
    assert error(create(client, headers, items[1]["uuid"], store="DE"))[:2] == (422, "3601")
    assert error(create(client, headers, items[1]["uuid"], items[1]["uuid"]))[:2] == (422, "3601")
    assert error(create(client, headers, "00000000-0000-0000-0000-000000000000"))[:2] == (
        422,
        "3601",
    )
    null_reason = {"salesOrderItemUuid": items[1]["uuid"], "reason": None}
    body = {
        "data": {"type": "returns", "attributes": {"store": "AT", "returnItems": [null_reason]}}
    }
    assert error(client.post(f"{GLUE}/returns", headers=headers, json=body)) == (
        422, "901", "returnItems[0][reason] => This value should be of type string.")  # fmt: skip
    assert error(create(client, headers, items[1]["uuid"], store=" ")) == (
        422, "901", "store => This value should not be blank.")  # fmt: skip
    assert (
        len(
            client.get(f"{GLUE}/returns?page[offset]=0&page[limit]=100", headers=headers).json()[
                "data"
            ]
        )
        == 13
    )
    assert items[1]["uuid"] in {i["uuid"] for i in returnable(client, headers)}


def test_customers_cannot_see_or_return_each_others_things(client: httpx.Client) -> None:
    mine, theirs = bearer(client), bearer(client, GLUE_OTHER_CUSTOMER)
    their_item = returnable(client, theirs)[0]
    assert error(create(client, mine, their_item["uuid"]))[:2] == (422, "3601")
    their_return = client.get(f"{GLUE}/returns", headers=theirs).json()["data"][0]["id"]
    assert their_return == "AT--27-R1"
    assert error(client.get(f"{GLUE}/returns/{their_return}", headers=mine)) == (
        404, "3602", "Can't find return by the given return reference.")  # fmt: skip
    assert error(client.get(f"{GLUE}/returns/AT--12-R99", headers=mine))[:2] == (404, "3602")
    assert error(client.get(f"{GLUE}/orders/{their_item['order']}", headers=mine)) == (
        404, "801", "Can't find order by the given order reference")  # fmt: skip


def test_include_builds_a_compound_document_and_eager_loading_is_the_default(
    client: httpx.Client,
) -> None:
    headers = bearer(client)
    url = f"{GLUE}/returns/AT--12-R3"
    full = client.get(f"{url}?include=return-items,order-items", headers=headers).json()
    assert_valid("glue", "ReturnDocument", full)
    related = full["data"]["relationships"]["return-items"]["data"]
    types = [r["type"] for r in full["included"]]
    assert (
        types == ["return-items", "order-items"] and related[0]["id"] == full["included"][0]["id"]
    )
    return_item, order_item = full["included"]
    assert (
        return_item["attributes"]["orderItemUuid"]
        == order_item["id"]
        == order_item["attributes"]["uuid"]
    )
    assert return_item["links"]["self"].endswith(
        f"/returns/AT--12-R3/return-items/{return_item['id']}"
    )
    assert order_item["links"]["self"].endswith(f"/order-items/{order_item['id']}")
    assert client.get(url, headers=headers).json() == {
        **full,
        "data": {**full["data"], "links": {"self": f"http://backend.test{url}"}},
    }
    only_items = client.get(f"{url}?include=return-items", headers=headers).json()
    assert [r["type"] for r in only_items["included"]] == ["return-items"]
    bare = client.get(f"{url}?include=", headers=headers).json()
    assert "included" not in bare and "relationships" not in bare["data"]
    assert "returnItems" not in bare["data"]["attributes"]  # the module never embeds them
    listed = client.get(f"{GLUE}/returns?include=return-items,order-items", headers=headers).json()
    assert_valid("glue", "ReturnCollectionDocument", listed)
    assert len(listed["included"]) == 2 * len(listed["data"])


def test_money_adds_up(client: httpx.Client) -> None:
    headers = bearer(client)
    orders = client.get(f"{GLUE}/orders?page[offset]=0&page[limit]=100", headers=headers).json()
    assert_valid("glue", "OrderCollectionDocument", orders)
    for summary in orders["data"]:
        document = client.get(f"{GLUE}/orders/{summary['id']}", headers=headers).json()
        assert_valid("glue", "OrderDocument", document)
        order = document["data"]["attributes"]
        assert order["totals"] == summary["attributes"]["totals"]
        for item in order["items"]:
            q = item["quantity"]
            assert item["sumGrossPrice"] == item["sumPrice"] == item["unitGrossPrice"] * q
            assert (
                item["unitPriceToPayAggregation"]
                == item["unitPrice"] - item["unitDiscountAmountFullAggregation"]
            )
            assert (
                item["sumPriceToPayAggregation"]
                == item["unitPriceToPayAggregation"] * q
                == item["refundableAmount"]
            )
        totals, items = order["totals"], order["items"]
        assert totals["subtotal"] == sum(i["sumSubtotalAggregation"] for i in items)
        assert totals["discountTotal"] == sum(i["sumDiscountAmountFullAggregation"] for i in items)
        assert totals["expenseTotal"] == sum(e["sumPrice"] for e in order["expenses"])
        assert (
            totals["grandTotal"]
            == totals["subtotal"] - totals["discountTotal"] + totals["expenseTotal"]
        )
        assert totals["taxTotal"] == sum(i["sumTaxAmountFullAggregation"] for i in items) + sum(
            e["sumTaxAmount"] for e in order["expenses"])  # fmt: skip
        assert order["payments"][0]["amount"] == totals["grandTotal"]
    for ret in client.get(f"{GLUE}/returns?page[offset]=0&page[limit]=100", headers=headers).json()[
        "data"
    ]:
        full = client.get(f"{GLUE}/returns/{ret['id']}", headers=headers).json()
        paid = sum(
            r["attributes"]["sumPriceToPayAggregation"]
            for r in full["included"]
            if r["type"] == "order-items"
        )
        assert ret["attributes"]["returnTotals"]["remunerationTotal"] == paid


def test_return_reasons_are_public_localized_and_id_null(client: httpx.Client) -> None:
    english = client.get(f"{GLUE}/return-reasons", headers=HEADERS)
    assert english.headers["content-language"] == "en_US"
    assert_valid("glue", "ReturnReasonCollectionDocument", english.json())
    german = client.get(
        f"{GLUE}/return-reasons", headers={**HEADERS, "Accept-Language": "de-AT, en;q=0.5"}
    )
    assert german.headers["content-language"] == "de_DE"
    reasons = [r["attributes"]["reason"] for r in german.json()["data"]]
    assert "Falsche Größe" in reasons and all(r["id"] is None for r in german.json()["data"])


def test_contract_accepts_self_links_with_brackets(client: httpx.Client) -> None:
    """FA-4, fixed in the contract (glue-F7): a main resource's self link repeats the request's
    query string with literal brackets, as Glue writes it; `format: uri` refused that."""
    page = client.get(f"{GLUE}/orders?page[offset]=0&page[limit]=2", headers=bearer(client)).json()
    assert "page[offset]=0" in page["links"]["self"]
    assert_valid("glue", "OrderCollectionDocument", page)


# ----------------------------------------------------------------------------- Sendcloud


def sc_get(client: httpx.Client, url: str, auth: Any = SENDCLOUD_BASIC) -> httpx.Response:
    return client.get(url if url.startswith("http") else f"{SC}{url}", auth=auth)


def sc_error(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of a Sendcloud error, checked against the contract's `Error`."""
    assert response.headers["content-type"] == "application/json"
    assert_valid("sendcloud", "Error", response.json())
    assert response.json()["error"]["code"] == response.status_code
    return dict(response.json()["error"])


def test_sendcloud_cursor_chain_both_ways(client: httpx.Client) -> None:
    pages = [sc_get(client, "/returns").json()]
    while pages[-1]["next"]:
        pages.append(sc_get(client, pages[-1]["next"]).json())
    assert [len(p["returns"]) for p in pages] == [15, 15, 15, 8]
    for page in pages:
        assert_valid("sendcloud", "ReturnList", page)
    ids = [r["id"] for p in pages for r in p["returns"]]
    assert ids == sorted(ids) and len(set(ids)) == 53 and ids[0] == 40211
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    for index in range(1, len(pages)):
        back = sc_get(client, pages[index]["previous"]).json()
        assert back["returns"] == pages[index - 1]["returns"]
    cursor = pages[0]["next"].split("cursor=")[1].replace("%3D", "=")
    assert base64.b64decode(cursor).decode() == "p=40309"  # position of the last return shown


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        base64.b64encode(b"o=5").decode(),
        "cD0xMg",
        base64.b64encode(b"p=1&r=2").decode(),
    ],
)
def test_sendcloud_invalid_cursor_is_404(client: httpx.Client, cursor: str) -> None:
    response = client.get(f"{SC}/returns", params={"cursor": cursor}, auth=SENDCLOUD_BASIC)
    assert response.status_code == 404
    assert sc_error(response) == {
        "code": 404,
        "request": "sendcloud/api/v2/returns",
        "message": "Invalid cursor",
    }


def test_sendcloud_detail_equals_the_listed_return_and_money_adds_up(client: httpx.Client) -> None:
    for listed in sc_get(client, "/returns").json()["returns"]:
        detail = sc_get(client, f"/returns/{listed['id']}").json()
        assert detail == listed
        assert_valid("sendcloud", "Return", detail)
        refund = float(detail["refund"]["total_refund"].strip('"'))
        assert round(detail["items_cost"] - detail["return_fee"], 2) == refund


@pytest.mark.parametrize(
    "path", ["/returns/1", "/returns/abc", "/returns/40212", "/returns/99999999999999999999"]
)
def test_sendcloud_unknown_return_is_404_in_the_envelope(client: httpx.Client, path: str) -> None:
    response = sc_get(client, path)
    assert response.status_code == 404
    assert sc_error(response) == {
        "code": 404,
        "request": f"sendcloud/api/v2{path}",
        "message": "No Return matches the given query.",
    }


def test_sendcloud_auth(client: httpx.Client) -> None:
    assert sc_get(client, "/returns/40211", auth=None).status_code == 401
    missing = client.get(f"{SC}/returns")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == 'Basic realm="api"'
    assert sc_error(missing)["message"] == "Authentication credentials were not provided."
    for auth in [(SENDCLOUD_BASIC[0], "wrong"), ("unknown", SENDCLOUD_BASIC[1])]:
        wrong = sc_get(client, "/returns", auth=auth)
        assert (
            wrong.status_code == 401 and sc_error(wrong)["message"] == "Invalid username/password."
        )
    oauth = client.get(
        f"{SC}/returns", headers={"Authorization": f"Bearer {SENDCLOUD_OAUTH_TOKEN}"}
    )
    assert oauth.status_code == 200


def test_sendcloud_unsupported_methods_are_405_in_the_envelope_after_authentication(
    client: httpx.Client,
) -> None:
    anonymous = client.post(f"{SC}/returns", json={})
    assert anonymous.status_code == 401  # DRF authenticates before the method check
    response = client.post(f"{SC}/returns", json={}, auth=SENDCLOUD_BASIC)
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert sc_error(response) == {
        "code": 405,
        "request": "sendcloud/api/v2/returns",
        "message": 'Method "POST" not allowed.',
    }
    head = client.head(f"{SC}/returns/40211", auth=SENDCLOUD_BASIC)
    assert head.status_code == 200 and head.content == b""


# ----------------------------------------------------------------------------- python -m


def test_module_serves_both_apis_on_loopback(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (tmp_path / "backend.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reference_backend", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                reasons = httpx.get(f"{url}/glue/return-reasons", headers=HEADERS, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, (
                    tmp_path / "backend.log"
                ).read_text()
                time.sleep(0.1)
        assert reasons.status_code == 200
        assert (
            httpx.get(
                f"{url}/sendcloud/api/v2/returns", auth=SENDCLOUD_BASIC, timeout=5
            ).status_code
            == 200
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
