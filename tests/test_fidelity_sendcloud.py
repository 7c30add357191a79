"""Issue 10, Sendcloud: the mock behaves as the real Sendcloud Returns API v2 does, over HTTP.

Sources: seed 004 (Sendcloud's OpenAPI), ../shared/reference/domain-facts.md (B), and the
contract's ``x-seed-decisions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from support import LiveMock, assert_sendcloud_error

SC = "/sendcloud/api/v2"
DECIMAL = re.compile(r"^[0-9]+\.[0-9]{2}$")


@pytest.fixture
def sendcloud(live_mock: LiveMock) -> Iterator[httpx.Client]:
    basic = httpx.get(f"{live_mock.url}/__admin/accounts").json()["sendcloud"]["basic"][0]
    auth = (basic["publicKey"], basic["secretKey"])
    with httpx.Client(base_url=f"{live_mock.url}{SC}", auth=auth, timeout=30) as client:
        yield client


def all_returns(client: httpx.Client) -> list[dict]:
    returns, url = [], "/returns"
    while url:
        page = client.get(url).json()
        returns += page["returns"]
        url = page["next"]
    return returns


def test_total_refund_is_a_plain_decimal_string(sendcloud: httpx.Client) -> None:
    """`refund.total_refund` is an amount "in floating point format" (seed 004, Return.refund);
    the doc example's literal quotes ('"10.00"', domain-facts C-Sendcloud 1) are not served:
    a plain decimal string, items_cost - return_fee (contract sendcloud-F9)."""
    returns = all_returns(sendcloud)
    assert len(returns) == 45
    for ret in returns:
        total = ret["refund"]["total_refund"]
        assert DECIMAL.fullmatch(total), total
        assert total == f"{ret['items_cost'] - ret['return_fee']:.2f}"


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/returns"), ("POST", "/returns/1")])
def test_sendcloud_keeps_405_in_its_envelope(
    sendcloud: httpx.Client, method: str, path: str
) -> None:
    """Sendcloud (Django REST framework) answers a wrong method 405 "Method not allowed." in its
    own envelope with `Allow` (domain-facts B1d; contract sendcloud-F6) — unlike Glue's 404."""
    response = sendcloud.request(method, path)
    assert_sendcloud_error(response, 405, f"api/v2{path}", "Method not allowed.")
    assert response.headers["allow"] == "GET"


def test_dynamic_return_is_plausible(sendcloud: httpx.Client) -> None:
    """`Prefer: dynamic=true`: the id is the path's, currencies ISO 4217, countries ISO 3166,
    delivered/refunded never before created, total_refund adds up (seed 004 Return schema;
    domain-facts B1c; contract sendcloud-F10); tracking URLs stay data URLs."""
    for return_id in (7, 1234, 99999):
        response = sendcloud.get(f"/returns/{return_id}", headers={"Prefer": "dynamic=true"})
        assert response.status_code == 200, response.text
        ret = response.json()
        assert ret["id"] == return_id
        for name in ("return_fee_currency", "label_currency"):
            if name in ret:
                assert ret[name] == "EUR"
        for parcel in ("outgoing_parcel_data", "incoming_parcel_data"):
            if "from_country" in ret.get(parcel, {}):
                assert ret[parcel]["from_country"] in ("NL", "BE", "DE")
        created = datetime.fromisoformat(ret["created_at"])
        if "delivered_at" in ret:
            assert datetime.fromisoformat(ret["delivered_at"]) >= created
        refund = ret.get("refund", {})
        if "refunded_at" in refund:
            assert refund["refunded_at"] >= created.timestamp() * 1000
        if "total_refund" in refund and {"items_cost", "return_fee"} <= set(ret):
            assert refund["total_refund"] == f"{ret['items_cost'] - ret['return_fee']:.2f}"
            assert float(refund["total_refund"]) >= 0


@pytest.mark.parametrize("query", ["", "?cursor=bz0yMA=="])
def test_dynamic_list_links_point_at_the_mock(
    sendcloud: httpx.Client, live_mock: LiveMock, query: str
) -> None:
    """The list's `next`/`previous` are cursor URLs of the API itself (domain-facts B1b): in a
    served body they point at the mock (or are null), never at panel.sendcloud.sc (F10)."""
    response = sendcloud.get(f"/returns{query}", headers={"Prefer": "dynamic=true"})
    assert response.status_code == 200, response.text
    body = response.json()
    for name in ("next", "previous"):
        assert body[name] is None or body[name].startswith(f"{live_mock.url}{SC}/returns")
    assert (body["previous"] is not None) == bool(query)
    ids = [r["id"] for r in body["returns"]]
    assert len(ids) == len(set(ids)), "distinct returns"


def test_mock_hint_on_refused_credentials(live_mock: LiveMock) -> None:
    """The real 401 body stays (domain-facts B1d); a mock-only X-Mock-Hint names the expected
    credentials (contract sendcloud-F11)."""
    for auth in (None, ("wrong", "key")):
        response = httpx.get(f"{live_mock.url}{SC}/returns/1", auth=auth)
        assert response.status_code == 401
        assert "error" in response.json()
        assert "HTTP Basic" in response.headers["x-mock-hint"]
