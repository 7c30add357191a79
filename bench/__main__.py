"""``python -m bench``: our mock vs Prism vs a bare-Starlette ceiling, loaded with wrk.

Exit status: 0 when every run answered 200 only; 1 on any failure, with a one-line message
(including a run that saw non-2xx responses or socket errors); 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from . import BenchError
from .install import PRISM_VERSION, ensure_prism, ensure_wrk, tool_version
from .report import ENDPOINTS, Process, Report, Row
from .servers import (
    SPECS,
    Fleet,
    Server,
    ceiling_cmd,
    ours_cmd,
    prism_cmd,
    sigterm_as_interrupt,
    uncached_cmd,
)
from .sessions import measure_sessions
from .wrk import run_wrk

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
JSONAPI = "application/vnd.api+json"
GLUE_USER = ("sonia@spryker.com", "change123")
SENDCLOUD = "/sendcloud/api/v2"
# Prism -d spends ~0.1 s of CPU per ~50 KB body and works on all 32 requests at once, so its
# first answers take seconds: a 3 s --quick round would often complete none.
DYNAMIC_MIN_SECONDS = 10


def say(line: str) -> None:
    print(line, flush=True)


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive(kind: Callable[[str], float | int]) -> Callable[[str], float | int]:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
        return value

    return parse


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="python -m bench",
        description="Load our mock, Prism (same specs) and a bare-Starlette ceiling with wrk on "
        "127.0.0.1; print req/s, p50, p99, ratios, start-up time and RSS; save Markdown + JSON "
        "in bench/results/. Installs wrk (apt) and Prism (npm, into bench/.prism) when missing.",
    )
    parser.add_argument(
        "--duration",
        type=_positive(int),
        metavar="SECONDS",
        help="seconds per wrk run (default 10; 3 with --quick)",
    )
    parser.add_argument(
        "--connections",
        type=_positive(int),
        default=32,
        metavar="N",
        help="open connections per wrk run (default 32)",
    )
    parser.add_argument(
        "--threads", type=_positive(int), default=2, metavar="N", help="wrk threads (default 2)"
    )
    parser.add_argument(
        "--rounds",
        type=_positive(int),
        metavar="N",
        help="rounds per server and endpoint (default 2; 1 with --quick)",
    )
    parser.add_argument(
        "--warmup",
        type=_positive(int),
        metavar="SECONDS",
        help="unrecorded wrk run per server before the rounds (default 10; 1 with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 3 s per run, 1 round, 1 s warm-up"
    )
    parser.add_argument(
        "--skip-prism", action="store_true", help="ours vs the ceiling only (no npm needed)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        metavar="DIR",
        help="where the Markdown and JSON go (default bench/results)",
    )
    return parser


UNCACHED_LABEL = "ours, --no-response-cache"


@dataclass
class Target:
    """One server on one endpoint: what wrk loads."""

    endpoint: str
    server: str
    label: str
    process: Server
    path: str
    headers: dict[str, str]

    @property
    def url(self) -> str:
        return self.process.base_url + self.path


@dataclass
class Credentials:
    """What the loads need from our running mock."""

    sendcloud_headers: dict[str, str]
    return_id: int
    glue_headers: dict[str, str]


def _json(response: httpx.Response, what: str) -> dict:
    if response.status_code not in (200, 201):
        raise BenchError(f"{what}: HTTP {response.status_code} from {response.request.url}")
    try:
        return response.json()
    except ValueError:
        raise BenchError(f"{what}: not JSON from {response.request.url}") from None


def fetch_credentials(base_url: str) -> Credentials:
    """Basic auth from /__admin/accounts, a real return id, and a Glue bearer token."""
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        accounts = _json(client.get("/__admin/accounts"), "admin accounts")
        try:
            basic = accounts["sendcloud"]["basic"][0]
            pair = f"{basic['publicKey']}:{basic['secretKey']}"
        except (KeyError, IndexError, TypeError):
            raise BenchError("/__admin/accounts has no Sendcloud Basic credentials") from None
        sendcloud = {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        listing = _json(client.get(f"{SENDCLOUD}/returns", headers=sendcloud), "Sendcloud list")
        try:
            return_id = int(listing["returns"][0]["id"])
        except (KeyError, IndexError, TypeError, ValueError):
            raise BenchError("the seeded Sendcloud world has no return to read") from None
        login = client.post(
            "/glue/access-tokens",
            headers={"Accept": JSONAPI, "Content-Type": JSONAPI},
            json={
                "data": {
                    "type": "access-tokens",
                    "attributes": {"username": GLUE_USER[0], "password": GLUE_USER[1]},
                }
            },
        )
        try:
            token = _json(login, "Glue login")["data"]["attributes"]["accessToken"]
        except (KeyError, TypeError):
            raise BenchError("Glue login answered without an access token") from None
    glue = {"Accept": JSONAPI, "Authorization": f"Bearer {token}"}
    return Credentials(sendcloud, return_id, glue)


def probe(target: Target) -> httpx.Response:
    """One request to a target; it must be 200 before we load it."""
    try:
        response = httpx.get(target.url, headers=target.headers, timeout=10.0)
    except httpx.HTTPError as exc:
        raise BenchError(f"{target.label} on {target.endpoint}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise BenchError(
            f"{target.label} answered {response.status_code} (not 200) on {target.url}"
        )
    return response


def measure_startups(
    fleet: Fleet,
    processes: dict[str, Process],
    prism: Path | None,
    path_ours: str,
    path_prism: str,
    headers: dict[str, str],
    n: int,
) -> None:
    """Spawn fresh servers, alternating, and time spawn -> first 200 on the Sendcloud read."""
    for i in range(n):
        for key in ("ours", "prism"):
            if key == "prism" and prism is None:
                continue
            if key == "ours":
                server = fleet.spawn("startup-ours", ours_cmd)
                path = path_ours
            else:
                assert prism is not None
                server = fleet.spawn("startup-prism", prism_cmd(prism, SPECS["sendcloud"]))
                path = path_prism
            try:
                seconds = server.wait_ready(path, headers)
            finally:
                fleet.stop(server)
            processes[key].startup_s.append(seconds)
            say(f"  start-up {i + 1}/{n}: {processes[key].label:<22} {seconds:6.2f} s")


def run(args: argparse.Namespace) -> int:
    """The whole benchmark; returns the exit status (servers are stopped by the caller's Fleet)."""
    duration = args.duration or (3 if args.quick else 10)
    rounds = args.rounds or (1 if args.quick else 2)
    warmup = args.warmup or (1 if args.quick else 10)
    started = dt.datetime.now().astimezone()
    stamp = started.strftime("%Y%m%d-%H%M%S")

    wrk = ensure_wrk(say)
    prism = None if args.skip_prism else ensure_prism(say)

    load_before = os.getloadavg()
    cpus = os.cpu_count() or 1
    report = Report(
        started_at=started.isoformat(timespec="seconds"),
        config={
            "duration": duration,
            "connections": args.connections,
            "threads": args.threads,
            "rounds": rounds,
            "warmup": warmup,
            "dynamic_duration": max(duration, DYNAMIC_MIN_SECONDS),
            "skip_prism": bool(args.skip_prism),
        },
        environment={
            "cpus": cpus,
            "loadavg_before": [round(x, 2) for x in load_before],
            "wrk": tool_version([wrk, "-v"]).split(" Copyright")[0],
            "prism": None if prism is None else PRISM_VERSION,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    )
    if load_before[0] > 0.5 * cpus:
        note = (
            f"load average {load_before[0]:.2f} on {cpus} CPUs before the run: other work on "
            "this machine makes the numbers noisy"
        )
        report.notes.append(note)
        say(f"warning: {note}")

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, Fleet(Path(tmp)) as fleet:
        tmp_dir = Path(tmp)
        say("servers:")
        ours = fleet.spawn("ours", ours_cmd)
        ours_startup = ours.wait_ready("/__admin/accounts")
        say(f"  ours (mock_server)     {ours.base_url}  up in {ours_startup:.2f} s")
        creds = fetch_credentials(ours.base_url)
        sendcloud_ours = f"{SENDCLOUD}/returns/{creds.return_id}"
        uncached = fleet.spawn("ours-uncached", uncached_cmd)
        uncached_startup = uncached.wait_ready("/__admin/accounts")
        say(f"  ours, cache off        {uncached.base_url}  up in {uncached_startup:.2f} s")
        uncached_creds = fetch_credentials(uncached.base_url)

        # The ceiling serves our own bytes, recorded once.
        recorded = {}
        for path, headers in (
            (sendcloud_ours, creds.sendcloud_headers),
            ("/glue/returns", creds.glue_headers),
        ):
            response = httpx.get(ours.base_url + path, headers=headers, timeout=10.0)
            if response.status_code != 200:
                raise BenchError(f"our mock answered {response.status_code} on {path}")
            recorded[path] = {
                "content_type": response.headers.get("content-type", "application/json"),
                "body_b64": base64.b64encode(response.content).decode(),
            }
        routes = tmp_dir / "ceiling-routes.json"
        routes.write_text(json.dumps(recorded))
        ceiling = fleet.spawn("ceiling", ceiling_cmd(routes))
        say(
            f"  ceiling (Starlette)    {ceiling.base_url}  up in "
            f"{ceiling.wait_ready(sendcloud_ours):.2f} s"
        )

        processes = {"ours": Process("ours", "ours (mock_server)")}
        prisms: dict[str, Server] = {}
        if prism is not None:
            processes["prism"] = Process("prism", f"Prism {PRISM_VERSION} sendcloud")
            for key, spec, dynamic, path, headers in (
                (
                    "sendcloud",
                    SPECS["sendcloud"],
                    False,
                    f"/returns/{creds.return_id}",
                    creds.sendcloud_headers,
                ),
                ("glue", SPECS["glue"], False, "/returns", creds.glue_headers),
                (
                    "dynamic",
                    SPECS["sendcloud"],
                    True,
                    f"/returns/{creds.return_id}",
                    creds.sendcloud_headers,
                ),
            ):
                server = fleet.spawn(f"prism-{key}", prism_cmd(prism, spec, dynamic=dynamic))
                seconds = server.wait_ready(path, headers)
                prisms[key] = server
                say(f"  Prism {key:<16} {server.base_url}  up in {seconds:.2f} s")
            processes["prism-glue"] = Process("prism-glue", f"Prism {PRISM_VERSION} glue")
            processes["prism-d"] = Process("prism-d", f"Prism {PRISM_VERSION} -d sendcloud")
        processes["ceiling"] = Process("ceiling", "ceiling (Starlette)")

        say(f"start-up (spawn -> first 200 on GET {SENDCLOUD}/returns/{{id}}):")
        measure_startups(
            fleet,
            processes,
            prism,
            sendcloud_ours,
            f"/returns/{creds.return_id}",
            creds.sendcloud_headers,
            rounds,
        )

        dynamic_headers = {**creds.sendcloud_headers, "Prefer": "dynamic=true"}
        targets = [
            Target("sendcloud", "ours", "ours", ours, sendcloud_ours, creds.sendcloud_headers),
            Target("glue", "ours", "ours", ours, "/glue/returns", creds.glue_headers),
            Target(
                "sendcloud",
                "uncached",
                UNCACHED_LABEL,
                uncached,
                sendcloud_ours,
                uncached_creds.sendcloud_headers,
            ),
            Target(
                "glue",
                "uncached",
                UNCACHED_LABEL,
                uncached,
                "/glue/returns",
                uncached_creds.glue_headers,
            ),
            Target(
                "sendcloud",
                "ceiling",
                "ceiling (Starlette)",
                ceiling,
                sendcloud_ours,
                creds.sendcloud_headers,
            ),
            Target(
                "glue",
                "ceiling",
                "ceiling (Starlette)",
                ceiling,
                "/glue/returns",
                creds.glue_headers,
            ),
            Target(
                "dynamic",
                "ours",
                "ours Prefer: dynamic=true",
                ours,
                sendcloud_ours,
                dynamic_headers,
            ),
            Target(
                "dynamic",
                "uncached",
                f"{UNCACHED_LABEL}, dynamic",
                uncached,
                sendcloud_ours,
                {**uncached_creds.sendcloud_headers, "Prefer": "dynamic=true"},
            ),
        ]
        if prisms:
            targets += [
                Target(
                    "sendcloud",
                    "prism",
                    f"Prism {PRISM_VERSION}",
                    prisms["sendcloud"],
                    f"/returns/{creds.return_id}",
                    creds.sendcloud_headers,
                ),
                Target(
                    "glue",
                    "prism",
                    f"Prism {PRISM_VERSION}",
                    prisms["glue"],
                    "/returns",
                    creds.glue_headers,
                ),
                Target(
                    "dynamic",
                    "prism",
                    f"Prism {PRISM_VERSION} -d",
                    prisms["dynamic"],
                    f"/returns/{creds.return_id}",
                    dynamic_headers,
                ),
            ]
        order = {"ours": 0, "uncached": 1, "prism": 2, "ceiling": 3}
        targets.sort(key=lambda t: (list(ENDPOINTS).index(t.endpoint), order[t.server]))

        rows: dict[tuple[str, str], Row] = {}
        for target in targets:
            body = probe(target).content
            rows[(target.endpoint, target.server)] = Row(
                target.endpoint, target.server, target.label, target.url, len(body)
            )
        report.rows = list(rows.values())
        processes["ours"].rss_start_kib = ours.rss_kib()
        processes["ceiling"].rss_start_kib = ceiling.rss_kib()
        for key, proc_key in (
            ("sendcloud", "prism"),
            ("glue", "prism-glue"),
            ("dynamic", "prism-d"),
        ):
            if key in prisms:
                processes[proc_key].rss_start_kib = prisms[key].rss_kib()

        load = {
            "duration": duration,
            "connections": args.connections,
            "threads": args.threads,
            "wrk": wrk,
        }
        for endpoint, label in ENDPOINTS.items():
            group = [t for t in targets if t.endpoint == endpoint]
            seconds = max(duration, DYNAMIC_MIN_SECONDS) if endpoint == "dynamic" else duration
            say(f"{label}: warm-up {warmup} s each, then {rounds} round(s) of {seconds} s")
            for target in group:
                run_wrk(target.url, target.headers, **{**load, "duration": warmup})
            for r in range(1, rounds + 1):
                for target in group:
                    cpu_before = target.process.cpu_seconds()
                    result, raw = run_wrk(
                        target.url, target.headers, **{**load, "duration": seconds}
                    )
                    cpu_after = target.process.cpu_seconds()
                    row = rows[(endpoint, target.server)]
                    row.results.append(result)
                    row.raw.append(raw)
                    if cpu_before is not None and cpu_after is not None:
                        row.cpu_s.append(round(cpu_after - cpu_before, 2))
                    flag = (
                        f"  ERROR: {result.non_2xx} non-2xx, "
                        f"{result.errors - result.non_2xx} socket errors"
                        if result.errors
                        else ""
                    )
                    say(
                        f"  round {r}/{rounds} {target.label:<26} "
                        f"{result.requests_per_sec:9,.0f} req/s  p50 {result.p50_ms:7.2f} ms  "
                        f"p99 {result.p99_ms:7.2f} ms{flag}"
                    )

        processes["ours"].rss_end_kib = ours.rss_kib()
        processes["ceiling"].rss_end_kib = ceiling.rss_kib()
        # --- sessions row (bench/sessions.py, issue 13): 200 active sessions vs 1, and RSS
        sessions = measure_sessions(
            fleet, wrk, say, duration=duration, connections=args.connections,
            threads=args.threads, rounds=rounds, warmup=min(warmup, 3),
        )  # fmt: skip
        report.notes.extend(sessions.lines())
        report.environment["sessions"] = sessions.as_dict()
        # --- end of the sessions row
        for key, proc_key in (
            ("sendcloud", "prism"),
            ("glue", "prism-glue"),
            ("dynamic", "prism-d"),
        ):
            if key in prisms:
                processes[proc_key].rss_end_kib = prisms[key].rss_kib()
        report.processes = list(processes.values())

    report.environment["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    if prisms:
        report.notes.append(
            "Prism serves each document at its root (/returns...), ours under /glue and "
            f"{SENDCLOUD}; Prism runs with --errors=false (default), so it checks only that an "
            "auth header is present, while ours validates every request and the credentials. "
            "wrk repeats one request, so ours serves it from its response cache after the first "
            "(auth, latency and faults still run per request); the row 'ours, "
            "--no-response-cache' is the same mock answering every request through validation "
            "and its handler (see the README)."
        )
        ours_dyn, prism_dyn = report.row("dynamic", "ours"), report.row("dynamic", "prism")
        if ours_dyn and prism_dyn:
            report.notes.append(
                "Dynamic bodies: ours are seeded by method, path and query, so each request to "
                f"one URL gets the same {ours_dyn.body_bytes} B body (generated once, then "
                "replayed by the response cache like any repeated read; with the cache off, "
                "generated anew for every request); "
                f"Prism -d draws a new one per request ({prism_dyn.body_bytes} B in the sample: "
                "json-schema-faker fills every property and arrays up to maxItems, 100), so "
                "weigh dynamic req/s with the size in mind."
            )
    say("")
    say(report.text())
    md, js = report.write(args.output, stamp)
    say(f"\nwrote {_rel(md)} and {_rel(js)}")
    failed = report.failed_rows()
    if failed:
        names = ", ".join(f"{r.label} on {ENDPOINTS[r.endpoint]}" for r in failed)
        raise BenchError(
            f"benchmark error: non-2xx responses, socket errors or no completed request in {names}"
        )
    return 0


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    try:
        with sigterm_as_interrupt():
            status = run(args)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; every server it started is stopped", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, never a traceback
        print(f"bench: error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    say(f"done in {time.monotonic() - started:.0f} s")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
