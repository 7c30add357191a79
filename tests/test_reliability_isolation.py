"""Issue #6 (4): customer A's token never reveals customer B's orders or returns.

For every ordered pair of the three seeded customers and every Glue endpoint — ``GET /orders``,
``GET /orders/{ref}``, ``GET /returns``, ``GET /returns/{ref}``, ``POST /returns`` with B's item,
``include=return-items,order-items`` and every pagination link — A sees only A's data; B's
resources are answered exactly like unknown ones (404/801, 404/3602, 422/3601).
"""

from __future__ import annotations

import itertools
import re
from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient
from support import GLUE_HEADERS, LiveMock, glue_login, start_mock, stop_mock

from mock_server.app import create_app
from mock_server.config import Settings

INCLUDES = (None, "return-items", "return-items,order-items", "order-items,return-items")
MAX_PAGES = 60


@dataclass
class Customer:
    """One seeded customer: token and everything the world holds for them."""

    reference: str
    email: str
    token: str
    orders: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)  # order item uuids
    returnable: list[str] = field(default_factory=list)
    returns: set[str] = field(default_factory=set)
    return_items: set[str] = field(default_factory=set)  # return item uuids

    @property
    def headers(self) -> dict[str, str]:
        return {**GLUE_HEADERS, "Authorization": f"Bearer {self.token}"}


def create_body(*uuids: str) -> dict:
    return {
        "data": {
            "type": "returns",
            "attributes": {
                "store": "DE",
                "returnItems": [{"salesOrderItemUuid": u, "reason": "Damaged"} for u in uuids],
            },
        }
    }


def survey(client: httpx.Client, customer: Customer) -> None:
    """Fill in ``customer``'s orders, items and returns, as the customer sees them."""
    orders = client.get("/glue/orders", headers=customer.headers).json()["data"]
    customer.orders = {o["id"] for o in orders}
    customer.items, customer.returnable = set(), []
    for ref in sorted(customer.orders):
        for item in client.get(f"/glue/orders/{ref}", headers=customer.headers).json()["data"][
            "attributes"
        ]["items"]:
            customer.items.add(item["uuid"])
            if item["isReturnable"]:
                customer.returnable.append(item["uuid"])
    listed = client.get(
        "/glue/returns", params={"include": "return-items"}, headers=customer.headers
    ).json()
    customer.returns = {r["id"] for r in listed["data"]}
    customer.return_items = {r["id"] for r in listed.get("included", [])}


@pytest.fixture(scope="module")
def isolation_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    """This module's own mock: ``world`` shapes it once for every test here, while the
    session mock is reset before each test that uses it."""
    mock = start_mock(tmp_path_factory.mktemp("isolation"), "--validate-responses")
    yield mock
    stop_mock(mock)


@pytest.fixture(scope="module")
def world(isolation_mock: LiveMock) -> Iterator[tuple[httpx.Client, list[Customer]]]:
    """All three customers, each with a fresh return on top of the seeded ones.

    Shared by the module: no test changes the world (refused creates leave no trace, which
    ``test_creating_a_return_with_another_customers_item_is_422_3601`` checks).
    """
    httpx.post(f"{isolation_mock.url}/__admin/reset", timeout=30).raise_for_status()
    with httpx.Client(base_url=isolation_mock.url, timeout=30) as client:
        accounts = client.get("/__admin/accounts").json()["glue"]["customers"]
        customers = [
            Customer(
                a["customerReference"],
                a["username"],
                glue_login(client, (a["username"], a["password"])),
            )
            for a in accounts
        ]
        for customer in customers:
            survey(client, customer)
            created = client.post(
                "/glue/returns",
                headers=customer.headers,
                json=create_body(customer.returnable[0]),
            )
            assert created.status_code == 201, created.text
            survey(client, customer)
            assert len(customer.returns) >= 2, "paging needs at least two returns"
        # Nothing is shared: the worlds of the customers are disjoint.
        for a, b in itertools.combinations(customers, 2):
            assert not a.orders & b.orders and not a.items & b.items and not a.returns & b.returns
        yield client, customers
    httpx.post(f"{isolation_mock.url}/__admin/reset", timeout=30).raise_for_status()


PAIRS = list(itertools.permutations(range(3), 2))


def pair(world: tuple[httpx.Client, list[Customer]], ids: tuple[int, int]):
    client, customers = world
    return client, customers[ids[0]], customers[ids[1]]


def assert_no_trace_of(owner: Customer, other: Customer, response: httpx.Response) -> None:
    """``other``'s item uuids, return references and e-mail appear nowhere in the raw answer."""
    text = response.text
    for secret in (*other.items, *other.return_items, other.email):
        assert secret not in text, f"{owner.reference} sees {other.reference}'s {secret}"
    for reference in other.returns:
        assert not re.search(re.escape(reference) + r"(?![0-9])", text), (
            f"{owner.reference} sees {other.reference}'s return {reference}"
        )


def assert_only_own(owner: Customer, document: dict) -> None:
    """Every resource, relationship and link of ``document`` belongs to ``owner``."""
    data = document["data"]
    for resource in data if isinstance(data, list) else [data]:
        kind, rid, attributes = resource["type"], resource["id"], resource["attributes"]
        if kind == "orders":
            assert rid in owner.orders, (owner.reference, rid)
        elif kind == "returns":
            assert rid in owner.returns and attributes["customerReference"] == owner.reference
            for ri in attributes.get("returnItems", []):
                assert ri["uuid"] in owner.return_items and ri["orderItem"]["uuid"] in owner.items
                assert ri["orderItem"]["orderReference"] in owner.orders
            for link in resource.get("relationships", {}).get("return-items", {}).get("data", []):
                assert link["id"] in owner.return_items, (owner.reference, link)
        for item in attributes.get("items", []):
            assert item["uuid"] in owner.items
    for resource in document.get("included", []):
        if resource["type"] == "return-items":
            assert resource["id"] in owner.return_items, (owner.reference, resource["id"])
            assert resource["attributes"]["orderItemUuid"] in owner.items
        else:
            assert resource["type"] == "order-items", resource["type"]
            assert resource["id"] in owner.items, (owner.reference, resource["id"])
            assert resource["attributes"]["orderReference"] in owner.orders
    links = [*document.get("links", {}).values()]
    links += [r["links"]["self"] for r in [*(data if isinstance(data, list) else [data])]]
    links += [r["links"]["self"] for r in document.get("included", [])]
    for link in links:
        for ref in re.findall(r"/orders/([^/?]+)", link):
            assert ref in owner.orders, (owner.reference, link)
        for ref in re.findall(r"/returns/([^/?]+)", link):
            assert ref in owner.returns, (owner.reference, link)


def crawl(
    client: httpx.Client, owner: Customer, url: str, params: dict[str, Any]
) -> list[httpx.Response]:
    """Fetch ``url`` and every page its links lead to (self/first/last/prev/next), bounded."""
    first = client.get(url, params=params, headers=owner.headers)
    assert first.status_code == 200, first.text
    pages, seen, queue = [first], {str(first.url)}, list(first.json()["links"].values())
    while queue:
        assert len(pages) <= MAX_PAGES, "pagination links never end"
        link = queue.pop()
        if link in seen:
            continue
        seen.add(link)
        page = client.get(link, headers=owner.headers)
        assert page.status_code == 200, (link, page.text)
        pages.append(page)
        queue.extend(v for v in page.json()["links"].values() if v not in seen)
    return pages


@pytest.mark.parametrize("ids", PAIRS)
def test_order_list_and_pages_show_only_own_orders(ids: tuple[int, int], world) -> None:
    client, owner, other = pair(world, ids)
    # The other customer asks first, so a cached answer for the same URL would leak here.
    client.get("/glue/orders", params={"page[offset]": 0, "page[limit]": 1}, headers=other.headers)
    listed = client.get("/glue/orders", headers=owner.headers)
    assert {o["id"] for o in listed.json()["data"]} == owner.orders
    assert_no_trace_of(owner, other, listed)
    seen: set[str] = set()
    for limit in (1, 2, 5):
        for page in crawl(client, owner, "/glue/orders", {"page[offset]": 0, "page[limit]": limit}):
            assert_no_trace_of(owner, other, page)
            assert_only_own(owner, page.json())
            seen |= {o["id"] for o in page.json()["data"]}
    assert seen == owner.orders


@pytest.mark.parametrize("ids", PAIRS)
def test_other_customers_orders_are_404_801(ids: tuple[int, int], world) -> None:
    client, owner, other = pair(world, ids)
    for ref in sorted(other.orders):
        client.get(f"/glue/orders/{ref}", headers=other.headers)  # warm any cache as B
        answer = client.get(f"/glue/orders/{ref}", headers=owner.headers)
        assert answer.status_code == 404, answer.text
        assert answer.json() == {
            "errors": [
                {
                    "status": 404,
                    "code": "801",
                    "detail": "Can't find order by the given order reference",
                }
            ]
        }
    for ref in sorted(owner.orders):
        own = client.get(f"/glue/orders/{ref}", headers=owner.headers)
        assert own.status_code == 200
        assert_only_own(owner, own.json())
        assert_no_trace_of(owner, other, own)


@pytest.mark.parametrize("ids", PAIRS)
def test_return_list_pages_and_includes_show_only_own(ids: tuple[int, int], world) -> None:
    client, owner, other = pair(world, ids)
    for include in INCLUDES:
        params: dict[str, Any] = {"include": include} if include else {}
        client.get("/glue/returns", params=params, headers=other.headers)
        listed = client.get("/glue/returns", params=params, headers=owner.headers)
        assert listed.status_code == 200, listed.text
        assert {r["id"] for r in listed.json()["data"]} == owner.returns
        assert_only_own(owner, listed.json())
        assert_no_trace_of(owner, other, listed)
        for limit in (1, 2):
            seen: set[str] = set()
            paging = {**params, "page[offset]": 0, "page[limit]": limit}
            for page in crawl(client, owner, "/glue/returns", paging):
                assert_no_trace_of(owner, other, page)
                assert_only_own(owner, page.json())
                seen |= {r["id"] for r in page.json()["data"]}
            assert seen == owner.returns


@pytest.mark.parametrize("ids", PAIRS)
def test_other_customers_returns_are_404_3602(ids: tuple[int, int], world) -> None:
    client, owner, other = pair(world, ids)
    for ref in sorted(other.returns):
        for include in INCLUDES:
            params = {"include": include} if include else {}
            client.get(f"/glue/returns/{ref}", params=params, headers=other.headers)
            answer = client.get(f"/glue/returns/{ref}", params=params, headers=owner.headers)
            assert answer.status_code == 404, answer.text
            assert answer.json() == {
                "errors": [
                    {
                        "status": 404,
                        "code": "3602",
                        "detail": "Can't find return by the given return reference.",
                    }
                ]
            }
    for ref in sorted(owner.returns):
        own = client.get(
            f"/glue/returns/{ref}",
            params={"include": "return-items,order-items"},
            headers=owner.headers,
        )
        assert own.status_code == 200
        assert_only_own(owner, own.json())
        assert_no_trace_of(owner, other, own)


@pytest.mark.parametrize("ids", PAIRS)
def test_creating_a_return_with_another_customers_item_is_422_3601(
    ids: tuple[int, int], world
) -> None:
    client, owner, other = pair(world, ids)
    state_before = client.get("/__admin/state").json()["glue"]
    theirs = other.returnable[0]
    attempts = [(theirs,)]
    if owner.returnable:
        attempts.append((owner.returnable[0], theirs))  # one own item does not make it pass
    attempts += [(uuid,) for uuid in sorted(other.items)]  # returned or not, it is not A's
    for uuids in attempts:
        for include in (None, "return-items,order-items"):
            params = {"include": include} if include else {}
            answer = client.post(
                "/glue/returns", params=params, headers=owner.headers, json=create_body(*uuids)
            )
            assert answer.status_code == 422, answer.text
            assert answer.json()["errors"][0]["code"] == "3601", answer.text
            assert_no_trace_of(owner, other, answer)
    after = client.get("/__admin/state").json()["glue"]
    assert after == state_before, "a refused create left a trace"
    # The item is still returnable, for the other customer.
    orders = [
        client.get(f"/glue/orders/{ref}", headers=other.headers).json()["data"]
        for ref in sorted(other.orders)
    ]
    item = next(i for o in orders for i in o["attributes"]["items"] if i["uuid"] == theirs)
    assert item["isReturnable"] is True


def test_credentials_of_one_api_do_not_open_the_other(world) -> None:
    """A Glue token is not a Sendcloud credential, and the Sendcloud keys are not a Glue token."""
    client, customers = world
    keys = client.get("/__admin/accounts").json()["sendcloud"]
    glue_token = customers[0].token
    on_sendcloud = client.get(
        "/sendcloud/api/v2/returns", headers={"Authorization": f"Bearer {glue_token}"}
    )
    assert on_sendcloud.status_code == 401
    assert on_sendcloud.json()["error"]["code"] == 401
    for credential in (
        f"Bearer {keys['oauth2'][0]['accessToken']}",
        "Basic "
        + b64encode(
            f"{keys['basic'][0]['publicKey']}:{keys['basic'][0]['secretKey']}".encode()
        ).decode(),
    ):
        on_glue = client.get("/glue/orders", headers={**GLUE_HEADERS, "Authorization": credential})
        assert on_glue.status_code == 401, on_glue.text
        assert on_glue.json()["errors"][0]["code"] == "001"


def test_token_does_not_outlive_a_reset_to_another_seed() -> None:
    """After a reset to another seed, a token of the old world opens nobody's data (401/001)."""
    with TestClient(create_app(Settings()), base_url="http://testserver") as client:
        before = client.get("/__admin/accounts").json()["glue"]["customers"][2]
        token = glue_login(client, (before["username"], before["password"]))
        assert client.post("/__admin/reset", params={"seed": 7}).status_code == 200
        after = client.get("/__admin/accounts").json()["glue"]["customers"][2]
        assert after["username"] != before["username"], "seed 7 has another third customer"
        answer = client.get(
            "/glue/orders", headers={**GLUE_HEADERS, "Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 401, f"{before['username']}'s token reads {after['username']}"
