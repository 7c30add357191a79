"""Sendcloud over real HTTP: Basic and OAuth2 auth, cursor pagination, reads and error envelope."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator

import httpx
import pytest
from support import LiveMock, assert_no_leak, assert_sendcloud_error
from support.contracts import response_validator

BASE = "/sendcloud/api/v2"
NOT_PROVIDED = "Authentication credentials were not provided."
INVALID = "Invalid username/password."
NO_RETURN = "No Return matches the given query."


@pytest.fixture(scope="module")
def accounts(live_mock_process: LiveMock) -> dict:
    """The seeded Sendcloud credentials, as /__admin/accounts lists them."""
    response = httpx.get(f"{live_mock_process.url}/__admin/accounts")
    assert response.status_code == 200
    return response.json()["sendcloud"]


@pytest.fixture(scope="module")
def sendcloud(live_mock_process: LiveMock, accounts: dict) -> Iterator[httpx.Client]:
    """A client with the seeded HTTP Basic credentials (public key : secret key)."""
    basic = accounts["basic"][0]
    with httpx.Client(
        base_url=live_mock_process.url, auth=(basic["publicKey"], basic["secretKey"]), timeout=30
    ) as client:
        yield client


@pytest.fixture(scope="module")
def anonymous(live_mock_process: LiveMock) -> Iterator[httpx.Client]:
    """A client without credentials."""
    with httpx.Client(base_url=live_mock_process.url, timeout=30) as client:
        yield client


def all_pages(client: httpx.Client) -> list[dict]:
    """Every page of GET /returns, following ``next`` from the first page."""
    pages = []
    url: str | None = f"{BASE}/returns"
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        url = pages[-1]["next"]
        assert len(pages) < 20, "pagination does not end"
    return pages


def test_basic_auth_lists_every_return_through_cursor_pages(sendcloud: httpx.Client) -> None:
    pages = all_pages(sendcloud)
    validator = response_validator("sendcloud", "sc-public-v2-scp-get-all_returns", 200)

    assert [len(p["returns"]) for p in pages] == [20, 20, 5]
    assert pages[0]["previous"] is None
    assert pages[-1]["next"] is None
    for page in pages:
        assert not list(validator.iter_errors(page))
        assert set(page) == {"next", "previous", "returns"}
    for earlier, later in itertools.pairwise(pages):
        assert later["previous"] is not None
        back = sendcloud.get(later["previous"]).json()
        assert back == earlier, "previous leads back to the page before"
    ids = [r["id"] for p in pages for r in p["returns"]]
    assert len(ids) == len(set(ids)) == 45
    created = [r["created_at"] for p in pages for r in p["returns"]]
    assert created == sorted(created), "oldest first"
    assert pages[0]["next"].startswith(
        f"{sendcloud.base_url}".rstrip("/") + f"{BASE}/returns?cursor="
    )


def test_get_return_matches_the_list(sendcloud: httpx.Client) -> None:
    listed = sendcloud.get(f"{BASE}/returns").json()["returns"]
    validator = response_validator("sendcloud", "sc-public-v2-scp-get-return_by_id", 200)
    for entry in (listed[0], listed[7], listed[-1]):
        response = sendcloud.get(f"{BASE}/returns/{entry['id']}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json() == entry
        assert not list(validator.iter_errors(response.json()))


def test_oauth2_bearer_token_works(anonymous: httpx.Client, accounts: dict) -> None:
    token = accounts["oauth2"][0]["accessToken"]
    response = anonymous.get(f"{BASE}/returns", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert len(response.json()["returns"]) == 20


@pytest.mark.parametrize("path", ["/returns", "/returns/1", "/returns?cursor=bz0yMA=="])
def test_missing_credentials_are_401(path: str, anonymous: httpx.Client) -> None:
    response = anonymous.get(f"{BASE}{path}")
    assert_sendcloud_error(response, 401, f"api/v2{path.split('?')[0]}", NOT_PROVIDED)
    assert response.headers["www-authenticate"] == 'Basic realm="api"'


def _basic(user: str, password: str) -> str:
    """An HTTP Basic ``Authorization`` value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        "wrong-public:wrong-secret",
        "right-public:wrong-secret",
        "Basic !!not-base64!!",
        "Basic",
        "Bearer scoauth-wrong",
        "Token abc",
        "ä:ö",
        "Bearer ä",
    ],
)
def test_wrong_credentials_are_401(
    authorization: str, anonymous: httpx.Client, accounts: dict
) -> None:
    public = accounts["basic"][0]["publicKey"]
    if authorization == "wrong-public:wrong-secret":
        header = _basic("wrong", "wrong")
    elif authorization == "right-public:wrong-secret":
        header = _basic(public, "wrong")
    elif authorization == "ä:ö":
        header = _basic("ä", "ö")
    else:
        header = authorization
    response = anonymous.get(f"{BASE}/returns/1", headers={"Authorization": header.encode("utf-8")})
    assert_sendcloud_error(response, 401, "api/v2/returns/1", INVALID)
    assert response.headers["www-authenticate"] == 'Basic realm="api"'


def test_basic_credentials_are_not_a_bearer_token(anonymous: httpx.Client, accounts: dict) -> None:
    secret = accounts["basic"][0]["secretKey"]
    response = anonymous.get(f"{BASE}/returns", headers={"Authorization": f"Bearer {secret}"})
    assert_sendcloud_error(response, 401, "api/v2/returns", INVALID)


@pytest.mark.parametrize(
    "return_id", ["1", "999999", "abc", "-1", "1.5", "99999999999999999999999"]
)
def test_unknown_or_non_integer_id_is_404(return_id: str, sendcloud: httpx.Client) -> None:
    response = sendcloud.get(f"{BASE}/returns/{return_id}")
    assert_sendcloud_error(response, 404, f"api/v2/returns/{return_id}", NO_RETURN)


@pytest.mark.parametrize("cursor", ["zzz", "bz0tMQ==", "bz05OTk=", "eD0x", "%ff", ""])
def test_invalid_cursor_is_404(cursor: str, sendcloud: httpx.Client) -> None:
    response = sendcloud.get(f"{BASE}/returns?cursor={cursor}")
    assert_sendcloud_error(response, 404, "api/v2/returns", "Invalid cursor")


@pytest.mark.parametrize("path", ["/nope", "/returns/1/items", "/parcels"])
def test_unknown_route_is_404(path: str, sendcloud: httpx.Client) -> None:
    assert_sendcloud_error(sendcloud.get(f"{BASE}{path}"), 404, f"api/v2{path}", "Not found.")


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/returns"), ("DELETE", "/returns/1"), ("PUT", "/returns/1"), ("PATCH", "/returns")],
)
def test_405_in_the_envelope_with_allow(method: str, path: str, sendcloud: httpx.Client) -> None:
    response = sendcloud.request(method, f"{BASE}{path}", json={})
    assert_sendcloud_error(response, 405, f"api/v2{path}", "Method not allowed.")
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/returns", {"Accept": "text/html"}),
        ("/returns", {"Accept-Language": "*;q=x"}),
        ("/returns?cursor=" + "A" * 5000, {}),
        ("/returns/" + "9" * 400, {}),
        ("/returns/%00", {}),
    ],
)
def test_no_5xx_for_a_clients_mistake(path: str, headers: dict, sendcloud: httpx.Client) -> None:
    response = sendcloud.get(f"{BASE}{path}", headers=headers)
    assert response.status_code < 500, response.text
    assert_no_leak(response)
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
