"""Issue #6 (5): bounded resources — the caps hold, and reaching one gives a clear error.

The mock keeps at most ``Settings.max_returns_per_customer`` returns (default 1000) and
``Settings.max_tokens_per_customer`` live tokens (default 100) per customer, and refuses bodies
over ``Settings.max_body_bytes`` (1 MiB). These tests run the mock in-process with small caps.
(``bench/rss.py`` measures the memory of a real process under 100,000 requests.)
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from support import GLUE_HEADERS, ROOT, SONIA, SPENCOR, access_token_body, glue_login

from mock_server.app import create_app
from mock_server.config import Settings


def client_for(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), base_url="http://testserver")


@pytest.fixture
def small_caps() -> Iterator[TestClient]:
    """A mock with small caps: 3 tokens per customer, 1 KiB bodies (returns cap set per test)."""
    with client_for(Settings(max_tokens_per_customer=3, max_body_bytes=1024)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {**GLUE_HEADERS, "Authorization": f"Bearer {token}"}


def returnable_items(client: TestClient, token: str) -> list[str]:
    """Uuids of the customer's returnable order items, through the API."""
    orders = client.get("/glue/orders", headers=bearer(token)).json()["data"]
    items = []
    for order in orders:
        detail = client.get(f"/glue/orders/{order['id']}", headers=bearer(token)).json()
        items += [i["uuid"] for i in detail["data"]["attributes"]["items"] if i["isReturnable"]]
    return items


def create(client: TestClient, token: str, uuid: str):
    body = {
        "data": {
            "type": "returns",
            "attributes": {"store": "DE", "returnItems": [{"salesOrderItemUuid": uuid}]},
        }
    }
    return client.post("/glue/returns", headers=bearer(token), json=body)


# ----------------------------------------------------------------------------- documentation


def test_caps_are_settings_with_the_documented_defaults() -> None:
    defaults = Settings()
    assert defaults.max_returns_per_customer == 1000
    assert defaults.max_tokens_per_customer == 100
    assert defaults.max_body_bytes == 1_048_576
    names = {f.name for f in dataclasses.fields(Settings)}
    assert {"max_returns_per_customer", "max_tokens_per_customer", "max_body_bytes"} <= names


def test_caps_are_documented_in_the_code() -> None:
    """The service says what it caps, where it caps it."""
    from mock_server.apis.glue import service

    source = inspect.getsource(service)
    assert "max_tokens_per_customer" in source and "oldest dropped" in source
    assert "max_returns_per_customer" in source and "returns per customer" in source


def test_caps_are_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"1[ ,]?000 returns", readme), "returns cap"
    assert re.search(r"100 (access )?tokens", readme), "tokens cap"
    assert re.search(r"1 MiB|1 MB|1,048,576", readme), "body limit"


# ----------------------------------------------------------------------------- returns cap


def test_returns_cap_gives_a_clear_422_3601() -> None:
    """Cap just above the seeded returns: creates work up to it, the next one names the limit."""
    with client_for(Settings()) as probe:
        seeded = {
            who: len(
                probe.get("/glue/returns", headers=bearer(glue_login(probe, who))).json()["data"]
            )
            for who in (SONIA, SPENCOR)
        }
    cap = max(seeded.values()) + 1
    with client_for(Settings(max_returns_per_customer=cap)) as client:
        token = glue_login(client, SONIA)
        items = returnable_items(client, token)
        allowed = cap - seeded[SONIA]
        for uuid in items[:allowed]:
            assert create(client, token, uuid).status_code == 201
        refused = create(client, token, items[allowed])
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/vnd.api+json")
        [error] = refused.json()["errors"]
        assert error["status"] == 422 and error["code"] == "3601"
        assert f"at most {cap} returns per customer" in error["detail"], error["detail"]
        assert "/__admin/reset" in error["detail"], "the error says how to start over"
        # The refused item is still returnable; the cap is per customer, not global.
        assert items[allowed] in returnable_items(client, token)
        other = glue_login(client, SPENCOR)
        assert create(client, other, returnable_items(client, other)[0]).status_code == 201
        # A reset lifts it.
        assert client.post("/__admin/reset").status_code == 200
        assert create(client, token, items[allowed]).status_code == 201


def test_returns_cap_of_one_counts_the_seeded_returns() -> None:
    """``max_returns_per_customer=1``: sonia already has a seeded return, so the cap is reached."""
    with client_for(Settings(max_returns_per_customer=1)) as client:
        token = glue_login(client, SONIA)
        assert client.get("/glue/returns", headers=bearer(token)).json()["data"]
        refused = create(client, token, returnable_items(client, token)[0])
        assert refused.status_code == 422
        assert "at most 1 returns per customer" in refused.json()["errors"][0]["detail"]
        assert client.get("/__admin/state").json()["glue"]["returnsCreated"] == 0


# ----------------------------------------------------------------------------- tokens cap


def test_tokens_cap_drops_the_oldest_token(small_caps: TestClient) -> None:
    """With 3 tokens per customer, the 4th and 5th login push out the 1st and 2nd."""
    client = small_caps
    tokens = [glue_login(client, SONIA) for _ in range(5)]
    other = glue_login(client, SPENCOR)
    for old in tokens[:2]:
        answer = client.get("/glue/orders", headers=bearer(old))
        assert answer.status_code == 401, answer.text
        assert answer.json()["errors"][0]["code"] == "001"
        assert answer.headers["www-authenticate"] == 'Bearer realm="Access to shop API"'
    for live in tokens[2:]:
        assert client.get("/glue/orders", headers=bearer(live)).status_code == 200
    # Another customer's logins neither count against sonia nor are pushed out by hers.
    assert client.get("/glue/orders", headers=bearer(other)).status_code == 200
    state = client.get("/__admin/state").json()["glue"]
    assert state["activeTokens"] == 3 + 1
    assert state["tokensIssued"] == 6


def test_tokens_cap_applies_to_refresh_tokens(small_caps: TestClient) -> None:
    """Refresh tokens are capped the same way: the oldest one stops working (401/004)."""
    client = small_caps
    refresh = []
    for _ in range(5):
        answer = client.post(
            "/glue/access-tokens",
            headers=GLUE_HEADERS,
            json=access_token_body(SONIA),
        )
        refresh.append(answer.json()["data"]["attributes"]["refreshToken"])

    def use(token: str):
        return client.post(
            "/glue/refresh-tokens",
            headers=GLUE_HEADERS,
            json={"data": {"type": "refresh-tokens", "attributes": {"refreshToken": token}}},
        )

    stale = use(refresh[0])
    assert stale.status_code == 401 and stale.json()["errors"][0]["code"] == "004"
    assert use(refresh[-1]).status_code == 201


def test_tokens_cap_keeps_the_token_table_bounded() -> None:
    """250 logins with the default cap leave 100 live tokens; the newest works, the oldest not."""
    with client_for(Settings()) as client:
        tokens = [glue_login(client, SONIA) for _ in range(250)]
        state = client.get("/__admin/state").json()["glue"]
        assert state["activeTokens"] == Settings().max_tokens_per_customer
        assert client.get("/glue/orders", headers=bearer(tokens[-1])).status_code == 200
        assert client.get("/glue/orders", headers=bearer(tokens[0])).status_code == 401


# ----------------------------------------------------------------------------- body limit


def test_body_limit_setting_gives_413(small_caps: TestClient) -> None:
    """``max_body_bytes`` is enforced as set: 1 KiB here, so a 2 KiB login is a 413."""
    client = small_caps
    big = access_token_body(("a" * 2048, "x"))
    answer = client.post("/glue/access-tokens", headers=GLUE_HEADERS, json=big)
    assert answer.status_code == 413
    assert answer.json() == {"errors": [{"status": 413, "detail": "Request body is too large."}]}
    assert glue_login(client, SONIA)  # a small one still works
