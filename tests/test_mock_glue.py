"""Glue over real HTTP: return state, pagination, compound documents, auth and error envelopes."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future

import httpx
import pytest
from support import (
    GLUE_HEADERS,
    JSONAPI,
    SONIA,
    SPENCOR,
    LiveMock,
    assert_glue_error,
    assert_no_leak,
    glue_session,
    login,
    mock_in_background,
    orders_with_items,
    return_body,
    returnable_items,
    two_merchant_order,
)

CANT_CREATE = "Return can't be created."
NOT_FOUND_RETURN = "Can't find return by the given return reference."
INVALID_TOKEN = "Invalid access token."
WWW_AUTHENTICATE = 'Bearer realm="Access to shop API"'
PROTECTED = [
    ("GET", "/glue/orders"),
    ("GET", "/glue/orders/DE--1"),
    ("GET", "/glue/returns"),
    ("POST", "/glue/returns"),
    ("GET", "/glue/returns/DE--1-R1"),
]


@pytest.fixture(scope="module", autouse=True)
def short_ttl_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Future[LiveMock]]:
    """A second mock whose access tokens live one second (started early, in the background)."""
    args = ("--token-ttl", "1", "--validate-responses")
    with mock_in_background(tmp_path_factory.mktemp("ttl"), *args) as future:
        yield future


@pytest.fixture(scope="module")
def sonia_client(live_mock_process: LiveMock) -> Iterator[httpx.Client]:
    """Sonia (DE--1), logged in once for the module (tokens survive /__admin/reset)."""
    client = glue_session(live_mock_process.url, SONIA)
    yield client
    client.close()


@pytest.fixture(scope="module")
def spencor_client(live_mock_process: LiveMock) -> Iterator[httpx.Client]:
    """Spencor (DE--2), logged in once for the module."""
    client = glue_session(live_mock_process.url, SPENCOR)
    yield client
    client.close()


@pytest.fixture(scope="module")
def anonymous(live_mock_process: LiveMock) -> Iterator[httpx.Client]:
    """A client without credentials."""
    with httpx.Client(base_url=live_mock_process.url, timeout=30) as client:
        yield client


@pytest.fixture
def sonia(live_mock: LiveMock, sonia_client: httpx.Client) -> httpx.Client:
    """Sonia on the freshly reset (seeded) world."""
    return sonia_client


@pytest.fixture
def spencor(live_mock: LiveMock, spencor_client: httpx.Client) -> httpx.Client:
    """Spencor on the freshly reset (seeded) world."""
    return spencor_client


def my_returns(client: httpx.Client, query: str = "") -> dict:
    """GET /glue/returns{query} as the client's customer (must be 200)."""
    response = client.get(f"/glue/returns{query}")
    assert response.status_code == 200, response.text
    return response.json()


def next_reference(client: httpx.Client, customer: str) -> str:
    """The reference the next created return of ``customer`` must get (R{n+1})."""
    numbers = [int(r["id"].rsplit("-R", 1)[1]) for r in my_returns(client)["data"]]
    return f"{customer}-R{max(numbers, default=0) + 1}"


# ----------------------------------------------------------------------------- state


def test_create_return_changes_the_order(sonia: httpx.Client) -> None:
    order_ref, item_a, item_b = two_merchant_order(sonia)
    expected_ref = next_reference(sonia, "DE--1")

    created = sonia.post("/glue/returns", json=return_body(item_a["uuid"]))

    assert created.status_code == 201, created.text
    assert created.headers["content-type"] == JSONAPI
    data = created.json()["data"]
    assert re.fullmatch(r"DE--1-R\d+", data["id"])
    assert data["id"] == data["attributes"]["returnReference"] == expected_ref
    assert data["type"] == "returns"
    base = str(sonia.base_url).rstrip("/")
    assert data["links"]["self"] == f"{base}/glue/returns/{expected_ref}"
    attributes = data["attributes"]
    assert attributes["customerReference"] == "DE--1"
    assert attributes["store"] == "DE"
    assert attributes["merchantReference"] == item_a["merchantReference"]
    assert attributes["returnTotals"] == {
        "refundTotal": 0,
        "remunerationTotal": item_a["sumPriceToPayAggregation"],
    }
    [returned] = attributes["returnItems"]
    assert returned["reason"] == "Damaged"
    assert returned["orderItem"]["uuid"] == item_a["uuid"]
    assert returned["orderItem"]["orderReference"] == order_ref
    assert returned["orderItem"]["isReturnable"] is False

    items = {
        i["uuid"]: i
        for i in sonia.get(f"/glue/orders/{order_ref}").json()["data"]["attributes"]["items"]
    }
    assert items[item_a["uuid"]]["isReturnable"] is False
    assert items[item_b["uuid"]]["isReturnable"] is True

    again = sonia.post("/glue/returns", json=return_body(item_a["uuid"]))
    assert_glue_error(again, 422, CANT_CREATE, "3601")
    fetched = sonia.get(f"/glue/returns/{expected_ref}")
    assert fetched.status_code == 200
    assert fetched.json() == created.json()


@pytest.mark.parametrize(
    "case", ["unknown-uuid", "foreign-item", "not-returnable", "wrong-store", "duplicate-uuid"]
)
def test_create_return_refuses_items_it_cannot_return(
    case: str, sonia: httpx.Client, spencor: httpx.Client
) -> None:
    _, item_a, _ = two_merchant_order(sonia)
    if case == "unknown-uuid":
        body = return_body("00000000-0000-4000-8000-000000000000")
    elif case == "foreign-item":
        body = return_body(two_merchant_order(spencor)[1]["uuid"])
    elif case == "not-returnable":
        blocked = [
            i
            for o in orders_with_items(sonia)
            for i in o["attributes"]["items"]
            if not i["isReturnable"]
        ]
        body = return_body(blocked[0]["uuid"])
    elif case == "wrong-store":
        body = return_body(item_a["uuid"], store="AT")
    else:
        body = return_body(item_a["uuid"], item_a["uuid"])
    before = my_returns(sonia)

    assert_glue_error(sonia.post("/glue/returns", json=body), 422, CANT_CREATE, "3601")
    assert my_returns(sonia) == before


def test_items_of_two_merchants_are_refused(sonia: httpx.Client) -> None:
    order_ref, item_a, item_b = two_merchant_order(sonia)

    response = sonia.post("/glue/returns", json=return_body(item_a["uuid"], item_b["uuid"]))

    assert_glue_error(response, 422, "Return contains items from different merchants.", "3603")
    items = sonia.get(f"/glue/orders/{order_ref}").json()["data"]["attributes"]["items"]
    assert all(i["isReturnable"] for i in items), "a refused return must not change the order"


def test_list_returns_shows_only_the_callers_returns(
    sonia: httpx.Client, spencor: httpx.Client
) -> None:
    _, item_a, _ = two_merchant_order(sonia)
    created = sonia.post("/glue/returns", json=return_body(item_a["uuid"])).json()["data"]["id"]

    mine = my_returns(sonia)["data"]
    theirs = my_returns(spencor)["data"]

    assert created in [r["id"] for r in mine]
    assert created not in [r["id"] for r in theirs]
    assert {r["attributes"]["customerReference"] for r in mine} == {"DE--1"}
    assert {r["attributes"]["customerReference"] for r in theirs} == {"DE--2"}
    assert all("returnItems" not in r["attributes"] for r in mine), "lists embed no items"
    assert all("relationships" not in r for r in mine), "no relationships without include"


def test_list_returns_is_paginated_as_glue_does(sonia: httpx.Client) -> None:
    _, item_a, item_b = two_merchant_order(sonia)
    for item in (item_a, item_b):
        assert sonia.post("/glue/returns", json=return_body(item["uuid"])).status_code == 201
    everything = [r["id"] for r in my_returns(sonia)["data"]]
    assert len(everything) >= 3
    numbers = [int(ref.rsplit("-R", 1)[1]) for ref in everything]
    assert numbers == sorted(numbers, reverse=True), "newest first"
    base = f"{str(sonia.base_url).rstrip('/')}/glue/returns"
    last = 2 * ((len(everything) - 1) // 2)

    def page(offset: int) -> str:
        """The link Glue writes for the page at ``offset``."""
        return f"{base}?page[offset]={offset}&page[limit]=2"

    first = my_returns(sonia, "?page[offset]=0&page[limit]=2")
    assert [r["id"] for r in first["data"]] == everything[:2]
    assert first["links"] == {
        "self": page(0),
        "last": page(last),
        "first": page(0),
        "next": page(2),
    }
    second = my_returns(sonia, "?page[offset]=2&page[limit]=2")
    assert [r["id"] for r in second["data"]] == everything[2:4]
    assert second["links"]["prev"] == page(0)
    assert second["links"]["first"] == page(0)
    assert second["links"]["last"] == page(last)
    assert ("next" in second["links"]) == (len(everything) > 4)

    unpaged = my_returns(sonia, "?page[offset]=1")
    assert [r["id"] for r in unpaged["data"]] == everything, "both parameters or none"
    assert unpaged["links"] == {"self": f"{base}?page[offset]=1"}
    assert my_returns(sonia)["links"] == {"self": base}


@pytest.mark.parametrize(
    "query",
    [
        "page[offset]=-1&page[limit]=2",
        "page[offset]=0&page[limit]=0",
        "page[offset]=abc&page[limit]=2",
        "page[offset]=0&page[limit]=1.5",
    ],
)
@pytest.mark.parametrize("path", ["/glue/returns", "/glue/orders", "/glue/return-reasons"])
def test_invalid_pagination_is_400_without_code(
    path: str, query: str, sonia_client: httpx.Client
) -> None:
    response = sonia_client.get(f"{path}?{query}")
    assert_glue_error(response, 400, "Pagination parameters are invalid.")


def test_orders_are_paginated_too(sonia: httpx.Client) -> None:
    everything = [o["id"] for o in sonia.get("/glue/orders").json()["data"]]
    response = sonia.get("/glue/orders?page[offset]=1&page[limit]=2")
    assert response.status_code == 200
    assert [o["id"] for o in response.json()["data"]] == everything[1:3]
    assert set(response.json()["links"]) >= {"self", "first", "last", "prev"}


def test_get_return_is_the_callers_own(sonia: httpx.Client, spencor: httpx.Client) -> None:
    own = my_returns(sonia)["data"][0]
    foreign = my_returns(spencor)["data"][0]["id"]

    response = sonia.get(f"/glue/returns/{own['id']}")
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["id"] == own["id"]
    assert {k: data["attributes"][k] for k in own["attributes"]} == own["attributes"]

    assert_glue_error(sonia.get("/glue/returns/DE--1-R999"), 404, NOT_FOUND_RETURN, "3602")
    assert_glue_error(sonia.get(f"/glue/returns/{foreign}"), 404, NOT_FOUND_RETURN, "3602")


def test_orders_of_another_customer_are_not_found(
    sonia: httpx.Client, spencor: httpx.Client
) -> None:
    foreign = spencor.get("/glue/orders").json()["data"][0]["id"]
    for ref in (foreign, "DE--999"):
        assert_glue_error(
            sonia.get(f"/glue/orders/{ref}"),
            404,
            "Can't find order by the given order reference",
            "801",
        )


@pytest.mark.parametrize("read", ["create", "get", "list"])
def test_include_builds_a_correct_compound_document(read: str, sonia: httpx.Client) -> None:
    order_ref, item_a, _ = two_merchant_order(sonia)
    include = "?include=return-items,order-items"
    created = sonia.post(f"/glue/returns{include}", json=return_body(item_a["uuid"]))
    assert created.status_code == 201, created.text
    ref = created.json()["data"]["id"]
    if read == "create":
        document = created.json()
    elif read == "get":
        document = sonia.get(f"/glue/returns/{ref}{include}").json()
    else:
        document = my_returns(sonia, include)
    resources = document["data"] if isinstance(document["data"], list) else [document["data"]]
    included = {(r["type"], r["id"]): r for r in document["included"]}
    assert len(included) == len(document["included"]), "no duplicates in included"

    linked_return_items = [
        (rel["type"], rel["id"])
        for resource in resources
        for rel in resource["relationships"]["return-items"]["data"]
    ]
    linked_order_items = []
    for key in linked_return_items:
        return_item = included[key]
        assert return_item["attributes"]["uuid"] == key[1]
        [order_item] = return_item["relationships"]["order-items"]["data"]
        assert order_item["id"] == return_item["attributes"]["orderItemUuid"]
        linked_order_items.append((order_item["type"], order_item["id"]))
    assert set(included) == set(linked_return_items) | set(linked_order_items)

    order = sonia.get(f"/glue/orders/{order_ref}").json()["data"]["attributes"]["items"]
    this = next(r for r in resources if r["id"] == ref)
    [rel] = this["relationships"]["return-items"]["data"]
    order_item = included[
        ("order-items", included[(rel["type"], rel["id"])]["attributes"]["orderItemUuid"])
    ]
    assert order_item["id"] == item_a["uuid"]
    expected = next(i for i in order if i["uuid"] == item_a["uuid"])
    assert order_item["attributes"]["orderReference"] == order_ref
    assert {k: v for k, v in order_item["attributes"].items() if k != "orderReference"} == {
        k: v for k, v in expected.items() if k != "orderReference"
    }


def test_concurrent_creates_never_corrupt_state(
    live_mock: LiveMock, sonia: httpx.Client, spencor: httpx.Client
) -> None:
    plans = {}
    for name, client in (("DE--1", sonia), ("DE--2", spencor)):
        uuids = [i["uuid"] for i in returnable_items(client)]
        assert uuids
        plans[name] = (client, [uuids[n % len(uuids)] for n in range(10)], set(uuids))

    async def fire() -> list[tuple[str, str, httpx.Response]]:
        """All 20 creates at once: (customer, item uuid, response)."""
        async with httpx.AsyncClient(base_url=live_mock.url, timeout=60) as client:
            jobs = [
                (
                    name,
                    uuid,
                    client.post(
                        "/glue/returns",
                        headers=dict(session.headers),
                        json=return_body(uuid),
                    ),
                )
                for name, (session, uuids, _) in plans.items()
                for uuid in uuids
            ]
            responses = await asyncio.gather(*(job for _, _, job in jobs))
            return [(name, uuid, r) for (name, uuid, _), r in zip(jobs, responses, strict=True)]

    results = asyncio.run(fire())

    assert len(results) == 20
    created = [(n, u, r.json()["data"]) for n, u, r in results if r.status_code == 201]
    for _, _, response in results:
        if response.status_code != 201:
            assert_glue_error(response, 422, CANT_CREATE, "3601")
    references = [d["id"] for _, _, d in created]
    assert len(references) == len(set(references)), "every reference is distinct"
    returned = Counter(u for _, u, _ in created)
    for name, (session, _, distinct) in plans.items():
        mine = {u for n, u, _ in created if n == name}
        assert mine == distinct, "every item returned exactly once"
        assert all(returned[u] == 1 for u in mine)
        assert not returnable_items(session)
        listed = {r["id"] for r in my_returns(session)["data"]}
        assert {d["id"] for n, _, d in created if n == name} <= listed
    for name, _, data in created:
        assert data["attributes"]["customerReference"] == name
        assert data["id"].startswith(f"{name}-R")
    state = httpx.get(f"{live_mock.url}/__admin/state").json()["glue"]
    assert state["returnsCreated"] == len(created)


# ----------------------------------------------------------------------------- auth


def test_login_and_refresh(anonymous: httpx.Client) -> None:
    issued = login(anonymous, *SONIA)
    assert issued.status_code == 201, issued.text
    assert issued.headers["content-type"] == JSONAPI
    data = issued.json()["data"]
    assert data["type"] == "access-tokens"
    assert data["id"] is None
    attributes = data["attributes"]
    assert attributes["tokenType"] == "Bearer"
    assert attributes["expiresIn"] == 28800
    assert "refreshTokenExpiresIn" not in attributes  # no source has it (issue 10, glue-F1)
    headers = {"Accept": JSONAPI, "Authorization": f"Bearer {attributes['accessToken']}"}
    assert anonymous.get("/glue/orders", headers=headers).status_code == 200

    def refresh(token: str) -> httpx.Response:
        """POST /glue/refresh-tokens with ``token``."""
        return anonymous.post(
            "/glue/refresh-tokens",
            headers=GLUE_HEADERS,
            json={"data": {"type": "refresh-tokens", "attributes": {"refreshToken": token}}},
        )

    refreshed = refresh(attributes["refreshToken"])
    assert refreshed.status_code == 201, refreshed.text
    fresh = refreshed.json()["data"]
    assert fresh["type"] == "refresh-tokens"
    assert fresh["attributes"]["expiresIn"] == 28800
    assert fresh["attributes"]["accessToken"] != attributes["accessToken"]
    assert fresh["attributes"]["refreshToken"] != attributes["refreshToken"]
    new_headers = {
        "Accept": JSONAPI,
        "Authorization": f"Bearer {fresh['attributes']['accessToken']}",
    }
    orders = anonymous.get("/glue/orders", headers=new_headers)
    assert orders.status_code == 200
    assert {o["id"] for o in orders.json()["data"]} == {
        o["id"] for o in anonymous.get("/glue/orders", headers=headers).json()["data"]
    }

    assert_glue_error(refresh(attributes["refreshToken"]), 401, "Failed to refresh token.", "004")
    assert_glue_error(refresh("def50200unknown"), 401, "Failed to refresh token.", "004")
    assert refresh(fresh["attributes"]["refreshToken"]).status_code == 201


@pytest.mark.parametrize(
    "credentials",
    [
        (SONIA[0], "wrong"),
        ("nobody@spryker.com", "change123"),
        (SONIA[0], "pässwörd"),  # non-ASCII must not crash the comparison
        (SONIA[0], "\ud800"),  # a lone surrogate, valid in JSON
    ],
)
def test_wrong_credentials_are_003(credentials: tuple[str, str], anonymous: httpx.Client) -> None:
    response = login(anonymous, *credentials)
    assert_glue_error(response, 401, "Failed to authenticate user.", "003")


@pytest.mark.parametrize("field", ["username", "password"])
def test_blank_credentials_are_901(field: str, anonymous: httpx.Client) -> None:
    username, password = SONIA
    response = login(anonymous, *(("", password) if field == "username" else (username, " ")))
    assert_glue_error(response, 422, f"{field} => This value should not be blank.", "901")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_token_is_002(method: str, path: str, anonymous: httpx.Client) -> None:
    response = anonymous.request(method, path, headers=GLUE_HEADERS, json=return_body("x"))
    assert_glue_error(response, 403, "Missing access token.", "002")
    assert "www-authenticate" not in response.headers


@pytest.mark.parametrize("authorization", ["Bearer nope", "Bearer", "Basic c29uaWE6eA==", "nope"])
@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_bad_token_is_001(
    method: str, path: str, authorization: str, anonymous: httpx.Client
) -> None:
    response = anonymous.request(
        method, path, headers=GLUE_HEADERS | {"Authorization": authorization}, json=return_body("x")
    )
    assert_glue_error(response, 401, INVALID_TOKEN, "001")
    assert response.headers["www-authenticate"] == WWW_AUTHENTICATE


def test_expired_token_is_001(short_ttl_mock: Future[LiveMock]) -> None:
    mock = short_ttl_mock.result()
    with httpx.Client(base_url=mock.url, timeout=30) as client:
        for _ in range(3):  # on a loaded machine the first use may already be a second late
            issued_at = time.monotonic()
            issued = login(client, *SONIA)
            assert issued.json()["data"]["attributes"]["expiresIn"] == 1
            token = issued.json()["data"]["attributes"]["accessToken"]
            headers = {"Accept": JSONAPI, "Authorization": f"Bearer {token}"}
            fresh = client.get("/glue/orders", headers=headers)
            if time.monotonic() - issued_at < 0.9:
                break
        assert fresh.status_code == 200, "a token works while it lives"
        time.sleep(1.5)
        response = client.get("/glue/orders", headers=headers)
        assert_glue_error(response, 401, INVALID_TOKEN, "001")
        assert response.headers["www-authenticate"] == WWW_AUTHENTICATE
    assert "Traceback" not in mock.log()


@pytest.mark.parametrize(
    ("accept_language", "language", "reasons"),
    [
        (None, "en_US", ["Damaged", "Wrong Item", "No longer needed"]),
        ("de", "de_DE", ["Beschädigt", "Falscher Artikel", "Nicht mehr benötigt"]),
        ("de-DE,en;q=0.5", "de_DE", ["Beschädigt", "Falscher Artikel", "Nicht mehr benötigt"]),
        ("fr, de;q=0.2, en;q=0.8", "en_US", ["Damaged", "Wrong Item", "No longer needed"]),
        ("fr", "en_US", ["Damaged", "Wrong Item", "No longer needed"]),
    ],
)
def test_return_reasons_are_public_and_localized(
    accept_language: str | None, language: str, reasons: list[str], anonymous: httpx.Client
) -> None:
    headers = {"Accept": JSONAPI}
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    response = anonymous.get("/glue/return-reasons", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == JSONAPI
    assert response.headers["content-language"] == language
    data = response.json()["data"]
    assert [r["attributes"]["reason"] for r in data] == reasons
    assert {(r["type"], r["id"]) for r in data} == {("return-reasons", None)}


# ----------------------------------------------------------------------------- error envelope


def without_accept(
    client: httpx.Client, method: str, path: str, **kwargs: object
) -> httpx.Response:
    """Send a request with no ``Accept`` header at all (httpx adds ``*/*`` by default)."""
    request = client.build_request(method, path, **kwargs)  # type: ignore[arg-type]
    del request.headers["Accept"]
    return client.send(request)


@pytest.mark.parametrize(("method", "path"), [("GET", "/glue/return-reasons"), *PROTECTED])
@pytest.mark.parametrize("accept", [None, "text/html", "application/json", "application/*;q=0"])
def test_406_without_an_acceptable_accept(
    method: str, path: str, accept: str | None, anonymous: httpx.Client
) -> None:
    headers = {"Content-Type": JSONAPI}
    if accept is None:
        response = without_accept(anonymous, method, path, headers=headers, json=return_body("x"))
    else:
        headers["Accept"] = accept
        response = anonymous.request(method, path, headers=headers, json=return_body("x"))
    assert_glue_error(response, 406, "Not acceptable.")


@pytest.mark.parametrize(
    "accept", [JSONAPI, f"{JSONAPI}; version=1.1", "application/*", "*/*", f"text/html, {JSONAPI}"]
)
def test_acceptable_accept_headers(accept: str, anonymous: httpx.Client) -> None:
    assert anonymous.get("/glue/return-reasons", headers={"Accept": accept}).status_code == 200


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
def test_415_for_another_media_type(content_type: str | None, sonia_client: httpx.Client) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    request = sonia_client.build_request(
        "POST", "/glue/returns", content=b'{"data": {}}', headers=headers
    )
    if content_type is None:
        del request.headers["Content-Type"]
    assert_glue_error(sonia_client.send(request), 415, "Unsupported media type.")


@pytest.mark.parametrize(
    ("attributes", "detail"),
    [
        (
            {"returnItems": [{"salesOrderItemUuid": "x"}]},
            "store => This value should not be blank.",
        ),
        ({"store": "DE"}, "returnItems => This value should not be blank."),
        (
            {"store": "DE", "returnItems": []},
            "returnItems => This collection should contain 1 element or more.",
        ),
        (
            {"store": "DE", "returnItems": [{"reason": "x"}]},
            "returnItems.0.salesOrderItemUuid => This value should not be blank.",
        ),
    ],
)
def test_invalid_body_is_901(attributes: dict, detail: str, sonia_client: httpx.Client) -> None:
    body = {"data": {"type": "returns", "attributes": attributes}}
    assert_glue_error(sonia_client.post("/glue/returns", json=body), 422, detail, "901")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/glue/returns", {"data": {"type": "x", "attributes": {"store": "DE"}}}),
        ("/glue/access-tokens", {"data": {"type": "returns", "attributes": {}}}),
        ("/glue/refresh-tokens", {"data": {"type": "access-tokens", "attributes": {}}}),
    ],
)
def test_wrong_data_type_is_invalid_type(path: str, body: dict, sonia_client: httpx.Client) -> None:
    assert_glue_error(sonia_client.post(path, json=body), 400, "Invalid type.")


@pytest.mark.parametrize(
    "raw",
    [b'{"data":', b"", b"[]", b'"text"', b'{"nodata": 1}', b'{"data": "x"}', b"\xff\xfe"],
    ids=["truncated", "empty", "array", "string", "no-data", "data-not-object", "not-utf8"],
)
@pytest.mark.parametrize("path", ["/glue/returns", "/glue/access-tokens", "/glue/refresh-tokens"])
def test_malformed_post_data(path: str, raw: bytes, sonia_client: httpx.Client) -> None:
    response = sonia_client.post(path, content=raw)
    assert_glue_error(response, 400, "Post data is invalid.")


def test_413_for_a_huge_body(sonia_client: httpx.Client) -> None:
    response = sonia_client.post("/glue/returns", content=b" " * 1_100_000)
    assert_glue_error(response, 413, "Request body is too large.")


@pytest.mark.parametrize("path", ["/glue/nope", "/glue/returns/DE--1-R1/items", "/glue/orders/a/b"])
def test_unknown_route_is_404(path: str, sonia_client: httpx.Client) -> None:
    assert_glue_error(sonia_client.get(path), 404, "Not Found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/glue/returns", {"GET", "POST"}),
        ("PUT", "/glue/returns/DE--1-R1", {"GET"}),
        ("PATCH", "/glue/orders", {"GET"}),
        ("GET", "/glue/access-tokens", {"POST"}),
        ("DELETE", "/glue/return-reasons", {"GET"}),
    ],
)
def test_wrong_method_is_404_like_real_glue(
    method: str, path: str, allowed: set[str], sonia_client: httpx.Client
) -> None:
    """Real Glue answers a wrong method 404 "Not Found" without Allow (issue 10 pt 6, glue-A3);
    this test asserted 405 with Allow before."""
    response = sonia_client.request(method, path)
    assert_glue_error(response, 404, "Not Found")
    assert "allow" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/glue/returns/%ff", {}),
        ("GET", "/glue/orders?page[offset]=99999999999999999999&page[limit]=9999999999999", {}),
        ("GET", "/glue/return-reasons", {"headers": {"Accept-Language": "*;q=abc,de;q=x"}}),
        ("GET", "/glue/returns?include=" + "x," * 2000, {}),
        ("POST", "/glue/returns", {"content": b"[" * 100_000 + b"]" * 100_000}),
        ("POST", "/glue/returns", {"content": b'{"a":' * 5000 + b"1" + b"}" * 5000}),
        ("POST", "/glue/returns", {"json": {"data": {"type": "returns", "attributes": None}}}),
        ("POST", "/glue/returns", {"content": json.dumps(return_body("\0", store="\ud800"))}),
        ("GET", "/glue/orders/" + "x" * 5000, {}),
    ],
)
def test_no_5xx_for_a_clients_mistake(
    method: str, path: str, kwargs: dict, sonia_client: httpx.Client
) -> None:
    response = sonia_client.request(method, path, **kwargs)
    assert response.status_code < 500, response.text
    assert_no_leak(response)
    if response.status_code >= 400:
        assert response.headers["content-type"] == JSONAPI
        assert set(response.json()) == {"errors"}
