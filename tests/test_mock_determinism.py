"""Same seed, same bytes: two mock processes answer the same requests identically.

One exception, on purpose: a Glue access token carries Spryker's time claims (``iat``, ``nbf``,
``exp = iat + expiresIn``, issue 10 point 1), which follow the clock so that a frontend can
schedule its refresh; the token (and the refresh token derived from it) are compared with those
three claims taken out, everything else byte for byte.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from support import (
    GLUE_HEADERS,
    SONIA,
    LiveMock,
    access_token_body,
    return_body,
    start_mock,
    stop_mock,
)

# Links carry the Host the client used; the same request means the same Host for every process.
HOST = {"Host": "mock.test"}
SC = "/sendcloud/api/v2"


@pytest.fixture(scope="module")
def mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveMock]]:
    """Fresh processes: ``a`` and ``b`` with the default seed 42, ``c`` with seed 7."""
    arguments = {"a": (), "b": ("--seed", "42"), "c": ("--seed", "7")}
    with ThreadPoolExecutor(len(arguments)) as pool:
        futures = {
            name: pool.submit(start_mock, tmp_path_factory.mktemp(f"seed-{name}"), *args)
            for name, args in arguments.items()
        }
        started = {}
        try:
            for name, future in futures.items():
                started[name] = future.result()
        finally:
            if len(started) < len(futures):
                for mock in started.values():
                    stop_mock(mock)
    yield started
    for mock in started.values():
        stop_mock(mock)


TIME_CLAIMS = ("iat", "nbf", "exp")


def without_time_claims(body: bytes) -> bytes:
    """An access-token document with the JWT's time claims taken out (and the tokens that are
    derived from the whole JWT replaced by the remaining claims)."""
    document = json.loads(body)
    attributes = document["data"]["attributes"]
    _, payload, _ = attributes["accessToken"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["exp"] - claims["iat"] == attributes["expiresIn"], claims
    assert claims["nbf"] == claims["iat"], claims
    attributes["accessToken"] = {k: v for k, v in claims.items() if k not in TIME_CLAIMS}
    attributes["refreshToken"] = attributes["refreshToken"][:8]  # "def50200": Spryker's prefix
    return json.dumps(document, sort_keys=True).encode()


def transcript(mock: LiveMock) -> dict[str, bytes]:
    """The raw bodies of a fixed sequence of requests (a fresh process, so a fresh world)."""
    bodies: dict[str, bytes] = {}
    with httpx.Client(base_url=mock.url, headers=HOST, timeout=30) as client:

        def keep(name: str, response: httpx.Response, status: int = 200) -> httpx.Response:
            """Record the raw body of ``response`` under ``name``."""
            assert response.status_code == status, f"{name}: {response.text}"
            bodies[name] = response.content
            return response

        token = keep(
            "POST /access-tokens",
            client.post(
                "/glue/access-tokens",
                headers=GLUE_HEADERS,
                json=access_token_body(SONIA),
            ),
            201,
        ).json()["data"]["attributes"]["accessToken"]
        bodies["POST /access-tokens"] = without_time_claims(bodies["POST /access-tokens"])
        glue = GLUE_HEADERS | {"Authorization": f"Bearer {token}"}
        orders = keep("GET /orders", client.get("/glue/orders", headers=glue)).json()["data"]
        returnable = []
        for order in orders:
            detail = keep(
                f"GET /orders/{order['id']}",
                client.get(f"/glue/orders/{order['id']}", headers=glue),
            ).json()["data"]
            returnable += [i["uuid"] for i in detail["attributes"]["items"] if i["isReturnable"]]
        keep("GET /return-reasons", client.get("/glue/return-reasons", headers=glue))
        created = keep(
            "POST /returns",
            client.post(
                "/glue/returns?include=return-items,order-items",
                headers=glue,
                json=return_body(returnable[0]),
            ),
            201,
        ).json()["data"]["id"]
        keep(
            "GET /returns?include",
            client.get("/glue/returns?include=return-items,order-items", headers=glue),
        )
        keep("GET /returns/{created}", client.get(f"/glue/returns/{created}", headers=glue))
        keep(
            "GET /returns paged",
            client.get("/glue/returns?page[offset]=0&page[limit]=1", headers=glue),
        )
        dynamic = glue | {"Prefer": "dynamic=true"}
        keep(
            "dynamic GET /orders/{ref}",
            client.get(f"/glue/orders/{orders[0]['id']}", headers=dynamic),
        )

        basic = httpx.get(f"{mock.url}/__admin/accounts").json()["sendcloud"]["basic"][0]
        auth = (basic["publicKey"], basic["secretKey"])
        url: str | None = f"{SC}/returns"
        page = 0
        ids: list[int] = []
        while url is not None:
            body = keep(f"sendcloud page {page}", client.get(url, auth=auth)).json()
            ids += [r["id"] for r in body["returns"]]
            url = httpx.URL(body["next"]).raw_path.decode() if body["next"] else None
            page += 1
        for number, return_id in enumerate(ids[::7]):
            keep(f"sendcloud item {number}", client.get(f"{SC}/returns/{return_id}", auth=auth))
        keep(
            "dynamic sendcloud page",
            client.get(f"{SC}/returns", auth=auth, headers={"Prefer": "dynamic=true"}),
        )
    return bodies


@pytest.fixture(scope="module")
def transcripts(mocks: dict[str, LiveMock]) -> dict[str, dict[str, bytes]]:
    """One transcript per process, each taken once on its untouched world."""
    return {name: transcript(mock) for name, mock in mocks.items()}


def test_same_seed_gives_byte_identical_bodies(transcripts: dict[str, dict[str, bytes]]) -> None:
    first, second = transcripts["a"], transcripts["b"]
    assert list(first) == list(second)
    assert len(first) > 20
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, differing
    assert b"mock.test" in first["POST /returns"], "links are built from the request's Host"


def test_another_seed_gives_other_data(transcripts: dict[str, dict[str, bytes]]) -> None:
    first, other = transcripts["a"], transcripts["c"]
    for name in (
        "POST /access-tokens",
        "GET /orders",
        "POST /returns",
        "sendcloud page 0",
        "sendcloud item 0",
        "dynamic sendcloud page",
    ):
        assert first[name] != other[name], name
    assert first["GET /return-reasons"] == other["GET /return-reasons"], "fixed vocabulary"


def test_the_extra_processes_logged_no_traceback(mocks: dict[str, LiveMock]) -> None:
    for mock in mocks.values():
        assert "Traceback" not in mock.log()
