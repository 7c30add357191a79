"""``python -m bench.peers``: plain ``schemathesis run --checks all`` vs ``conformance run``.

Issue 11 pt 7. Every broken implementation of ``tests/support/broken_impls.py`` (the mock with
one defect each) is served over HTTP by uvicorn on a free loopback port, once per tool, and
both tools run against it with the same seed, example budget and time limit:

* **schemathesis**: ``st run <contract> --url … --checks all`` with the API's credentials
  (``-H 'Authorization: Bearer …'`` after logging in for Glue, ``--auth`` Basic for Sendcloud)
  and its JSON report. It *catches* a defect when it reports a failure (check code and operation)
  that it does not report against the healthy mock with the same settings: plain Schemathesis
  already fails the healthy mock (the baseline), so "exit 1" would mean nothing.
* **conformance**: ``conformance run`` with its JUnit report; it *catches* a defect when the
  check named for it (``EXPECTED_CHECK``) fails.

Then both run against the independent reference backend (``tests/reference_backend``), which
behaves as the real services do: every failure there is a false alarm.

Bounded: each tool run has ``--time-limit`` seconds (Schemathesis' ``--max-time`` plus a hard
subprocess timeout; ``conformance run`` gets the hard timeout); a run that hits it counts as not
caught. Prints a table and writes it as Markdown to ``bench/results/peers-<time>.md``
(git-ignored). Not part of the tests; its pure parts are (``tests/test_bench_peers.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BASES = {"glue": "/glue", "sendcloud": "/sendcloud/api/v2"}
SEED = 20261202
JSONAPI = "application/vnd.api+json"
DESCRIPTION = "plain `schemathesis run --checks all` vs `conformance run` (issue 11 pt 7)"
_VIOLATIONS = re.compile(r"^(?P<check>\S+): (?P<count>\d+) violation\(s\)")


# --------------------------------------------------------------------------- results (pure)


@dataclass
class ToolRun:
    """One tool against one target: what it reported, or why it did not finish."""

    failures: set[str] = field(default_factory=set)  # "ST202 POST /returns" / check names
    violations: int = 0  # conformance: violations; schemathesis: unique failures
    seconds: float = 0.0
    problem: str = ""  # "timeout after 60s", "exit 2: …"

    @property
    def label(self) -> str:
        return self.problem or f"{self.violations} in {len(self.failures)}"


@dataclass
class Row:
    """One target: a broken implementation (with its expected check) or the reference backend."""

    target: str
    api: str
    expected_check: str  # "" for the reference backend
    schemathesis: ToolRun
    conformance: ToolRun
    schemathesis_new: set[str] = field(default_factory=set)  # failures not in the baseline

    @property
    def schemathesis_caught(self) -> bool:
        return not self.schemathesis.problem and bool(self.schemathesis_new)

    @property
    def conformance_caught(self) -> bool:
        return not self.conformance.problem and self.expected_check in self.conformance.failures


def parse_schemathesis_report(data: Any) -> ToolRun:
    """Failures of a Schemathesis 4 JSON run report (``--report json``): ``CODE operation``."""
    if not isinstance(data, dict):
        return ToolRun(problem="not a Schemathesis JSON report")
    failures: set[str] = set()
    unique = 0
    for failure in data.get("failures") or []:
        code = str(failure.get("code") or failure.get("type") or "?")
        operations = failure.get("operations") or ["(run)"]
        failures.update(f"{code} {operation}" for operation in operations)
        unique += int(failure.get("count") or len(operations))
    for error in data.get("errors") or []:
        label = error.get("label") or error.get("title") if isinstance(error, dict) else error
        failures.add(f"error {label}")
    seconds = float(data.get("running_time") or 0.0)
    return ToolRun(failures, unique or len(failures), seconds)


def parse_conformance_junit(text: str) -> ToolRun:
    """Failed checks and the number of violations of a ``conformance run --junit-xml`` report."""
    root = ET.fromstring(text)
    failures: set[str] = set()
    violations = 0
    seconds = 0.0
    for suite in root.iter("testsuite"):
        seconds += float(suite.get("time") or 0.0)
        for case in suite.iter("testcase"):
            failure = case.find("failure")
            if failure is None:
                continue
            name = case.get("name") or "?"
            failures.add(name)
            match = _VIOLATIONS.match(failure.get("message") or "")
            violations += int(match.group("count")) if match else 1
    return ToolRun(failures, violations, seconds)


def new_failures(found: set[str], baseline: set[str]) -> set[str]:
    """What a run reports beyond the healthy mock's baseline."""
    return found - baseline


def _mark(caught: bool, run: ToolRun) -> str:
    if run.problem:
        return f"- ({run.problem})"
    return "✅" if caught else "❌"


def table_rows(rows: Sequence[Row]) -> list[list[str]]:
    """Header plus one row per target: caught (or false alarms) by each tool."""
    lines = [["target", "api", "expected check", "schemathesis", "conformance", "st new failures"]]
    for row in rows:
        if row.expected_check:
            lines.append(
                [
                    row.target,
                    row.api,
                    row.expected_check,
                    _mark(row.schemathesis_caught, row.schemathesis),
                    _mark(row.conformance_caught, row.conformance),
                    ", ".join(sorted(row.schemathesis_new)) or "-",
                ]
            )
        else:
            lines.append(
                [
                    row.target,
                    row.api,
                    "(false alarms)",
                    row.schemathesis.problem or f"{row.schemathesis.violations}",
                    row.conformance.problem or f"{row.conformance.violations}",
                    ", ".join(sorted(row.schemathesis.failures)) or "-",
                ]
            )
    return lines


def totals(rows: Sequence[Row]) -> dict[str, str]:
    """Caught counts over the broken implementations, false alarms on the reference backend."""
    broken = [r for r in rows if r.expected_check]
    reference = [r for r in rows if not r.expected_check]
    return {
        "broken implementations": str(len(broken)),
        "caught by schemathesis": str(sum(r.schemathesis_caught for r in broken)),
        "caught by conformance": str(sum(r.conformance_caught for r in broken)),
        "false alarms of schemathesis (reference backend)": ", ".join(
            f"{r.api} {r.schemathesis.problem or r.schemathesis.violations}" for r in reference
        )
        or "-",
        "false alarms of conformance (reference backend)": ", ".join(
            f"{r.api} {r.conformance.problem or r.conformance.violations}" for r in reference
        )
        or "-",
    }


def text_table(rows: Sequence[Row], width: int = 60) -> str:
    """The terminal table (long cells shortened)."""
    lines = [[c if len(c) <= width else c[: width - 1] + "…" for c in r] for r in table_rows(rows)]
    widths = [max(len(r[i]) for r in lines) for i in range(len(lines[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    out += ["", *(f"{k}: {v}" for k, v in totals(rows).items())]
    return "\n".join(out)


def markdown(rows: Sequence[Row], settings: dict[str, str]) -> str:
    """The Markdown report: settings, totals, the table."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["# Peers: plain Schemathesis vs `conformance run`", ""]
    lines += [f"- **{k}:** {v}" for k, v in settings.items()]
    lines += ["", "| | |", "|---|---|"]
    lines += [f"| {cell(k)} | {cell(v)} |" for k, v in totals(rows).items()]
    header, *body = table_rows(rows)
    lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in body]
    lines += [
        "",
        "Schemathesis *catches* a defect when it reports a failure (check code and operation) "
        "that it does not report against the healthy mock with the same settings; "
        "`conformance` catches it when the check named for the defect fails. On the reference "
        "backend every failure is a false alarm (Schemathesis: unique failures; conformance: "
        "violations).",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- serving


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` on uvicorn at a free 127.0.0.1 port, in a thread; yields its root URL."""
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Credentials:
    """What both tools get for one target."""

    glue: tuple[str, str] | None = None
    glue_other: tuple[str, str] | None = None
    store: str | None = None
    basic: tuple[str, str] | None = None


def glue_token(url: str, user: tuple[str, str]) -> str | None:
    """Log in through ``POST /access-tokens`` (as a Schemathesis user would, with curl)."""
    import httpx

    body = {
        "data": {"type": "access-tokens", "attributes": dict(username=user[0], password=user[1])}
    }
    headers = {"Content-Type": JSONAPI, "Accept": JSONAPI}
    try:
        response = httpx.post(f"{url}/access-tokens", json=body, headers=headers, timeout=10)
        return str(response.json()["data"]["attributes"]["accessToken"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def run_schemathesis(
    api: str, url: str, spec: Path, credentials: Credentials, args: argparse.Namespace, work: Path
) -> ToolRun:
    command = [str(Path(sys.executable).parent / "st"), "run", str(spec), "--url", url]
    command += ["--checks", "all", "--max-examples", str(args.max_examples), "--seed", str(SEED)]
    command += ["--max-time", str(args.time_limit), "--report", "json", "--no-color"]
    report = work / "st.json"
    command += ["--report-json-path", str(report)]
    if api == "glue" and credentials.glue:
        token = glue_token(url, credentials.glue)
        if token:
            command += ["-H", f"Authorization: Bearer {token}"]
    if api == "sendcloud" and credentials.basic:
        command += ["--auth", ":".join(credentials.basic)]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.time_limit + 60, cwd=work
        )
    except subprocess.TimeoutExpired:
        return ToolRun(problem=f"timeout after {args.time_limit + 60}s")
    if not report.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        return ToolRun(problem=f"exit {done.returncode}: {tail[0][:80]}")
    run = parse_schemathesis_report(json.loads(report.read_text(encoding="utf-8")))
    run.seconds = time.monotonic() - started
    return run


def run_conformance(
    api: str, url: str, spec: Path | None, credentials: Credentials, args: argparse.Namespace,
    work: Path,
) -> ToolRun:  # fmt: skip
    junit = work / "conformance.xml"
    command = [sys.executable, "-m", "conformance", "run", "--api", api, "--base-url", url]
    command += ["--seed", str(SEED), "--max-examples", str(args.max_examples), "--quiet"]
    command += ["--report-dir", str(work), "--junit-xml", str(junit)]
    if spec is not None:
        command += ["--spec", str(spec)]
    env_secrets: dict[str, str] = {}
    if credentials.glue:
        command += ["--username", credentials.glue[0]]
        env_secrets["CONFORMANCE_PASSWORD"] = credentials.glue[1]
    if credentials.glue_other:
        command += ["--other-username", credentials.glue_other[0]]
        env_secrets["CONFORMANCE_OTHER_PASSWORD"] = credentials.glue_other[1]
    if credentials.store:
        command += ["--store", credentials.store]
    if credentials.basic:
        env_secrets["CONFORMANCE_BASIC"] = ":".join(credentials.basic)
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.time_limit + 60, cwd=ROOT,
            env={**os.environ, **env_secrets},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return ToolRun(problem=f"timeout after {args.time_limit + 60}s")
    if done.returncode not in (0, 1) or not junit.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        return ToolRun(problem=f"exit {done.returncode}: {tail[0][:80]}")
    run = parse_conformance_junit(junit.read_text(encoding="utf-8"))
    run.seconds = time.monotonic() - started
    return run


# --------------------------------------------------------------------------- targets


def _tests_on_path() -> None:
    for path in (ROOT, ROOT / "tests"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def mock_credentials(api: str) -> Credentials:
    _tests_on_path()
    support = importlib.import_module("support")  # tests/support, on the path above
    SONIA, SPENCOR = support.SONIA, support.SPENCOR

    if api == "glue":
        return Credentials(glue=SONIA, glue_other=SPENCOR)
    from mock_server.apis.sendcloud.world import build_world

    world = build_world(42)
    return Credentials(basic=(world.public_key, world.secret_key))


def reference_credentials(api: str) -> Credentials:
    _tests_on_path()
    from tests.reference_backend import (
        GLUE_CUSTOMER,
        GLUE_OTHER_CUSTOMER,
        GLUE_STORE,
        SENDCLOUD_BASIC,
    )

    if api == "glue":
        return Credentials(glue=GLUE_CUSTOMER, glue_other=GLUE_OTHER_CUSTOMER, store=GLUE_STORE)
    return Credentials(basic=SENDCLOUD_BASIC)


def patched_spec(impl: Any, api: str, work: Path) -> Path | None:
    """The contract plus what ``impl`` breaks, when it says so (as the self-test does)."""
    if impl.CONTRACT_PATCH is None:
        return None
    import yaml

    from conformance.apis import profile_for

    contract = profile_for(api).load_contract()
    document = copy.deepcopy(contract.raw)
    impl.CONTRACT_PATCH(document)
    target = work / contract.path.name
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target


def both_tools(
    api: str, make_app: Callable[[], Any], spec: Path | None, credentials: Credentials,
    args: argparse.Namespace, work: Path,
) -> tuple[ToolRun, ToolRun]:  # fmt: skip
    """Each tool against its own fresh instance of the target (no shared state)."""
    from conformance.apis import profile_for

    contract = spec or profile_for(api).load_contract().path
    (work / "st").mkdir(parents=True, exist_ok=True)
    (work / "ours").mkdir(parents=True, exist_ok=True)
    with served(make_app()) as root:
        st = run_schemathesis(api, root + BASES[api], contract, credentials, args, work / "st")
    with served(make_app()) as root:
        ours = run_conformance(api, root + BASES[api], spec, credentials, args, work / "ours")
    return st, ours


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers", description=DESCRIPTION)
    parser.add_argument("--max-examples", type=int, default=10, metavar="N", help="default 10")
    parser.add_argument(
        "--time-limit", type=int, default=30, metavar="SECONDS",
        help="per tool and target (Schemathesis --max-time; hard stop 60 s later); default 30",
    )  # fmt: skip
    parser.add_argument("--only", action="append", metavar="NAME", help="only these broken impls")
    parser.add_argument("--api", choices=sorted(BASES), help="only this API")
    parser.add_argument("--skip-reference", action="store_true", help="no reference backend")
    parser.add_argument("--output", type=Path, default=RESULTS, metavar="DIR")
    args = parser.parse_args(argv)
    _tests_on_path()
    BROKEN = importlib.import_module("support.broken_impls").BROKEN

    from mock_server.app import create_app
    from mock_server.config import Settings
    from tests.reference_backend import create_app as reference_app

    impls = [i for i in BROKEN if (not args.only or i.NAME in args.only)]
    impls = [i for i in impls if args.api in (None, i.API)]
    unknown = sorted(set(args.only or ()) - {i.NAME for i in BROKEN})
    if unknown:
        print(f"bench.peers: error: unknown broken impl(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    apis = sorted({i.API for i in impls} | ({args.api} if args.api else set(BASES)))
    rows: list[Row] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="peers-") as tmp:
        work = Path(tmp)
        baselines: dict[str, set[str]] = {}
        baseline_labels: list[str] = []
        for api in apis:
            st, _ = both_tools(
                api, lambda: create_app(Settings()), None, mock_credentials(api), args,
                work / f"baseline-{api}",
            )  # fmt: skip
            baselines[api] = st.failures
            baseline_labels.append(f"{api} {st.label}")
            print(f"[baseline {api}] schemathesis on the healthy mock: {st.label}", flush=True)
        for impl in impls:
            where = work / impl.NAME
            where.mkdir()
            spec = patched_spec(impl, impl.API, where)
            st, ours = both_tools(impl.API, impl, spec, mock_credentials(impl.API), args, where)
            row = Row(impl.NAME, impl.API, impl.EXPECTED_CHECK, st, ours)
            row.schemathesis_new = new_failures(st.failures, baselines.get(impl.API, set()))
            rows.append(row)
            print(
                f"[{impl.NAME}] schemathesis {'caught' if row.schemathesis_caught else 'missed'}"
                f" ({st.label}), conformance "
                f"{'caught' if row.conformance_caught else 'missed'} ({ours.label})",
                flush=True,
            )
        if not args.skip_reference:
            for api in apis:
                st, ours = both_tools(
                    api, reference_app, None, reference_credentials(api), args,
                    work / f"reference-{api}",
                )  # fmt: skip
                rows.append(Row("reference backend", api, "", st, ours))
                print(f"[reference {api}] false alarms: schemathesis {st.label}, "
                      f"conformance {ours.label}", flush=True)  # fmt: skip
    settings = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seed": str(SEED),
        "max examples": str(args.max_examples),
        "time limit per tool and target": f"{args.time_limit}s",
        "schemathesis": "`st run <contract> --checks all` + auth header",
        "schemathesis failures on the healthy mock (baseline)": ", ".join(baseline_labels),
        "duration": f"{time.monotonic() - started:.0f}s",
    }
    print(text_table(rows))
    args.output.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    path = args.output / f"peers-{stamp}.md"
    path.write_text(markdown(rows, settings), encoding="utf-8")
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
