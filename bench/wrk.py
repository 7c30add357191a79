"""Run ``wrk --latency`` against one URL and parse its text report."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from . import BenchError

_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_NUMBER_SUFFIX = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}

_PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_TOTALS = re.compile(
    r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read\s*$", re.M
)
_LATENCY_ROW = re.compile(
    r"^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)\s+([\d.]+)(us|ms|s|m|h)", re.M
)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.M)
_SOCKET = re.compile(
    r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.M
)
_SOCKET_KINDS = ("connect", "read", "write", "timeout")
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses: (\d+)\s*$", re.M)


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured (latencies in milliseconds)."""

    requests_per_sec: float
    requests: int
    duration_s: float
    bytes_read: int
    latency_avg_ms: float
    latency_max_ms: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_SOCKET_KINDS, 0))

    @property
    def errors(self) -> int:
        """Non-2xx responses plus socket errors: anything above 0 spoils the run."""
        return self.non_2xx + sum(self.socket_errors.values())

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, with the derived error count."""
        return {**asdict(self), "errors": self.errors}


def _ms(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS_MS[unit]


def parse_wrk(text: str) -> WrkResult:
    """Parse the stdout of ``wrk --latency``; raise ``ValueError`` when a figure is missing."""
    percentiles = {int(p): _ms(v, u) for p, v, u in _PERCENTILE.findall(text)}
    totals = _TOTALS.search(text)
    latency = _LATENCY_ROW.search(text)
    rps = _RPS.search(text)
    missing = [
        name
        for name, found in (
            ("latency distribution (--latency)", set(percentiles) >= {50, 75, 90, 99}),
            ("request totals", totals),
            ("latency row", latency),
            ("Requests/sec", rps),
        )
        if not found
    ]
    if missing:
        raise ValueError(f"wrk output lacks {', '.join(missing)}")
    assert totals and latency and rps  # for the type checker; checked above
    socket = _SOCKET.search(text)
    non_2xx = _NON_2XX.search(text)
    return WrkResult(
        requests_per_sec=float(rps.group(1)),
        requests=int(totals.group(1)),
        duration_s=_ms(totals.group(2), totals.group(3)) / 1000.0,
        bytes_read=round(float(totals.group(4)) * _SIZE_UNITS[totals.group(5)]),
        latency_avg_ms=_ms(latency.group(1), latency.group(2)),
        latency_max_ms=_ms(latency.group(5), latency.group(6)),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=(
            dict(zip(_SOCKET_KINDS, map(int, socket.groups()), strict=True))
            if socket
            else dict.fromkeys(_SOCKET_KINDS, 0)
        ),
    )


def wrk_command(
    url: str,
    headers: Mapping[str, str],
    *,
    duration: float,
    connections: int,
    threads: int,
    wrk: str = "wrk",
) -> list[str]:
    """The ``wrk`` argument list for one run (whole seconds, at least 1)."""
    threads = max(1, min(threads, connections))
    seconds = max(1, round(duration))
    # wrk drops a response slower than --timeout (2 s by default) from the latency histogram
    # and counts it as a socket timeout; at the run's length nothing is dropped.
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={seconds}s"]
    cmd.append("--latency")
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    return [*cmd, url]


def run_wrk(
    url: str,
    headers: Mapping[str, str],
    *,
    duration: float,
    connections: int,
    threads: int,
    wrk: str = "wrk",
) -> tuple[WrkResult, str]:
    """Load ``url`` for ``duration`` seconds; return the parsed result and wrk's raw output."""
    cmd = wrk_command(
        url, headers, duration=duration, connections=connections, threads=threads, wrk=wrk
    )
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=duration + 60, check=False
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"wrk did not finish within {duration + 60:.0f} s on {url}") from None
    except OSError as exc:
        raise BenchError(f"cannot run wrk: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BenchError(
            f"wrk exited {done.returncode} on {url}: {detail[-1] if detail else 'no output'}"
        )
    try:
        return parse_wrk(done.stdout), done.stdout
    except ValueError as exc:
        raise BenchError(f"{exc} (url {url})") from None
