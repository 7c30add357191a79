"""The response cache: repeated reads are replayed, yet auth, state and callers still count."""

from __future__ import annotations

import time

import httpx
import pytest
from starlette.testclient import TestClient
from support import GLUE_HEADERS, SONIA, SPENCOR, glue_login

from mock_server.app import MockServer, create_app
from mock_server.config import Settings


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(Settings(validate_responses=True)))


def hits(client: TestClient) -> int:
    return client.get("/__admin/state").json()["responseCache"]["hits"]


def bearer(token: str) -> dict[str, str]:
    return {**GLUE_HEADERS, "Authorization": f"Bearer {token}"}


def test_repeated_read_is_replayed_byte_for_byte(client: TestClient) -> None:
    headers = bearer(glue_login(client))
    first = client.get("/glue/returns", headers=headers)
    before = hits(client)
    second = client.get("/glue/returns", headers=headers)
    assert hits(client) == before + 1
    assert second.status_code == 200 and second.content == first.content
    assert second.headers["content-type"] == "application/vnd.api+json"


def test_auth_still_runs_on_a_cached_read(client: TestClient) -> None:
    assert client.get("/glue/returns", headers=bearer(glue_login(client))).status_code == 200
    refused = client.get("/glue/returns", headers=bearer("not-a-token"))
    assert refused.status_code == 401 and refused.json()["errors"][0]["code"] == "001"
    missing = client.get("/glue/returns", headers=GLUE_HEADERS)
    assert missing.status_code == 403 and missing.json()["errors"][0]["code"] == "002"


def test_expired_token_is_refused_even_when_the_read_was_cached() -> None:
    client = TestClient(create_app(Settings(token_ttl=1)))
    headers = bearer(glue_login(client))
    assert client.get("/glue/orders", headers=headers).status_code == 200
    time.sleep(1.2)
    expired = client.get("/glue/orders", headers=headers)
    assert expired.status_code == 401 and expired.json()["errors"][0]["code"] == "001"


def test_each_caller_gets_their_own_data(client: TestClient) -> None:
    sonia = client.get("/glue/returns", headers=bearer(glue_login(client, SONIA))).json()
    spencor = client.get("/glue/returns", headers=bearer(glue_login(client, SPENCOR))).json()
    assert {r["attributes"]["customerReference"] for r in sonia["data"]} == {"DE--1"}
    assert {r["attributes"]["customerReference"] for r in spencor["data"]} == {"DE--2"}


def test_a_state_change_retires_cached_reads(client: TestClient) -> None:
    headers = bearer(glue_login(client))
    before = client.get("/glue/returns", headers=headers).json()["data"]
    orders = client.get("/glue/orders", headers=headers).json()["data"]
    item = next(
        i
        for o in orders
        for i in client.get(f"/glue/orders/{o['id']}", headers=headers).json()["data"][
            "attributes"
        ]["items"]
        if i["isReturnable"]
    )
    body = {
        "data": {
            "type": "returns",
            "attributes": {"store": "DE", "returnItems": [{"salesOrderItemUuid": item["uuid"]}]},
        }
    }
    created = client.post("/glue/returns", headers=headers, json=body)
    assert created.status_code == 201
    after = client.get("/glue/returns", headers=headers).json()["data"]
    assert len(after) == len(before) + 1
    assert after[0]["id"] == created.json()["data"]["id"]
    client.post("/__admin/reset")
    assert len(client.get("/glue/returns", headers=headers).json()["data"]) == len(before)


def test_errors_and_writes_are_not_cached(client: TestClient) -> None:
    headers = bearer(glue_login(client))
    for _ in range(2):
        assert client.get("/glue/returns/DE--9-R9", headers=headers).status_code == 404
    assert hits(client) == 0


def test_dynamic_bodies_are_memoised_per_request(client: TestClient) -> None:
    headers = {**bearer(glue_login(client)), "Prefer": "dynamic=true"}
    first = client.get("/glue/orders", headers=headers)
    second = client.get("/glue/orders", headers=headers)
    assert first.content == second.content and hits(client) == 1


def test_cache_is_bounded() -> None:
    app: MockServer = create_app()
    client = TestClient(app)
    headers = bearer(glue_login(client))  # the first request builds the middleware stack
    cache = app.runtime.response_cache
    cache.max_entries = 3
    for offset in range(6):
        response = client.get(f"/glue/returns?page[offset]={offset}&page[limit]=1", headers=headers)
        assert response.status_code == 200
    assert len(cache.entries) == 3


def test_cache_is_bounded_in_bytes() -> None:
    """The recorded bodies never add up to more than ``max_bytes``; the newest stay."""
    app: MockServer = create_app()
    client = TestClient(app)
    headers = bearer(glue_login(client))
    cache = app.runtime.response_cache
    sizes = []
    for offset in range(6):
        url = f"/glue/orders?page[offset]={offset}&page[limit]=1"
        sizes.append(len(client.get(url, headers=headers).content))
    assert cache.bytes == sum(sizes) == sum(len(e[3]) for e in cache.entries.values())
    cache.max_bytes = sizes[-1] + sizes[-2]
    client.get("/glue/orders?page[offset]=0&page[limit]=2", headers=headers)
    assert cache.bytes <= cache.max_bytes
    assert cache.bytes == sum(len(e[3]) for e in cache.entries.values())
    assert client.get("/__admin/state").json()["responseCache"]["bytes"] == cache.bytes


def test_live_cache_under_http(live_mock) -> None:
    """Over real HTTP too: the second identical read is a hit."""
    with httpx.Client(base_url=live_mock.url) as http:
        headers = {"Accept": "*/*", "Accept-Language": "de"}
        first = http.get("/glue/return-reasons", headers=headers)
        count = http.get("/__admin/state").json()["responseCache"]["hits"]
        second = http.get("/glue/return-reasons", headers=headers)
        assert second.content == first.content
        assert http.get("/__admin/state").json()["responseCache"]["hits"] == count + 1


def test_no_response_cache_serves_the_same_bytes_without_replaying() -> None:
    """``--no-response-cache``: every read runs the handler, and the answers do not change."""
    cached, uncached = (
        TestClient(create_app()),
        TestClient(create_app(Settings(response_cache=False))),
    )
    bodies = []
    for client in (cached, uncached):
        headers = bearer(glue_login(client))
        bodies.append([client.get("/glue/returns", headers=headers).content for _ in range(3)])
    assert bodies[0] == bodies[1]
    assert "responseCache" not in uncached.get("/__admin/state").json()
    assert hits(cached) == 2
