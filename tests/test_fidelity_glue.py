"""Issue 10, Glue: the mock behaves as the real Spryker Glue does, over HTTP.

Each test names its source: ``domain-facts`` = ../shared/reference/domain-facts.md, seeds in
../shared/seeds/, Spryker source paths as cited there, and the contract's ``x-seed-decisions``.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from support import (
    GLUE_HEADERS,
    SONIA,
    SPENCOR,
    LiveMock,
    access_token_body,
    assert_glue_error,
    start_mock,
    stop_mock,
)

HINT = "x-mock-hint"


@pytest.fixture(scope="module")
def own_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMock]:
    """A mock of this module's own: revoking, capping and re-seeding tokens here must not end
    the tokens other modules hold on the session mock."""
    mock = start_mock(tmp_path_factory.mktemp("fidelity-glue"), "--validate-responses")
    yield mock
    stop_mock(mock)


@pytest.fixture
def fresh_live_mock(own_mock: LiveMock) -> LiveMock:
    """This module's mock, back to its seeded world (seed 42) before each test."""
    httpx.post(f"{own_mock.url}/__admin/reset?seed=42").raise_for_status()
    return own_mock


@pytest.fixture
def glue(fresh_live_mock: LiveMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{fresh_live_mock.url}/glue", timeout=30) as client:
        yield client


def login(client: httpx.Client, credentials: tuple[str, str] = SONIA) -> dict[str, Any]:
    response = client.post(
        "/access-tokens", headers=GLUE_HEADERS, json=access_token_body(credentials)
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["attributes"]


def bearer(token: str) -> dict[str, str]:
    return {**GLUE_HEADERS, "Authorization": f"Bearer {token}"}


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def refresh(client: httpx.Client, refresh_token: str) -> httpx.Response:
    body = {"data": {"type": "refresh-tokens", "attributes": {"refreshToken": refresh_token}}}
    return client.post("/refresh-tokens", headers=GLUE_HEADERS, json=body)


# ----------------------------------------------------------------------------- point 1


def test_access_token_is_a_jwt_with_sprykers_claims(glue: httpx.Client) -> None:
    """Spryker's "authenticate as a customer" sample token carries aud, jti, iat, nbf, exp, sub,
    scopes with exp - iat == expiresIn; the attributes are tokenType, expiresIn, accessToken,
    refreshToken, idCompanyUser (domain-facts A2; spryker-docs glue-api-authenticate-as-a-
    customer.md). No source has ``refreshTokenExpiresIn`` (contract glue-F1)."""
    before = int(time.time())
    attributes = login(glue)
    assert set(attributes) == {
        "tokenType",
        "expiresIn",
        "accessToken",
        "refreshToken",
        "idCompanyUser",
    }
    claims = jwt_claims(attributes["accessToken"])
    assert set(claims) == {"aud", "jti", "iat", "nbf", "exp", "sub", "scopes"}
    assert claims["exp"] - claims["iat"] == attributes["expiresIn"] == 28800
    assert before - 5 <= claims["iat"] == claims["nbf"] <= int(time.time()) + 5
    assert claims["aud"] == "frontend" and claims["scopes"] == ["customer"]
    assert json.loads(claims["sub"])["customer_reference"] == "DE--1"
    refreshed = refresh(glue, attributes["refreshToken"])
    assert refreshed.status_code == 201
    assert "refreshTokenExpiresIn" not in refreshed.json()["data"]["attributes"]
    assert "exp" in jwt_claims(refreshed.json()["data"]["attributes"]["accessToken"])


# ----------------------------------------------------------------------------- point 2


def test_refresh_tokens_mine_revokes_all_of_the_callers(glue: httpx.Client) -> None:
    """``DELETE /refresh-tokens/mine`` → 204; a revoked refresh token then gets 401/004
    (domain-facts A2 "revoke DELETE /refresh-tokens/mine|{token} → 204"; A3 code 004)."""
    first, second = login(glue), login(glue)
    other = login(glue, SPENCOR)
    response = glue.delete("/refresh-tokens/mine", headers=bearer(first["accessToken"]))
    assert response.status_code == 204 and response.content == b""
    for revoked in (first, second):
        refused = refresh(glue, revoked["refreshToken"])
        assert_glue_error(refused, 401, "Failed to refresh token.", "004")
        assert "revoked" in refused.headers[HINT]
    assert refresh(glue, other["refreshToken"]).status_code == 201, "another customer's stays"
    # access tokens are JWTs: they stay valid until exp
    assert glue.get("/returns", headers=bearer(first["accessToken"])).status_code == 200


def test_refresh_token_by_value_revokes_that_one(glue: httpx.Client) -> None:
    """``DELETE /refresh-tokens/{refreshToken}`` → 204, that token refused (domain-facts A2)."""
    first, second = login(glue), login(glue)
    path = f"/refresh-tokens/{first['refreshToken']}"
    assert glue.delete(path, headers=bearer(first["accessToken"])).status_code == 204
    assert_glue_error(refresh(glue, first["refreshToken"]), 401, "Failed to refresh token.", "004")
    assert refresh(glue, second["refreshToken"]).status_code == 201
    unknown = glue.delete("/refresh-tokens/def50200unknown", headers=bearer(first["accessToken"]))
    assert unknown.status_code == 204
    assert_glue_error(
        glue.delete("/refresh-tokens/mine", headers=GLUE_HEADERS),
        403,
        "Missing access token.",
        "002",
    )


# ----------------------------------------------------------------------------- point 3


@pytest.mark.parametrize("authorization", ["Bearer garbage", "Bearer a.b.c", "Basic eDp5"])
def test_invalid_token_is_refused_on_public_routes(glue: httpx.Client, authorization: str) -> None:
    """A present but invalid token → 401/001 with WWW-Authenticate, also on the public
    /return-reasons (issue 10 pt 3; AccessTokenUserFinder resolves any Authorization given —
    spryker/auth-rest-api, domain-facts A4; contract glue-F3)."""
    response = glue.get("/return-reasons", headers={**GLUE_HEADERS, "Authorization": authorization})
    assert_glue_error(response, 401, "Invalid access token.", "001")
    assert response.headers["www-authenticate"] == 'Bearer realm="Access to shop API"'
    assert glue.get("/return-reasons", headers=GLUE_HEADERS).status_code == 200, "no token: public"


# ----------------------------------------------------------------------------- point 4


@pytest.mark.parametrize("path", ["/return-reasons", "/returns", "/orders/DE--1"])
def test_anonymous_id_with_a_token_is_400_005(glue: httpx.Client, path: str) -> None:
    """``X-Anonymous-Customer-Unique-Id`` + bearer → 400/005 (spryker/auth-rest-api
    Processor/AccessTokens/SimultaneousAuthenticationRestRequestValidator.php: HTTP_BAD_REQUEST,
    RESPONSE_CODE_ANONYMOUS_USER_WITH_ACCESS_TOKEN; domain-facts A3/A4)."""
    token = login(glue)["accessToken"]
    headers = {**bearer(token), "X-Anonymous-Customer-Unique-Id": "guest-1"}
    assert_glue_error(
        glue.get(path, headers=headers),
        400,
        "Headers request error. A user can't act as logged and not logged user at the same time.",
        "005",
    )
    anonymous = {**GLUE_HEADERS, "X-Anonymous-Customer-Unique-Id": "guest-1"}
    assert glue.get("/return-reasons", headers=anonymous).status_code == 200


# ----------------------------------------------------------------------------- point 5


@pytest.mark.parametrize("query", ["page[offset]=1", "page[limit]=1", "page[offset]=0"])
def test_a_lone_page_parameter_is_ignored(glue: httpx.Client, query: str) -> None:
    """Page parameters apply only when both are given (GA RequestFormatter::setPaginationFields,
    domain-facts A2b); a lone well-formed one is ignored: 200, unpaginated (contract glue-F5)."""
    headers = bearer(login(glue)["accessToken"])
    everything = glue.get("/returns", headers=headers).json()["data"]
    response = glue.get(f"/returns?{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == everything
    assert set(response.json()["links"]) == {"self"}


@pytest.mark.parametrize(
    "query",
    [
        "page[offset]=-1&page[limit]=2",
        "page[offset]=0&page[limit]=0",
        "page[offset]=abc&page[limit]=2",
        "page[offset]=0&page[limit]=1.5",
        "page[offset]=+1&page[limit]=2",
        "page[offset]=x",
        "page[limit]=0",
    ],
)
def test_page_parameters_must_be_digits_and_limit_positive(glue: httpx.Client, query: str) -> None:
    """Plain digits and limit > 0, else 400 "Pagination parameters are invalid." without a code
    (PaginationParametersHttpRequestValidator.php, domain-facts A2b); a malformed lone value is
    refused too, as later Spryker versions do (contract glue-F5)."""
    response = glue.get(f"/returns?{query}", headers=bearer(login(glue)["accessToken"]))
    assert_glue_error(response, 400, "Pagination parameters are invalid.")
    assert response.headers[HINT]


# ----------------------------------------------------------------------------- point 6


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/returns"),
        ("PUT", "/returns/DE--1-R1"),
        ("GET", "/access-tokens"),
        ("PATCH", "/orders"),
    ],
)
def test_wrong_method_is_404_not_found(glue: httpx.Client, method: str, path: str) -> None:
    """Real Glue answers a wrong method like a wrong URL: 404 {"status":404,"detail":"Not Found"}
    (Spryker generic errors: "Wrong request URL, type, or method"; GA ErrorRestController::
    resourceNotFoundAction; domain-facts A3; contract glue-A3)."""
    response = glue.request(method, path, headers=bearer(login(glue)["accessToken"]))
    assert_glue_error(response, 404, "Not Found")
    assert "allow" not in response.headers


# ----------------------------------------------------------------------------- point 7


def test_self_link_of_the_requested_resource_carries_the_query(
    glue: httpx.Client, fresh_live_mock: LiveMock
) -> None:
    """links.self = {domain}/{type}/{id} + the request's query, brackets unencoded
    (domain-facts A2b; marketplace sample `.../returns/DE--21-R4?include=return-items`;
    orders sample `…/orders?page[offset]=2&page[limit]=2`; contract glue-F7)."""
    headers = bearer(login(glue)["accessToken"])
    base = f"{fresh_live_mock.url}/glue"
    reference = glue.get("/returns", headers=headers).json()["data"][0]["id"]
    one = glue.get(f"/returns/{reference}?include=return-items", headers=headers).json()
    assert one["data"]["links"]["self"] == f"{base}/returns/{reference}?include=return-items"
    page = glue.get("/orders?page[offset]=2&page[limit]=2", headers=headers).json()
    assert page["links"]["self"] == f"{base}/orders?page[offset]=2&page[limit]=2"
    plain = glue.get(f"/returns/{reference}", headers=headers).json()
    assert plain["data"]["links"]["self"] == f"{base}/returns/{reference}"


# ----------------------------------------------------------------------------- point 8


@pytest.mark.parametrize("store", ["", None])
def test_blank_store_is_422_901_like_a_missing_one(glue: httpx.Client, store: str | None) -> None:
    """`store: NotBlank` (SRRA resources/api/storefront/returns.validation.yml, domain-facts A2):
    blank and missing both → 422/901 "store => This value should not be blank." (glue-F8)."""
    attributes: dict[str, Any] = {"returnItems": [{"salesOrderItemUuid": "x"}]}
    if store is not None:
        attributes["store"] = store
    body = {"data": {"type": "returns", "attributes": attributes}}
    response = glue.post("/returns", headers=bearer(login(glue)["accessToken"]), json=body)
    assert_glue_error(response, 422, "store => This value should not be blank.", "901")


@pytest.mark.parametrize(
    ("path", "attributes", "field"),
    [
        ("/access-tokens", {"username": "", "password": "x"}, "username"),
        ("/access-tokens", {"username": "sonia@spryker.com", "password": ""}, "password"),
        ("/refresh-tokens", {"refreshToken": ""}, "refreshToken"),
    ],
)
def test_blank_credentials_are_422_901(
    glue: httpx.Client, path: str, attributes: dict, field: str
) -> None:
    """NotBlank on username/password/refreshToken → 422/901 (spryker/auth-rest-api
    access-tokens.validation.yml, domain-facts A4; contract glue-F12)."""
    body = {"data": {"type": path.strip("/"), "attributes": attributes}}
    response = glue.post(path, headers=GLUE_HEADERS, json=body)
    assert_glue_error(response, 422, f"{field} => This value should not be blank.", "901")


# ----------------------------------------------------------------------------- point 10


def test_dynamic_return_is_plausible(glue: httpx.Client, fresh_live_mock: LiveMock) -> None:
    """`Prefer: dynamic=true`: the id is the path's, references follow Spryker's formats
    (`DE--1-R3`, customer `DE--1`), store DE, links to the mock (issue 10 pt 10; glue-F10)."""
    headers = {**bearer(login(glue)["accessToken"]), "Prefer": "dynamic=true"}
    document = glue.get("/returns/DE--7-R4", headers=headers).json()
    data = document["data"]
    assert data["id"] == data["attributes"]["returnReference"] == "DE--7-R4"
    assert data["attributes"]["customerReference"] == "DE--7"
    assert data["attributes"]["store"] == "DE"
    assert data["links"]["self"] == f"{fresh_live_mock.url}/glue/returns/DE--7-R4"
    for item in data["attributes"].get("returnItems", []):
        order_item = item["orderItem"]
        if "sumGrossPrice" in order_item:  # optional in the contract
            unit, quantity = order_item["unitGrossPrice"], order_item["quantity"]
            assert order_item["sumGrossPrice"] == unit * quantity


def test_dynamic_order_uses_iso_codes_and_sprykers_date(
    glue: httpx.Client, fresh_live_mock: LiveMock
) -> None:
    """currencyIsoCode is ISO 4217 (EUR), iso2Code ISO 3166 (DE), createdAt Spryker's
    `YYYY-MM-DD HH:MM:SS.ffffff` (orders sample in seed 002 / glue-api-retrieve-orders.md)."""
    headers = {**bearer(login(glue)["accessToken"]), "Prefer": "dynamic=true"}
    for path in ("/orders/DE--6", "/orders/DE--9"):
        data = glue.get(path, headers=headers).json()["data"]
        assert data["id"] == path.rsplit("/", 1)[1]
        attributes = data["attributes"]
        assert attributes["currencyIsoCode"] == "EUR"
        datetime.strptime(attributes["createdAt"], "%Y-%m-%d %H:%M:%S.%f")
        for address in (attributes.get("billingAddress"), attributes.get("shippingAddress")):
            if isinstance(address, dict) and "iso2Code" in address:
                assert address["iso2Code"] == "DE"
        assert data["links"]["self"].startswith(f"{fresh_live_mock.url}/glue/orders/")


@pytest.mark.parametrize(
    ("path", "prefer"),
    [
        ("/returns", "example=paginated"),
        ("/returns/DE--1-R3", "example=documented"),
        ("/orders", "code=200"),
        ("/return-reasons", "dynamic=true"),
        ("/returns", "dynamic=true"),
    ],
)
def test_served_links_point_at_the_mock(
    glue: httpx.Client, fresh_live_mock: LiveMock, path: str, prefer: str
) -> None:
    """Every link to the API in a served body points at the mock's base URL, also in
    `Prefer: example=`/`code=` bodies (which document `glue.mysprykershop.com`; glue-F10)."""
    headers = {**bearer(login(glue)["accessToken"]), "Prefer": prefer}
    response = glue.get(path, headers=headers)
    assert response.status_code == 200, response.text
    links = list(_links(response.json()))
    assert links
    for link in links:
        assert link.startswith(f"{fresh_live_mock.url}/glue/"), link


def _links(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "links" and isinstance(value, dict):
                yield from (v for v in value.values() if isinstance(v, str))
            else:
                yield from _links(value)
    elif isinstance(node, list):
        for value in node:
            yield from _links(value)


# ----------------------------------------------------------------------------- point 11


def test_the_mock_says_why_without_changing_the_body(glue: httpx.Client) -> None:
    """The real 406/415/401 bodies stay (GA HeadersHttpRequestValidator, AccessTokenValidator,
    domain-facts A3); a mock-only X-Mock-Hint says what was expected (contract glue-F11)."""
    not_acceptable = glue.get("/return-reasons", headers={"Accept": "text/html"})
    assert_glue_error(not_acceptable, 406, "Not acceptable.")
    assert "application/vnd.api+json" in not_acceptable.headers[HINT]
    unsupported = glue.post(
        "/access-tokens", headers={"Accept": GLUE_HEADERS["Accept"]}, json=access_token_body()
    )
    assert_glue_error(unsupported, 415, "Unsupported media type.")
    assert "Content-Type: application/vnd.api+json" in unsupported.headers[HINT]
    malformed = glue.get("/returns", headers=bearer("not-a-jwt"))
    assert_glue_error(malformed, 401, "Invalid access token.", "001")
    assert "malformed" in malformed.headers[HINT]
    forged = glue.get("/returns", headers=bearer("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln"))
    assert_glue_error(forged, 401, "Invalid access token.", "001")
    assert "another seed" in forged.headers[HINT]


def test_hint_names_a_token_dropped_by_the_cap(glue: httpx.Client) -> None:
    """At most 100 tokens per customer, the oldest dropped (README limits); its refusal is the
    real 401/001 and the hint names the cap (glue-F11)."""
    oldest = login(glue, SPENCOR)["accessToken"]
    for _ in range(100):
        login(glue, SPENCOR)
    response = glue.get("/returns", headers=bearer(oldest))
    assert_glue_error(response, 401, "Invalid access token.", "001")
    assert "at most 100 tokens" in response.headers[HINT]


def test_hint_names_a_reset_to_another_seed(fresh_live_mock: LiveMock, glue: httpx.Client) -> None:
    """Tokens end on a reset to another seed (README); the hint says so (glue-F11)."""
    token = login(glue)["accessToken"]
    httpx.post(f"{fresh_live_mock.url}/__admin/reset?seed=7").raise_for_status()
    try:
        response = glue.get("/returns", headers=bearer(token))
        assert_glue_error(response, 401, "Invalid access token.", "001")
        assert "reset to seed 7" in response.headers[HINT]
    finally:
        httpx.post(f"{fresh_live_mock.url}/__admin/reset?seed=42").raise_for_status()


def test_a_non_ascii_jwt_signature_is_a_plain_401(glue: httpx.Client) -> None:
    """A token of JWT shape with a non-ASCII signature is the real 401/001, never a 500
    (brief: never a 500 for a client's mistake; AccessTokenValidator → 001)."""
    headers = {**GLUE_HEADERS, "Authorization": "Bearer a.b.\u00e9\u00e9".encode()}
    response = glue.get("/return-reasons", headers=headers)
    assert_glue_error(response, 401, "Invalid access token.", "001")


def test_hint_names_an_expired_token(tmp_path_factory: pytest.TempPathFactory) -> None:
    """An access token past `exp` is the real 401/001 (AccessTokenValidator, domain-facts A3);
    the hint says it expired and how to get a new one (glue-F11)."""
    mock = start_mock(tmp_path_factory.mktemp("fidelity-ttl"), "--token-ttl", "1")
    try:
        with httpx.Client(base_url=f"{mock.url}/glue", timeout=30) as client:
            attributes = login(client)
            assert (
                jwt_claims(attributes["accessToken"])["exp"] - 1
                == jwt_claims(attributes["accessToken"])["iat"]
            )
            time.sleep(1.5)  # past exp; not a timing assertion
            response = client.get("/returns", headers=bearer(attributes["accessToken"]))
            assert_glue_error(response, 401, "Invalid access token.", "001")
            assert "expired" in response.headers[HINT]
    finally:
        stop_mock(mock)
