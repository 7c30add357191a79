"""Issue #6 (3): concurrent creates and resets over real HTTP (asyncio + httpx.AsyncClient).

* 64 concurrent ``POST /glue/returns`` from the three seeded customers, several of them aimed at
  the same item on purpose: exactly one wins per item (201), the others get 422/3601; every 201
  has its own ``returnReference``, every created return is readable, no item is returned twice
  and ``/__admin/state`` counts every create.
* ``POST /__admin/reset`` fired while creates and reads run: every observation is the seeded world
  or the seeded world plus the creates since the last reset — never something in between.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from support import GLUE_HEADERS, SONIA, LiveMock, access_token_body

CONCURRENT_CREATES = 64


@dataclass
class Shopper:
    """A logged-in seeded customer and what the world holds for them."""

    reference: str
    token: str
    orders: list[str] = field(default_factory=list)
    returnable: list[str] = field(default_factory=list)  # order item uuids

    @property
    def headers(self) -> dict[str, str]:
        return {**GLUE_HEADERS, "Authorization": f"Bearer {self.token}"}


def create_body(item_uuid: str, reason: str = "Damaged") -> dict:
    return {
        "data": {
            "type": "returns",
            "attributes": {
                "store": "DE",
                "returnItems": [{"salesOrderItemUuid": item_uuid, "reason": reason}],
            },
        }
    }


async def log_in_everyone(client: httpx.AsyncClient) -> list[Shopper]:
    """Every customer of ``/__admin/accounts`` (sonia, spencor, the Faker one), logged in."""
    accounts = (await client.get("/__admin/accounts")).json()["glue"]["customers"]
    shoppers = []
    for account in accounts:
        answer = await client.post(
            "/glue/access-tokens",
            headers=GLUE_HEADERS,
            json=access_token_body((account["username"], account["password"])),
        )
        assert answer.status_code == 201, answer.text
        token = answer.json()["data"]["attributes"]["accessToken"]
        shoppers.append(Shopper(account["customerReference"], token))
    assert len(shoppers) == 3
    return shoppers


async def order_items(client: httpx.AsyncClient, shopper: Shopper) -> list[dict]:
    """Every item of every order of ``shopper`` (``GET /orders`` + ``GET /orders/{ref}``)."""
    listed = await client.get("/glue/orders", headers=shopper.headers)
    assert listed.status_code == 200, listed.text
    shopper.orders = [order["id"] for order in listed.json()["data"]]
    details = await asyncio.gather(
        *(client.get(f"/glue/orders/{ref}", headers=shopper.headers) for ref in shopper.orders)
    )
    items = []
    for detail in details:
        assert detail.status_code == 200, detail.text
        items.extend(detail.json()["data"]["attributes"]["items"])
    return items


async def survey(client: httpx.AsyncClient, shoppers: list[Shopper]) -> dict[str, list[dict]]:
    """Order items per customer; fills each shopper's ``orders`` and ``returnable``."""
    found = await asyncio.gather(*(order_items(client, s) for s in shoppers))
    for shopper, items in zip(shoppers, found, strict=True):
        shopper.returnable = [i["uuid"] for i in items if i["isReturnable"]]
    return {s.reference: items for s, items in zip(shoppers, found, strict=True)}


async def glue_state(client: httpx.AsyncClient) -> dict[str, Any]:
    answer = await client.get("/__admin/state")
    assert answer.status_code == 200, answer.text
    return answer.json()["glue"]


def async_client(mock: LiveMock) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=mock.url,
        timeout=30,
        limits=httpx.Limits(max_connections=CONCURRENT_CREATES + 16, max_keepalive_connections=32),
    )


@pytest.fixture
def mock(live_mock: LiveMock) -> Iterator[LiveMock]:
    """The session mock, reset before and after (these tests change a lot of state)."""
    yield live_mock
    httpx.post(f"{live_mock.url}/__admin/reset", timeout=30).raise_for_status()


# ----------------------------------------------------------------------------- 64 creates


async def _concurrent_creates(mock: LiveMock, rounds: int) -> None:
    async with async_client(mock) as client:
        shoppers = await log_in_everyone(client)
        for number in range(rounds):
            if number:
                assert (await client.post("/__admin/reset")).status_code == 200
            await _one_round(client, shoppers, seed=number)


async def _one_round(client: httpx.AsyncClient, shoppers: list[Shopper], seed: int) -> None:
    """64 concurrent creates on a freshly reset world, and every check on the outcome."""
    await survey(client, shoppers)
    before = await glue_state(client)
    targets = [(s, uuid) for s in shoppers for uuid in s.returnable]
    assert len(targets) >= 8, "the seeded world should have returnable items"
    # 64 requests over ~20 items: every item is asked for 3 or 4 times at once.
    plan = [targets[i % len(targets)] for i in range(CONCURRENT_CREATES)]
    random.Random(seed).shuffle(plan)
    start = asyncio.Event()

    async def create(shopper: Shopper, uuid: str) -> tuple[Shopper, str, httpx.Response]:
        await start.wait()
        answer = await client.post("/glue/returns", headers=shopper.headers, json=create_body(uuid))
        return shopper, uuid, answer

    tasks = [asyncio.create_task(create(s, uuid)) for s, uuid in plan]
    await asyncio.sleep(0.05)  # every task is parked at the gate
    start.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)

    winners: dict[str, list[tuple[Shopper, str]]] = defaultdict(list)
    statuses = Counter(answer.status_code for _, _, answer in results)
    for shopper, uuid, answer in results:
        if answer.status_code == 201:
            winners[uuid].append((shopper, answer.json()["data"]["id"]))
        else:
            assert answer.status_code == 422, answer.text
            assert answer.json()["errors"][0]["code"] == "3601", answer.text
    print(f"\n64 concurrent creates: {dict(statuses)} over {len(targets)} items")

    # Exactly one winner per item; every item asked for got one.
    assert set(winners) == {uuid for _, uuid in targets}
    assert all(len(w) == 1 for w in winners.values()), {
        u: [r for _, r in w] for u, w in winners.items() if len(w) > 1
    }
    created = {ref: (shopper, uuid) for uuid, [(shopper, ref)] in winners.items()}
    assert len(created) == len(winners) == statuses[201], "duplicate returnReference"
    for ref, (shopper, _) in created.items():
        assert ref.startswith(f"{shopper.reference}-R"), ref

    # Every created return is readable by its owner and holds exactly its item.
    reads = await asyncio.gather(
        *(
            client.get(f"/glue/returns/{ref}", headers=shopper.headers)
            for ref, (shopper, _) in created.items()
        )
    )
    for (ref, (_, uuid)), answer in zip(created.items(), reads, strict=True):
        assert answer.status_code == 200, answer.text
        items = answer.json()["data"]["attributes"]["returnItems"]
        assert [i["orderItem"]["uuid"] for i in items] == [uuid], ref

    # No item is returnable any more, and none sits in two returns.
    after_items = await survey(client, shoppers)
    assert all(not s.returnable for s in shoppers), [s.returnable for s in shoppers]
    returned: Counter[str] = Counter()
    for shopper in shoppers:
        listed = await client.get(
            "/glue/returns", params={"include": "return-items"}, headers=shopper.headers
        )
        assert listed.status_code == 200, listed.text
        for resource in listed.json().get("included", []):
            returned[resource["attributes"]["orderItemUuid"]] += 1
    assert max(returned.values()) == 1, [u for u, n in returned.items() if n > 1]
    assert {uuid for _, uuid in targets} <= set(returned)
    every_item = {i["uuid"] for items in after_items.values() for i in items}
    assert set(returned) <= every_item, "a return points at an unknown order item"

    # Nothing lost: the admin counts agree with what the clients saw.
    after = await glue_state(client)
    assert after["returnsCreated"] == before["returnsCreated"] + statuses[201]
    assert after["returns"] == before["returns"] + statuses[201] == sum(returned.values())
    assert after["returnableItems"] == before["returnableItems"] - statuses[201] == 0


def test_64_concurrent_creates_one_winner_per_item(mock: LiveMock) -> None:
    asyncio.run(_concurrent_creates(mock, rounds=1))


@pytest.mark.long
def test_64_concurrent_creates_many_rounds(mock: LiveMock) -> None:
    """25 rounds of 64 concurrent creates, each on a freshly reset world (1,600 creates)."""
    asyncio.run(_concurrent_creates(mock, rounds=25))


def test_one_refresh_token_refreshes_once_under_concurrency(mock: LiveMock) -> None:
    """16 concurrent refreshes with the same refresh token: one 201, fifteen 401/004."""

    async def scenario() -> list[httpx.Response]:
        async with async_client(mock) as client:
            login = await client.post(
                "/glue/access-tokens",
                headers=GLUE_HEADERS,
                json=access_token_body(SONIA),
            )
            refresh = login.json()["data"]["attributes"]["refreshToken"]
            body = {"data": {"type": "refresh-tokens", "attributes": {"refreshToken": refresh}}}
            return await asyncio.gather(
                *(
                    client.post("/glue/refresh-tokens", headers=GLUE_HEADERS, json=body)
                    for _ in range(16)
                )
            )

    answers = asyncio.run(scenario())
    statuses = Counter(a.status_code for a in answers)
    assert statuses == {201: 1, 401: 15}, statuses
    assert all(a.json()["errors"][0]["code"] == "004" for a in answers if a.status_code == 401)


# ----------------------------------------------------------------------------- resets


@dataclass
class Traffic:
    """What the concurrent clients saw; the checks run on it afterwards."""

    resets_started: int = 0
    resets_done: int = 0
    creates: Counter[int] = field(default_factory=Counter)
    observations: int = 0
    reads: int = 0
    stale_reads: int = 0  # 404 on a listed return, legitimately after a reset in between
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrafficBudget:
    """How long the mixed traffic runs and how many resets it fires (both hard bounds)."""

    resets: int
    seconds: float
    pause: float  # between resets


DEFAULT_TRAFFIC = TrafficBudget(resets=20, seconds=10.0, pause=0.15)
LONG_TRAFFIC = TrafficBudget(resets=400, seconds=120.0, pause=0.1)


def check_snapshot(document: dict, owner: Shopper, items: dict[str, dict]) -> list[str]:
    """One ``GET /returns?include=return-items,order-items`` answer is internally consistent."""
    problems = []
    included = {(r["type"], r["id"]): r for r in document.get("included", [])}
    seen_items: Counter[str] = Counter()
    for ret in document["data"]:
        if ret["attributes"]["customerReference"] != owner.reference:
            problems.append(f"{owner.reference} sees {ret['id']}")
        for link in ret["relationships"]["return-items"]["data"]:
            return_item = included.get(("return-items", link["id"]))
            if return_item is None:
                problems.append(f"{ret['id']}: dangling return item {link['id']}")
                continue
            uuid = return_item["attributes"]["orderItemUuid"]
            seen_items[uuid] += 1
            order_item = included.get(("order-items", uuid))
            if order_item is None or uuid not in items:
                problems.append(f"{ret['id']}: dangling order item {uuid}")
            elif order_item["attributes"]["isReturnable"]:
                problems.append(f"{ret['id']}: returned item {uuid} still returnable")
    problems += [f"item {u} in {n} returns" for u, n in seen_items.items() if n > 1]
    return problems


async def _resets_during_traffic(mock: LiveMock, budget: TrafficBudget) -> Traffic:
    traffic = Traffic()
    async with async_client(mock) as client:
        shoppers = await log_in_everyone(client)
        all_items = await survey(client, shoppers)
        items = {i["uuid"]: i for found in all_items.values() for i in found}
        seeded = await glue_state(client)
        assert seeded["returnsCreated"] == 0
        deadline = time.monotonic() + budget.seconds
        stop = asyncio.Event()

        def running() -> bool:
            return not stop.is_set() and time.monotonic() < deadline

        async def creator(shopper: Shopper) -> None:
            for attempt in range(400):
                if not running():
                    return
                uuid = shopper.returnable[attempt % len(shopper.returnable)]
                answer = await client.post(
                    "/glue/returns", headers=shopper.headers, json=create_body(uuid)
                )
                traffic.creates[answer.status_code] += 1
                if answer.status_code not in (201, 422):
                    traffic.problems.append(f"create: {answer.status_code} {answer.text[:200]}")

        async def reader(shopper: Shopper) -> None:
            for _ in range(200):
                if not running():
                    return
                done_before = traffic.resets_done
                listed = await client.get(
                    "/glue/returns",
                    params={"include": "return-items,order-items"},
                    headers=shopper.headers,
                )
                if listed.status_code != 200:
                    traffic.problems.append(f"list: {listed.status_code} {listed.text[:200]}")
                    continue
                traffic.problems += check_snapshot(listed.json(), shopper, items)
                for ret in listed.json()["data"][:3]:
                    one = await client.get(f"/glue/returns/{ret['id']}", headers=shopper.headers)
                    traffic.reads += 1
                    if one.status_code == 404 and traffic.resets_started > done_before:
                        traffic.stale_reads += 1  # a reset came between the list and the read
                    elif one.status_code != 200:
                        traffic.problems.append(f"read {ret['id']}: {one.status_code}")

        async def observer() -> None:
            for _ in range(500):
                if not running():
                    return
                state = await glue_state(client)
                traffic.observations += 1
                traffic.problems += consistent(state, seeded)
                await asyncio.sleep(0.005)

        async def resetter() -> None:
            for _ in range(budget.resets):
                if not running():
                    break
                await asyncio.sleep(budget.pause)
                traffic.resets_started += 1
                answer = await client.post("/__admin/reset")
                traffic.resets_done += 1
                if answer.status_code != 200:
                    traffic.problems.append(f"reset: {answer.status_code}")
                    continue
                fresh = answer.json()["state"]["glue"]
                # What a reset reports is exactly the seeded world (no create slipped in).
                if fresh["returnsCreated"] != 0:
                    traffic.problems.append(f"reset answered with {fresh}")
                traffic.problems += consistent(fresh, seeded)
            stop.set()

        await asyncio.wait_for(
            asyncio.gather(
                *(creator(s) for s in shoppers),
                *(reader(s) for s in shoppers),
                observer(),
                resetter(),
            ),
            timeout=budget.seconds + 30,
        )

        # Quiet again: the world is consistent and every listed return is readable.
        final = await glue_state(client)
        traffic.problems += consistent(final, seeded)
        total = 0
        for shopper in shoppers:
            listed = await client.get(
                "/glue/returns",
                params={"include": "return-items,order-items"},
                headers=shopper.headers,
            )
            traffic.problems += check_snapshot(listed.json(), shopper, items)
            for ret in listed.json()["data"]:
                total += 1
                one = await client.get(f"/glue/returns/{ret['id']}", headers=shopper.headers)
                if one.status_code != 200:
                    traffic.problems.append(f"final read {ret['id']}: {one.status_code}")
        if total != final["returns"]:
            traffic.problems.append(f"{total} returns listed, state says {final['returns']}")
    return traffic


def consistent(state: dict[str, Any], seeded: dict[str, Any]) -> list[str]:
    """``state`` is the seeded world plus ``returnsCreated`` single-item returns, nothing else."""
    problems = []
    created = state["returnsCreated"]
    for key in ("seed", "customers", "orders", "orderItems"):
        if state[key] != seeded[key]:
            problems.append(f"{key}: {state[key]} != seeded {seeded[key]}")
    if state["returns"] != seeded["returns"] + created:
        problems.append(f"returns {state['returns']} != {seeded['returns']} + {created}")
    if state["returnableItems"] != seeded["returnableItems"] - created:
        problems.append(
            f"returnableItems {state['returnableItems']} != {seeded['returnableItems']} - {created}"
        )
    return problems


@pytest.mark.parametrize(
    "budget",
    [
        pytest.param(DEFAULT_TRAFFIC, id="default"),
        pytest.param(LONG_TRAFFIC, id="long", marks=pytest.mark.long),
    ],
)
def test_resets_during_traffic_never_leave_half_reset_state(
    budget: TrafficBudget, mock: LiveMock
) -> None:
    traffic = asyncio.run(_resets_during_traffic(mock, budget))
    print(
        f"\nresets {traffic.resets_done}, creates {dict(traffic.creates)}, observations "
        f"{traffic.observations}, reads {traffic.reads} ({traffic.stale_reads} stale after reset)"
    )
    assert not traffic.problems, "\n".join(traffic.problems[:30])
    assert traffic.resets_done >= 10
    assert traffic.observations >= 20
    # Items became returnable again after resets: more creates won than there are items.
    assert traffic.creates[201] > 20, traffic.creates
    assert traffic.creates[422] > 0


# ----------------------------------------------------------------------------- consistency


def test_returned_item_state_agrees_between_order_and_return(mock: LiveMock) -> None:
    """An item reads the same in ``/orders/{ref}`` and in the return that holds it."""

    async def scenario() -> None:
        async with async_client(mock) as client:
            shoppers = await log_in_everyone(client)
            items = await survey(client, shoppers)
            sonia = shoppers[0]
            listed = await client.get(
                "/glue/returns",
                params={"include": "return-items,order-items"},
                headers=sonia.headers,
            )
            by_uuid = {i["uuid"]: i for i in items[sonia.reference]}
            order_items = [r for r in listed.json()["included"] if r["type"] == "order-items"]
            assert order_items
            for resource in order_items:
                in_order = by_uuid[resource["id"]]["state"]
                assert resource["attributes"]["state"] == in_order, resource["id"]

    asyncio.run(scenario())
