"""The sessions row of the benchmark: many active sessions vs one, and their memory.

``python -m bench.sessions`` (also run at the end of ``python -m bench``) starts a fresh mock,
makes :data:`SESSIONS` sessions *active* (each logs a Glue customer in and reads both bench
endpoints, so each holds its worlds, a token and response-cache entries), then loads the bench's
two read endpoints with wrk, alternating rounds:

* **1 session**: every request goes to ``/sessions/s000/…`` with that session's credentials;
* **200 sessions**: request *i* goes to session *i mod 200* (a wrk Lua script cycling through
  the paths and each session's own Glue token).

It reports req/s of both, their ratio, and the mock's RSS before the sessions existed, with all
of them active and after the load; ``(RSS with N - RSS before) / N`` is the memory of one
session. Targets (issue 13): RSS < 300 MB with 200 sessions, throughput within 10 %.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from . import BenchError
from .install import ensure_wrk
from .servers import Fleet, Server
from .wrk import WrkResult, parse_wrk, wrk_command

SESSIONS = 200
JSONAPI = "application/vnd.api+json"
GLUE_USER = ("sonia@spryker.com", "change123")
SENDCLOUD = "/sendcloud/api/v2"
RSS_TARGET_MIB = 300
THROUGHPUT_TOLERANCE = 0.10


def session_cmd(port: int) -> list[str]:
    """Our mock as the bench runs it, room for the sessions, no access log."""
    return [
        sys.executable, "-m", "mock_server", "--port", str(port), "--log-level", "warning",
        "--quiet", "--max-sessions", str(SESSIONS + 56),
    ]  # fmt: skip


@dataclass
class SessionLoad:
    """What one session needs to be loaded: its prefix and its credentials."""

    prefix: str
    glue_token: str


@dataclass
class SessionsResult:
    """The sessions row: req/s per endpoint and mode, RSS in KiB."""

    sessions: int
    rps: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    cpu_us: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # per request
    rss_before_kib: int | None = None
    rss_active_kib: int | None = None
    rss_after_kib: int | None = None
    errors: int = 0

    def mean(self, endpoint: str, mode: str) -> float:
        values = self.rps.get(endpoint, {}).get(mode, [])
        return statistics.fmean(values) if values else 0.0

    def cpu(self, endpoint: str, mode: str) -> float:
        values = self.cpu_us.get(endpoint, {}).get(mode, [])
        return statistics.fmean(values) if values else 0.0

    def ratio(self, endpoint: str) -> float:
        single = self.mean(endpoint, "1 session")
        return self.mean(endpoint, f"{self.sessions} sessions") / single if single else 0.0

    def per_session_kib(self) -> float | None:
        if self.rss_before_kib is None or self.rss_active_kib is None:
            return None
        return (self.rss_active_kib - self.rss_before_kib) / self.sessions

    def lines(self) -> list[str]:
        many = f"{self.sessions} sessions"
        out = [f"sessions ({many} active vs 1; req/s, mean of the rounds):"]
        for endpoint in self.rps:
            single, spread = self.mean(endpoint, "1 session"), self.mean(endpoint, many)
            verdict = "ok" if self.ratio(endpoint) >= 1 - THROUGHPUT_TOLERANCE else "BELOW TARGET"
            cpu_single, cpu_many = self.cpu(endpoint, "1 session"), self.cpu(endpoint, many)
            out.append(
                f"  {endpoint:<10} 1 session {single:9,.0f}   {many} {spread:9,.0f}   "
                f"ratio {self.ratio(endpoint):.2f} ({verdict}, target >= 0.90); server CPU per "
                f"request {cpu_single:.0f} vs {cpu_many:.0f} us"
            )
        rss = {k: _mib(v) for k, v in self.rss().items()}
        active = self.rss_active_kib or 0
        verdict = "ok" if active / 1024 < RSS_TARGET_MIB else "ABOVE TARGET"
        per = self.per_session_kib()
        out.append(
            f"  RSS: before {rss['before']}, {many} active {rss['active']} ({verdict}, target "
            f"< {RSS_TARGET_MIB} MiB), after the load {rss['after']}; "
            f"one session ≈ {per / 1024 if per is not None else float('nan'):.2f} MiB"
        )
        return out

    def rss(self) -> dict[str, int | None]:
        return {
            "before": self.rss_before_kib,
            "active": self.rss_active_kib,
            "after": self.rss_after_kib,
        }

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "ratios": {e: round(self.ratio(e), 3) for e in self.rps},
            "perSessionKib": self.per_session_kib(),
        }


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def activate(base_url: str, count: int) -> tuple[list[SessionLoad], dict[str, str], int]:
    """Create ``count`` active sessions; return them, Sendcloud Basic headers and a return id."""
    loads = []
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        accounts = client.get("/__admin/accounts").json()
        basic = accounts["sendcloud"]["basic"][0]
        pair = f"{basic['publicKey']}:{basic['secretKey']}".encode()
        sendcloud = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        listing = client.get(f"{SENDCLOUD}/returns", headers=sendcloud).json()
        return_id = int(listing["returns"][0]["id"])
        for n in range(count):
            prefix = f"/sessions/s{n:03d}"
            login = client.post(
                f"{prefix}/glue/access-tokens",
                headers={"Accept": JSONAPI, "Content-Type": JSONAPI},
                json={
                    "data": {
                        "type": "access-tokens",
                        "attributes": {"username": GLUE_USER[0], "password": GLUE_USER[1]},
                    }
                },
            )
            if login.status_code != 201:
                raise BenchError(f"login in {prefix} answered {login.status_code}")
            token = login.json()["data"]["attributes"]["accessToken"]
            glue = {"Accept": JSONAPI, "Authorization": f"Bearer {token}"}
            for path, headers in (
                (f"{prefix}/glue/returns", glue),
                (f"{prefix}{SENDCLOUD}/returns/{return_id}", sendcloud),
            ):
                if client.get(path, headers=headers).status_code != 200:
                    raise BenchError(f"no 200 on {path}")
            loads.append(SessionLoad(prefix, token))
    return loads, sendcloud, return_id


def lua_script(requests: Sequence[tuple[str, dict[str, str]]]) -> str:
    """A wrk script sending the given (path, headers) requests in turn, per connection."""
    entries = ",\n".join(
        f"  {{{json.dumps(path)}, {{{_lua_table(headers)}}}}}" for path, headers in requests
    )
    return (
        f"local requests = {{\n{entries}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local r = requests[(i % #requests) + 1]\n"
        '  return wrk.format("GET", r[1], r[2])\n'
        "end\n"
    )


def _lua_table(headers: dict[str, str]) -> str:
    return ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())


def run_script(
    wrk: str, url: str, script: Path, duration: int, connections: int, threads: int
) -> WrkResult:
    cmd = wrk_command(url, {}, duration=duration, connections=connections, threads=threads, wrk=wrk)
    cmd[-1:-1] = ["-s", str(script)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk exited {done.returncode}: {done.stderr.strip()[-200:]}")
    return parse_wrk(done.stdout)


def measure_sessions(
    fleet: Fleet,
    wrk: str,
    say: Callable[[str], None],
    *,
    duration: int,
    connections: int,
    threads: int,
    rounds: int,
    warmup: int,
    count: int = SESSIONS,
) -> SessionsResult:
    """The sessions row on a fresh mock of ``fleet`` (stopped afterwards)."""
    server: Server = fleet.spawn("ours-sessions", session_cmd)
    try:
        server.wait_ready("/__admin/accounts")
        result = SessionsResult(count, rss_before_kib=server.rss_kib())
        say(f"sessions: making {count} sessions active on {server.base_url} ...")
        loads, sendcloud, return_id = activate(server.base_url, count)
        result.rss_active_kib = server.rss_kib()
        many = f"{count} sessions"
        with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp:
            scripts: dict[tuple[str, str], Path] = {}
            for endpoint in ("sendcloud", "glue"):
                for mode, chosen in (("1 session", loads[:1]), (many, loads)):
                    requests = [
                        (
                            (f"{s.prefix}{SENDCLOUD}/returns/{return_id}", sendcloud)
                            if endpoint == "sendcloud"
                            else (
                                f"{s.prefix}/glue/returns",
                                {"Accept": JSONAPI, "Authorization": f"Bearer {s.glue_token}"},
                            )
                        )
                        for s in chosen
                    ]
                    path = Path(tmp) / f"{endpoint}-{len(chosen)}.lua"
                    path.write_text(lua_script(requests))
                    scripts[(endpoint, mode)] = path
            for endpoint in ("sendcloud", "glue"):
                result.rps[endpoint] = {"1 session": [], many: []}
                result.cpu_us[endpoint] = {"1 session": [], many: []}
                for mode in ("1 session", many):
                    run_script(
                        wrk, server.base_url, scripts[(endpoint, mode)], warmup, connections,
                        threads,
                    )  # fmt: skip
                for r in range(1, rounds + 1):
                    for mode in ("1 session", many):
                        cpu_before = server.cpu_seconds() or 0.0
                        measured = run_script(
                            wrk, server.base_url, scripts[(endpoint, mode)], duration,
                            connections, threads,
                        )  # fmt: skip
                        cpu = (server.cpu_seconds() or 0.0) - cpu_before
                        per_request = cpu * 1e6 / max(measured.requests, 1)
                        result.cpu_us[endpoint][mode].append(round(per_request, 1))
                        result.errors += measured.errors
                        result.rps[endpoint][mode].append(measured.requests_per_sec)
                        say(
                            f"  round {r}/{rounds} {endpoint:<10} {mode:<13} "
                            f"{measured.requests_per_sec:9,.0f} req/s  "
                            f"p50 {measured.p50_ms:6.2f} ms  p99 {measured.p99_ms:6.2f} ms  "
                            f"CPU {per_request:5.0f} us/request"
                        )
        result.rss_after_kib = server.rss_kib()
        listed = httpx.get(f"{server.base_url}/__admin/sessions", timeout=30).json()
        if len(listed["sessions"]) != count + 1:
            raise BenchError(f"expected {count} live sessions, found {len(listed['sessions'])}")
    finally:
        fleet.stop(server)
    return result


def in_process_cpu(count: int = SESSIONS, n: int = 4000, rounds: int = 5) -> dict[str, dict]:
    """CPU time (of this process) per cached read through the mock's ASGI app, no network:
    the same rotation as the wrk rows, steadier on a shared machine than wall-clock req/s
    (other processes' turns on the cores do not count). Min and median over ``rounds``."""
    import asyncio
    import time

    from mock_server.app import create_app
    from mock_server.config import Settings

    app = create_app(Settings(access_log=False))

    async def call(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> dict:
        scope = {
            "type": "http", "method": method, "path": path, "raw_path": path.encode(),
            "query_string": b"", "scheme": "http", "http_version": "1.1", "root_path": "",
            "server": ("bench", 80), "client": ("bench", 1), "extensions": {},
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
            + [(b"host", b"bench"), (b"content-length", str(len(body)).encode())],
        }  # fmt: skip
        answer: dict = {"body": b""}

        async def receive() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            else:
                answer["body"] += message.get("body", b"")

        await app(scope, receive, send)  # type: ignore[arg-type]
        return answer

    async def run() -> dict[str, dict]:
        accounts = json.loads((await call("GET", "/__admin/accounts", {}))["body"])
        basic = accounts["sendcloud"]["basic"][0]
        pair = f"{basic['publicKey']}:{basic['secretKey']}".encode()
        sendcloud = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        listing = await call("GET", f"{SENDCLOUD}/returns", sendcloud)
        return_id = json.loads(listing["body"])["returns"][0]["id"]
        login = json.dumps(
            {
                "data": {
                    "type": "access-tokens",
                    "attributes": {"username": GLUE_USER[0], "password": GLUE_USER[1]},
                }
            }
        ).encode()
        requests: dict[str, list[tuple[str, dict[str, str]]]] = {"sendcloud": [], "glue": []}
        for number in range(count):
            prefix = f"/sessions/s{number:03d}"
            headers = {"Accept": JSONAPI, "Content-Type": JSONAPI}
            issued = await call("POST", f"{prefix}/glue/access-tokens", headers, login)
            token = json.loads(issued["body"])["data"]["attributes"]["accessToken"]
            glue = {"Accept": JSONAPI, "Authorization": f"Bearer {token}"}
            requests["glue"].append((f"{prefix}/glue/returns", glue))
            requests["sendcloud"].append((f"{prefix}{SENDCLOUD}/returns/{return_id}", sendcloud))
        timings: dict[tuple[str, int], list[float]] = {}
        for _ in range(rounds):
            for endpoint, chosen in requests.items():
                for spread in (1, count):
                    started = time.process_time()
                    for i in range(n):
                        path, headers = chosen[i % spread]
                        answer = await call("GET", path, headers)
                    if answer["status"] != 200:
                        raise BenchError(f"in-process read answered {answer['status']}")
                    used = (time.process_time() - started) / n * 1e6
                    timings.setdefault((endpoint, spread), []).append(used)
        return {
            endpoint: {
                f"{spread} session{'s' if spread > 1 else ''}": {
                    "min_us": round(min(timings[(endpoint, spread)]), 1),
                    "median_us": round(statistics.median(timings[(endpoint, spread)]), 1),
                }
                for spread in (1, count)
            }
            for endpoint in requests
        }

    return asyncio.run(run())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sessions", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, metavar="SECONDS")
    parser.add_argument("--connections", type=int, default=32, metavar="N")
    parser.add_argument("--threads", type=int, default=2, metavar="N")
    parser.add_argument("--rounds", type=int, default=2, metavar="N")
    parser.add_argument("--warmup", type=int, default=3, metavar="SECONDS")
    parser.add_argument("--sessions", type=int, default=SESSIONS, metavar="N")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="instead: CPU time per cached read through the ASGI app, 1 vs N sessions (no wrk)",
    )
    args = parser.parse_args(argv)
    if args.in_process:
        figures = in_process_cpu(args.sessions)
        for endpoint, modes in figures.items():
            shown = "   ".join(
                f"{mode}: min {v['min_us']} us, median {v['median_us']} us"
                for mode, v in modes.items()
            )
            print(f"in-process CPU per cached read, {endpoint:<10} {shown}")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
        return 0

    def say(line: str) -> None:
        print(line, flush=True)

    try:
        wrk = ensure_wrk(say)
        say(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp, Fleet(Path(tmp)) as fleet:
            result = measure_sessions(
                fleet, wrk, say, duration=args.duration, connections=args.connections,
                threads=args.threads, rounds=args.rounds, warmup=args.warmup,
                count=args.sessions,
            )  # fmt: skip
        say(f"load average after: {os.getloadavg()[0]:.2f}")
    except BenchError as exc:
        print(f"python -m bench.sessions: error: {exc}", file=sys.stderr)
        return 1
    for line in result.lines():
        say(line)
    if args.json:
        args.json.write_text(json.dumps(result.as_dict(), indent=2))
    return 1 if result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
