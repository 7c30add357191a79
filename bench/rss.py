"""Memory under load: ``python -m bench.rss`` (not a test; issue #6, bounded resources).

Starts the mock (``python -m mock_server --port P --log-level warning``) on a free loopback
port, sends ``--requests`` (100,000) requests from ``--clients`` (8) concurrent
``httpx.AsyncClient``s — among them ``--creates`` (10,000) ``POST /glue/returns`` attempts, with a
``POST /__admin/reset`` every ``--reset-every`` (20) creates so items become returnable again, and
``--logins`` (3,000) logins that push against the per-customer token cap — then prints the
mock's resident memory (``VmRSS`` from ``/proc/PID/status``, also the peak seen while loading
and the kernel's ``VmHWM``) and the requests per second, and stops the server.

Exit status: 0 when the RSS after the load (and its sampled peak) stays under ``--max-rss-mb``
(150), 1 when it does not, 2 when the run itself failed (server did not start, a 5xx or a
transport error, time budget ``--max-seconds`` exceeded).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import random
import sys
import tempfile
import time
from base64 import b64encode
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from . import BenchError
from .servers import Server, free_port, ours_cmd

JSONAPI = "application/vnd.api+json"
GLUE = {"Accept": JSONAPI, "Content-Type": JSONAPI}


# ----------------------------------------------------------------------------- the load


@dataclass
class World:
    """What the load needs to know about the seeded world."""

    customers: list[tuple[str, str]]  # (username, password)
    tokens: list[str]
    orders: list[list[str]]  # per customer
    returns: list[list[str]]  # per customer (seeded)
    returnable: list[list[str]]  # per customer, order item uuids
    sendcloud_auth: str
    sendcloud_ids: list[int]


@dataclass
class Tally:
    """What was sent and what came back."""

    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    created: int = 0
    resets: int = 0
    errors: list[str] = field(default_factory=list)
    rss_peak_kib: int = 0

    @property
    def sent(self) -> int:
        return sum(self.statuses.values()) + len(self.errors)


def login_body(username: str, password: str) -> dict:
    return {
        "data": {
            "type": "access-tokens",
            "attributes": {"username": username, "password": password},
        }
    }


def create_body(uuid: str) -> dict:
    return {
        "data": {
            "type": "returns",
            "attributes": {
                "store": "DE",
                "returnItems": [{"salesOrderItemUuid": uuid, "reason": "Damaged"}],
            },
        }
    }


async def discover(client: httpx.AsyncClient) -> World:
    """Log every customer in and collect orders, returns and returnable items."""
    accounts = (await client.get("/__admin/accounts")).json()
    customers = [(c["username"], c["password"]) for c in accounts["glue"]["customers"]]
    tokens, orders, returns, returnable = [], [], [], []
    for username, password in customers:
        answer = await client.post(
            "/glue/access-tokens", headers=GLUE, json=login_body(username, password)
        )
        if answer.status_code != 201:
            raise BenchError(f"login failed: {answer.status_code} {answer.text[:200]}")
        token = answer.json()["data"]["attributes"]["accessToken"]
        auth = {**GLUE, "Authorization": f"Bearer {token}"}
        mine = [o["id"] for o in (await client.get("/glue/orders", headers=auth)).json()["data"]]
        items = []
        for ref in mine:
            detail = (await client.get(f"/glue/orders/{ref}", headers=auth)).json()
            items += [i["uuid"] for i in detail["data"]["attributes"]["items"] if i["isReturnable"]]
        listed = (await client.get("/glue/returns", headers=auth)).json()["data"]
        tokens.append(token)
        orders.append(mine)
        returns.append([r["id"] for r in listed])
        returnable.append(items)
    keys = accounts["sendcloud"]["basic"][0]
    basic = "Basic " + b64encode(f"{keys['publicKey']}:{keys['secretKey']}".encode()).decode()
    listed = await client.get("/sendcloud/api/v2/returns", headers={"Authorization": basic})
    if listed.status_code != 200:
        raise BenchError(f"Sendcloud list failed: {listed.status_code} {listed.text[:200]}")
    ids = [r["id"] for r in listed.json()["returns"]]
    return World(customers, tokens, orders, returns, returnable, basic, ids)


# Share of the non-create, non-login requests (the rest of the 100,000).
READ_MIX = (
    ("glue-orders", 10),
    ("glue-order", 20),
    ("glue-returns", 10),
    ("glue-returns-include-paged", 10),
    ("glue-return", 15),
    ("glue-reasons", 5),
    ("glue-unknown-order", 5),
    ("sendcloud-list", 10),
    ("sendcloud-cursor", 5),
    ("sendcloud-one", 10),
)


def plan(requests: int, creates: int, logins: int, seed: int) -> list[str]:
    """The kinds of request to send, shuffled (deterministic for ``seed``)."""
    reads = requests - creates - logins
    names = [name for name, _ in READ_MIX]
    weights = [weight for _, weight in READ_MIX]
    rng = random.Random(seed)
    kinds = ["create"] * creates + ["login"] * logins + rng.choices(names, weights, k=reads)
    rng.shuffle(kinds)
    return kinds


async def worker(
    client: httpx.AsyncClient,
    world: World,
    kinds: itertools.count,
    todo: list[str],
    tally: Tally,
    reset_every: int,
    deadline: float,
    rng: random.Random,
) -> None:
    """Take the next planned request until the plan is done or the deadline passes."""
    for index in kinds:
        if index >= len(todo) or time.monotonic() > deadline:
            return
        kind = todo[index]
        who = rng.randrange(len(world.customers))
        auth = {**GLUE, "Authorization": f"Bearer {world.tokens[who]}"}
        sendcloud = {"Authorization": world.sendcloud_auth}
        try:
            if kind == "create":
                number = tally.kinds["create"]
                tally.kinds["create"] += 1
                if number and number % reset_every == 0:
                    answer = await client.post("/__admin/reset")
                    tally.resets += 1
                    tally.statuses[answer.status_code] += 1
                items = world.returnable[who]
                answer = await client.post(
                    "/glue/returns", headers=auth, json=create_body(rng.choice(items))
                )
                if answer.status_code == 201:
                    tally.created += 1
            elif kind == "login":
                tally.kinds[kind] += 1
                username, password = world.customers[who]
                answer = await client.post(
                    "/glue/access-tokens", headers=GLUE, json=login_body(username, password)
                )
                if answer.status_code == 201:  # keep using fresh tokens (old ones get dropped)
                    world.tokens[who] = answer.json()["data"]["attributes"]["accessToken"]
            else:
                tally.kinds[kind] += 1
                answer = await read(client, kind, world, who, auth, sendcloud, rng)
        except httpx.HTTPError as exc:
            tally.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            continue
        tally.statuses[answer.status_code] += 1


async def read(
    client: httpx.AsyncClient,
    kind: str,
    world: World,
    who: int,
    auth: dict[str, str],
    sendcloud: dict[str, str],
    rng: random.Random,
) -> httpx.Response:
    """One read request of ``kind``."""
    if kind == "glue-orders":
        return await client.get("/glue/orders", headers=auth)
    if kind == "glue-order":
        return await client.get(f"/glue/orders/{rng.choice(world.orders[who])}", headers=auth)
    if kind == "glue-returns":
        return await client.get("/glue/returns", headers=auth)
    if kind == "glue-returns-include-paged":
        params = {"include": "return-items,order-items", "page[offset]": 0, "page[limit]": 2}
        return await client.get("/glue/returns", params=params, headers=auth)
    if kind == "glue-return":
        return await client.get(f"/glue/returns/{rng.choice(world.returns[who])}", headers=auth)
    if kind == "glue-reasons":
        return await client.get("/glue/return-reasons", headers={"Accept": JSONAPI})
    if kind == "glue-unknown-order":
        return await client.get(f"/glue/orders/DE--{rng.randrange(10**6)}", headers=auth)
    if kind == "sendcloud-list":
        return await client.get("/sendcloud/api/v2/returns", headers=sendcloud)
    if kind == "sendcloud-cursor":
        params = {"cursor": "bz0yMA=="}  # offset 20
        return await client.get("/sendcloud/api/v2/returns", params=params, headers=sendcloud)
    if kind == "sendcloud-one":
        target = rng.choice(world.sendcloud_ids)
        return await client.get(f"/sendcloud/api/v2/returns/{target}", headers=sendcloud)
    raise ValueError(kind)


async def sample_rss(
    mock: Server, tally: Tally, done: asyncio.Event, total: int, started: float
) -> None:
    """Record the highest VmRSS seen while the load runs (every 0.25 s); progress every 10 %."""
    step = max(total // 10, 1)
    reported = 0
    while not done.is_set():
        rss = mock.rss_kib() or 0
        tally.rss_peak_kib = max(tally.rss_peak_kib, rss)
        if tally.sent >= reported + step:
            reported = tally.sent // step * step
            rate = tally.sent / max(time.monotonic() - started, 1e-9)
            print(
                f"  {tally.sent:>7}/{total} requests, {rate:,.0f}/s, RSS {rss / 1024:.1f} MiB",
                file=sys.stderr,
                flush=True,
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=0.25)


async def load(mock: Server, args: argparse.Namespace) -> tuple[Tally, float]:
    """Send the planned requests from ``args.clients`` concurrent clients; (tally, seconds)."""
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    clients = [
        httpx.AsyncClient(base_url=mock.base_url, timeout=30, limits=limits)
        for _ in range(args.clients)
    ]
    tally = Tally()
    try:
        world = await discover(clients[0])
        todo = plan(args.requests, args.creates, args.logins, args.seed)
        kinds = itertools.count()
        deadline = time.monotonic() + args.max_seconds
        done = asyncio.Event()
        started = time.monotonic()
        sampler = asyncio.create_task(sample_rss(mock, tally, done, len(todo), started))
        await asyncio.gather(
            *(
                worker(
                    client,
                    world,
                    kinds,
                    todo,
                    tally,
                    args.reset_every,
                    deadline,
                    random.Random(args.seed + number),
                )
                for number, client in enumerate(clients)
                for _ in range(args.concurrency)
            )
        )
        elapsed = time.monotonic() - started
        done.set()
        await sampler
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return tally, elapsed


# ----------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rss",
        description="Memory (VmRSS) of the mock after 100,000 requests; exit 1 at >= 150 MB.",
    )
    parser.add_argument("--requests", type=int, default=100_000, help="total (default 100000)")
    parser.add_argument("--creates", type=int, default=10_000, help="create attempts (10000)")
    parser.add_argument("--logins", type=int, default=3_000, help="logins (default 3000)")
    parser.add_argument("--reset-every", type=int, default=20, help="creates per reset (20)")
    parser.add_argument("--clients", type=int, default=8, help="httpx clients (default 8)")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="requests in flight per client (default 4)"
    )
    parser.add_argument("--max-rss-mb", type=float, default=150.0, help="limit (default 150)")
    parser.add_argument(
        "--max-seconds", type=float, default=1800.0, help="time budget in seconds (1800)"
    )
    parser.add_argument("--seed", type=int, default=6, help="seed of the request mix (6)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not 0 <= args.creates + args.logins <= args.requests or args.reset_every < 1:
        print("rss: error: need creates + logins <= requests and reset-every >= 1", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        port = free_port()
        mock = Server("mock", ours_cmd(port), port, Path(tmp))
        try:
            mock.start().wait_ready("/__admin/state")
            idle_kib = mock.rss_kib() or 0
            tally, elapsed = asyncio.run(load(mock, args))
            rss_kib = mock.rss_kib() or 0
            hwm_kib = mock.hwm_kib() or 0
            log_tail = mock.log_tail()
            tracebacks = mock.log_path.read_text(errors="replace").count("Traceback")
        except BenchError as exc:
            print(f"rss: error: {exc}", file=sys.stderr)
            return 2
        finally:
            mock.stop(grace=10.0)
    mib = 1024
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    print(f"requests      {tally.sent} in {elapsed:.1f} s = {tally.sent / elapsed:,.0f} requests/s")
    print(f"clients       {args.clients} x {args.concurrency} in flight")
    print(
        f"creates       {tally.kinds['create']} attempts, {tally.created} created, "
        f"{tally.resets} resets; logins {tally.kinds['login']}"
    )
    print(f"statuses      {dict(sorted(tally.statuses.items()))}")
    print(f"RSS idle      {idle_kib / mib:.1f} MiB")
    print(
        f"RSS peak      {tally.rss_peak_kib / mib:.1f} MiB (sampled), VmHWM {hwm_kib / mib:.1f} MiB"
    )
    print(f"RSS after     {rss_kib / mib:.1f} MiB (VmRSS)  limit {args.max_rss_mb:.0f} MB")
    problems = []
    if tally.sent < args.requests:
        problems.append(f"only {tally.sent} of {args.requests} requests in {args.max_seconds} s")
    if server_errors or tally.errors or tracebacks:
        problems.append(
            f"{server_errors} 5xx, {len(tally.errors)} transport errors "
            f"({'; '.join(tally.errors[:3])}), {tracebacks} tracebacks ({log_tail})"
        )
    if problems:
        print("rss: error: " + "; ".join(problems), file=sys.stderr)
        return 2
    limit_kib = args.max_rss_mb * 1000 * 1000 / 1024
    if max(rss_kib, tally.rss_peak_kib) >= limit_kib:
        print(f"rss: FAIL: RSS reached the {args.max_rss_mb:.0f} MB limit", file=sys.stderr)
        return 1
    print("rss: OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
