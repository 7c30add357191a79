"""Control over real HTTP: Prism-style ``Prefer``, latency, faults, CORS and the admin API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import closing

import httpx
import pytest
from support import (
    JSONAPI,
    SONIA,
    SPENCOR,
    LiveMock,
    assert_glue_error,
    assert_sendcloud_error,
    glue_session,
    login,
    mock_in_background,
    orders_with_items,
    return_body,
    two_merchant_order,
)
from support.contracts import load_spec, response_validator

SC = "/sendcloud/api/v2"
PREFLIGHT = {
    "Origin": "https://shop.example.com",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type",
}


@pytest.fixture(scope="module")
def sonia(live_mock_process: LiveMock) -> Iterator[httpx.Client]:
    """Sonia (DE--1), logged in once for the module."""
    client = glue_session(live_mock_process.url, SONIA)
    yield client
    client.close()


@pytest.fixture(scope="module")
def sendcloud(live_mock_process: LiveMock) -> Iterator[httpx.Client]:
    """A client with the seeded Sendcloud Basic credentials."""
    basic = httpx.get(f"{live_mock_process.url}/__admin/accounts").json()["sendcloud"]["basic"][0]
    with httpx.Client(
        base_url=live_mock_process.url, auth=(basic["publicKey"], basic["secretKey"]), timeout=30
    ) as client:
        yield client


@pytest.fixture(scope="module", autouse=True)
def tuned_mock_starting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Future[LiveMock]]:
    """A second mock with every global knob turned: latency, faults on every request, no CORS.

    Started in the background when the module starts; the tests that use it wait for it.
    """
    args = ("--latency", "300", "--fault-rate", "1", "--no-cors")
    with mock_in_background(tmp_path_factory.mktemp("tuned"), *args) as future:
        yield future


@pytest.fixture
def tuned_mock(tuned_mock_starting: Future[LiveMock]) -> LiveMock:
    """The tuned mock, once it answers."""
    return tuned_mock_starting.result()


def served(documented: object, mock_url: str) -> object:
    """A documented Glue example as the mock serves it: links to the mock itself (issue 10
    pt 10, glue-F10); before issue 10 the documented host was served verbatim."""
    text = json.dumps(documented).replace("https://glue.mysprykershop.com", f"{mock_url}/glue")
    return json.loads(text)


def example(api: str, operation_id: str, status: int, name: str) -> object:
    """A documented example value of an operation's response."""
    spec = load_spec(api)
    operation = next(
        op
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == operation_id
    )
    response = operation["responses"][str(status)]
    while "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    value = next(iter(response["content"].values()))["examples"][name]
    while "$ref" in value:
        value = spec["components"]["examples"][value["$ref"].rsplit("/", 1)[1]]
    return value["value"]


# ----------------------------------------------------------------------------- Prefer


def test_prefer_code_answers_the_documented_example(sonia: httpx.Client) -> None:
    own = sonia.get("/glue/returns").json()["data"][0]["id"]
    response = sonia.get(f"/glue/returns/{own}", headers={"Prefer": "code=404"})
    assert_glue_error(
        response, 404, "Can't find return by the given return reference.", code="3602"
    )
    assert response.json() == example("glue", "getReturn", 404, "3602")


def test_prefer_code_on_sendcloud(sendcloud: httpx.Client) -> None:
    response = sendcloud.get(f"{SC}/returns", headers={"Prefer": "code=429"})
    assert response.status_code == 429
    assert response.json() == example(
        "sendcloud", "sc-public-v2-scp-get-all_returns", 429, "Throttled"
    )


@pytest.mark.parametrize(
    ("name", "status"), [("3603", 422), ("901", 422), ("created", 201), ("3601", 422)]
)
def test_prefer_example_by_name(
    name: str, status: int, sonia: httpx.Client, live_mock: LiveMock
) -> None:
    response = sonia.post(
        "/glue/returns", json=return_body("anything"), headers={"Prefer": f"example={name}"}
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSONAPI
    assert response.json() == served(example("glue", "createReturn", status, name), live_mock.url)


def test_prefer_example_on_a_collection_and_on_sendcloud(
    sonia: httpx.Client, sendcloud: httpx.Client, live_mock: LiveMock
) -> None:
    paged = sonia.get("/glue/returns", headers={"Prefer": "example=paginated"})
    assert paged.status_code == 200
    assert paged.json() == served(example("glue", "listReturns", 200, "paginated"), live_mock.url)
    cursor = sendcloud.get(f"{SC}/returns/1", headers={"Prefer": "example=InvalidCursor"})
    assert cursor.status_code == 404
    assert cursor.json() == {
        "error": {"code": 404, "request": "api/v2/returns", "message": "Invalid cursor"}
    }


@pytest.mark.parametrize(
    ("path", "operation_id"),
    [
        ("/glue/returns/DE--1-R1", "getReturn"),
        ("/glue/orders/DE--1", "getOrder"),
        ("/glue/returns", "listReturns"),
        ("/glue/orders", "listOrders"),
        ("/glue/return-reasons", "listReturnReasons"),
    ],
)
def test_prefer_dynamic_is_valid_and_deterministic_glue(
    path: str, operation_id: str, sonia: httpx.Client
) -> None:
    validator = response_validator("glue", operation_id, 200)
    first = sonia.get(path, headers={"Prefer": "dynamic=true"})
    again = sonia.get(path, headers={"Prefer": "dynamic=true"})
    other = sonia.get(f"{path}?x=1", headers={"Prefer": "dynamic=true"})
    real = sonia.get(path)

    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == JSONAPI
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(first.json())]
    assert not errors
    assert first.content == again.content, "same request, same body"
    assert other.content != first.content, "another request, another body"
    assert first.json() != real.json(), "dynamic data is generated, not the world"


@pytest.mark.parametrize(
    ("path", "operation_id"),
    [
        (f"{SC}/returns/1", "sc-public-v2-scp-get-return_by_id"),
        (f"{SC}/returns", "sc-public-v2-scp-get-all_returns"),
    ],
)
def test_prefer_dynamic_is_valid_and_deterministic_sendcloud(
    path: str, operation_id: str, sendcloud: httpx.Client
) -> None:
    validator = response_validator("sendcloud", operation_id, 200)
    first = sendcloud.get(path, headers={"Prefer": "dynamic=true"})
    again = sendcloud.get(path, headers={"Prefer": "dynamic=true"})
    assert first.status_code == 200, first.text
    assert not [e.message for e in validator.iter_errors(first.json())]
    assert first.content == again.content


def test_prefer_dynamic_post_is_valid(sonia: httpx.Client) -> None:
    before = len(sonia.get("/glue/returns").json()["data"])
    response = sonia.post(
        "/glue/returns", json=return_body("anything"), headers={"Prefer": "dynamic=true"}
    )
    assert response.status_code == 201, response.text
    assert not list(response_validator("glue", "createReturn", 201).iter_errors(response.json()))
    # generated, not created: the world is unchanged (the id is a plausible one, maybe existing)
    assert len(sonia.get("/glue/returns").json()["data"]) == before


@pytest.mark.parametrize(
    ("prefer", "detail"),
    [
        ("code=418", "Prefer: code=418 is not documented for getReturn"),
        ("example=nope", "Prefer: example=nope is not an example of getReturn"),
        ("code=abc", "Invalid Prefer header: code='abc' is not an HTTP status"),
        ("delay=-5", "Invalid Prefer header: delay='-5' must be 0..60000 ms"),
        ("dynamic=maybe", "Invalid Prefer header: dynamic='maybe' must be true or false"),
    ],
)
def test_bad_prefer_is_400_in_the_envelope(prefer: str, detail: str, sonia: httpx.Client) -> None:
    response = sonia.get("/glue/returns/DE--1-R1", headers={"Prefer": prefer})
    assert response.status_code == 400
    assert response.headers["content-type"] == JSONAPI
    [error] = response.json()["errors"]
    assert error["status"] == 400
    assert "code" not in error
    assert error["detail"].startswith(detail)


def test_bad_prefer_on_sendcloud(sendcloud: httpx.Client) -> None:
    response = sendcloud.get(f"{SC}/returns/1", headers={"Prefer": "code=418"})
    assert response.status_code == 400
    assert response.json()["error"]["request"] == "api/v2/returns/1"
    assert response.json()["error"]["message"].startswith("Prefer: code=418 is not documented")


def test_prefer_delay_waits(sonia: httpx.Client, sendcloud: httpx.Client) -> None:
    for client, path in ((sonia, "/glue/return-reasons"), (sendcloud, f"{SC}/returns/1")):
        started = time.monotonic()
        response = client.get(path, headers={"Prefer": "delay=400"})
        assert response.status_code in (200, 404)
        assert time.monotonic() - started >= 0.35
    started = time.monotonic()
    combined = sonia.get("/glue/returns/DE--1-R1", headers={"Prefer": "code=404, delay=300"})
    assert combined.status_code == 404
    assert time.monotonic() - started >= 0.25


# ----------------------------------------------------------------------------- global knobs


def test_latency_delays_every_api_request(tuned_mock: LiveMock) -> None:
    for path in ("/glue/return-reasons", f"{SC}/returns"):
        started = time.monotonic()
        httpx.get(f"{tuned_mock.url}{path}", headers={"Accept": JSONAPI}, timeout=30)
        assert time.monotonic() - started >= 0.25, path


def test_fault_rate_answers_500_in_each_envelope(tuned_mock: LiveMock) -> None:
    glue = httpx.get(f"{tuned_mock.url}/glue/return-reasons", headers={"Accept": JSONAPI})
    assert_glue_error(glue, 500, "Injected fault (--fault-rate 1.0).")
    token = httpx.post(
        f"{tuned_mock.url}/glue/access-tokens",
        headers={"Accept": JSONAPI, "Content-Type": JSONAPI},
        content=b"{}",
    )
    assert_glue_error(token, 500, "Injected fault (--fault-rate 1.0).")
    sendcloud = httpx.get(f"{tuned_mock.url}{SC}/returns/7")
    assert_sendcloud_error(sendcloud, 500, "api/v2/returns/7", "Injected fault (--fault-rate 1.0).")
    assert httpx.get(f"{tuned_mock.url}/__admin/state").status_code == 200, "admin never faults"
    assert "Traceback" not in tuned_mock.log()


def test_no_cors_turns_cors_off(tuned_mock: LiveMock) -> None:
    preflight = httpx.options(f"{tuned_mock.url}/glue/returns", headers=PREFLIGHT)
    assert not [h for h in preflight.headers if h.startswith("access-control-")]
    assert preflight.status_code == 404  # Glue answers a wrong method 404 (issue 10 pt 6)
    # the index (a cross-origin admin request is refused outright: tests/test_hostile_admin.py)
    simple = httpx.get(f"{tuned_mock.url}/", headers={"Origin": PREFLIGHT["Origin"]})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


# ----------------------------------------------------------------------------- CORS


@pytest.mark.parametrize("origin", ["https://shop.example.com", "http://localhost:3000", "null"])
@pytest.mark.parametrize("path", ["/glue/returns", f"{SC}/returns/1", "/glue/access-tokens"])
def test_cors_preflight_allows_any_origin(origin: str, path: str, live_mock: LiveMock) -> None:
    response = httpx.options(f"{live_mock.url}{path}", headers=PREFLIGHT | {"Origin": origin})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type"} <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]


def test_cors_headers_on_responses_and_errors(sonia: httpx.Client, live_mock: LiveMock) -> None:
    origin = {"Origin": "https://shop.example.com"}
    for response in (
        sonia.get("/glue/return-reasons", headers=origin),
        httpx.get(f"{live_mock.url}/glue/orders", headers=origin | {"Accept": JSONAPI}),
    ):
        assert response.headers["access-control-allow-origin"] == "*"
        exposed = {
            h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
        }
        assert {"www-authenticate", "content-language"} <= exposed


# ----------------------------------------------------------------------------- admin


def test_admin_reset_returns_to_the_seeded_world(live_mock: LiveMock) -> None:
    admin = f"{live_mock.url}/__admin"
    seeded = httpx.get(f"{admin}/state").json()
    with closing(glue_session(live_mock.url, SONIA)) as sonia:
        _, item, _ = two_merchant_order(sonia)
        created = sonia.post("/glue/returns", json=return_body(item["uuid"]))
        assert created.status_code == 201
        ref = created.json()["data"]["id"]
        after = httpx.get(f"{admin}/state").json()["glue"]
        assert after["returns"] == seeded["glue"]["returns"] + 1
        assert after["returnsCreated"] == 1
        assert after["returnableItems"] == seeded["glue"]["returnableItems"] - 1

        reset = httpx.post(f"{admin}/reset")

        assert reset.status_code == 200
        assert reset.json()["reset"] is True
        assert reset.json()["state"]["glue"]["returnsCreated"] == 0
        assert_glue_error(
            sonia.get(f"/glue/returns/{ref}"),
            404,
            "Can't find return by the given return reference.",
            "3602",
        )
        _, again, _ = two_merchant_order(sonia)
        assert again["uuid"] == item["uuid"], "the item is returnable again"
        assert (
            sonia.post("/glue/returns", json=return_body(item["uuid"])).json()["data"]["id"] == ref
        ), "numbering starts over"
    httpx.post(f"{admin}/reset")
    state = httpx.get(f"{admin}/state").json()
    assert {k: v for k, v in state["glue"].items() if "oken" not in k} == {
        k: v for k, v in seeded["glue"].items() if "oken" not in k
    }
    assert state["sendcloud"] == seeded["sendcloud"]


def test_admin_reset_with_another_seed(live_mock: LiveMock) -> None:
    admin = f"{live_mock.url}/__admin"
    original = httpx.get(f"{admin}/accounts").json()
    try:
        assert httpx.post(f"{admin}/reset?seed=7").json()["state"]["glue"]["seed"] == 7
        assert httpx.get(f"{admin}/accounts").json()["sendcloud"] != original["sendcloud"]
    finally:
        httpx.post(f"{admin}/reset?seed=42").raise_for_status()
    assert httpx.get(f"{admin}/accounts").json() == original
    bad = httpx.post(f"{admin}/reset?seed=minus-one")
    assert bad.status_code == 400
    assert bad.json() == {
        "error": {"status": 400, "message": "seed must be a non-negative integer"}
    }


def test_admin_accounts_are_the_seeded_credentials(live_mock: LiveMock) -> None:
    accounts = httpx.get(f"{live_mock.url}/__admin/accounts").json()
    customers = {c["username"]: c for c in accounts["glue"]["customers"]}
    assert customers[SONIA[0]]["password"] == SONIA[1]
    assert customers[SONIA[0]]["customerReference"] == "DE--1"
    assert customers[SPENCOR[0]]["customerReference"] == "DE--2"
    with httpx.Client(base_url=live_mock.url, timeout=30) as client:
        for customer in customers.values():
            assert login(client, customer["username"], customer["password"]).status_code == 201
        basic = accounts["sendcloud"]["basic"][0]
        token = accounts["sendcloud"]["oauth2"][0]["accessToken"]
        assert (
            client.get(f"{SC}/returns", auth=(basic["publicKey"], basic["secretKey"])).status_code
            == 200
        )
        assert (
            client.get(f"{SC}/returns", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )


def test_admin_state_counts_the_world(live_mock: LiveMock) -> None:
    state = httpx.get(f"{live_mock.url}/__admin/state").json()
    accounts = httpx.get(f"{live_mock.url}/__admin/accounts").json()["glue"]["customers"]
    orders = returns = items = returnable = 0
    for customer in accounts:
        credentials = (customer["username"], customer["password"])
        with closing(glue_session(live_mock.url, credentials)) as client:
            details = orders_with_items(client)
            orders += len(details)
            items += sum(len(o["attributes"]["items"]) for o in details)
            returnable += sum(i["isReturnable"] for o in details for i in o["attributes"]["items"])
            returns += len(client.get("/glue/returns").json()["data"])
    glue = state["glue"]
    assert glue["seed"] == 42
    assert glue["customers"] == len(accounts) == 3
    assert (glue["orders"], glue["orderItems"], glue["returnableItems"]) == (
        orders,
        items,
        returnable,
    )
    assert glue["returns"] == returns
    assert glue["returnsCreated"] == 0
    assert state["sendcloud"] == {"seed": 42, "returns": 45}
