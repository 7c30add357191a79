"""A small, bounded attack harness for the mock (issue 12), and its own sanity check.

``run_attack`` starts nothing itself: it takes a mock started with ``start_mock`` (a private
process on a free loopback port), runs one attack in a thread — bounded in bytes, count and
time by the attack itself and by ``max_seconds`` — and meanwhile probes ``GET
/glue/return-reasons`` from fresh connections, timing each answer, and samples the mock's RSS
(``/proc/<pid>/status`` VmRSS) and CPU time (``/proc/<pid>/stat``). The acceptance of issue 12:
the probe answers within 1 s throughout, RSS stays within 64 MiB of its start, and the
attacker gets a 4xx or a closed connection.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from support import JSONAPI, LiveMock, start_mock, stop_mock

PROBE_PATH = "/glue/return-reasons"
PROBE_TIMEOUT = 5.0  # a probe slower than this counts as this slow
PROBE_BOUND = 1.0  # issue 12: a plain GET from another client answers within 1 s
RSS_BOUND_KIB = 64 * 1024  # issue 12: RSS within 64 MiB of its start
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` in KiB (VmRSS)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def address(mock: LiveMock) -> tuple[str, int]:
    parts = urlsplit(mock.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def probe(mock: LiveMock) -> float:
    """Seconds a plain GET on a fresh connection takes (PROBE_TIMEOUT if it fails).

    A raw socket rather than httpx: an httpx client costs tens of milliseconds of the test's
    own CPU (its TLS context), which would be measured as the mock's latency.
    """
    request = (
        f"GET {PROBE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {JSONAPI}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    started = time.monotonic()
    try:
        with socket.create_connection(address(mock), timeout=PROBE_TIMEOUT) as sock:
            sock.sendall(request)
            answer = b"".join(iter(lambda: sock.recv(65536), b""))
    except OSError:
        return PROBE_TIMEOUT
    elapsed = time.monotonic() - started
    return elapsed if answer.startswith(b"HTTP/1.1 200 ") else PROBE_TIMEOUT


@dataclass
class AttackReport:
    """What one attack did to the mock, and what the attacker got back."""

    outcome: str = "not run"  # e.g. "status 431", "closed", "reset"
    probes: list[float] = field(default_factory=list)  # seconds each probe GET took
    rss_start_kib: int = 0
    rss_peak_kib: int = 0
    cpu: float = 0.0  # CPU seconds the mock spent during the attack
    seconds: float = 0.0  # wall time of the attack
    error: BaseException | None = None  # raised in the attack thread

    @property
    def slowest_probe(self) -> float:
        return max(self.probes, default=0.0)

    @property
    def rss_growth_kib(self) -> int:
        return self.rss_peak_kib - self.rss_start_kib

    def summary(self) -> str:
        return (
            f"outcome {self.outcome}; {len(self.probes)} probes, slowest "
            f"{self.slowest_probe * 1000:.0f} ms; RSS {self.rss_start_kib // 1024} → "
            f"{self.rss_peak_kib // 1024} MiB; CPU {self.cpu:.2f} s in {self.seconds:.1f} s"
        )

    def assert_held(self, *outcomes: str) -> None:
        """Issue 12's acceptance for one attack; ``outcomes`` are the acceptable prefixes."""
        assert self.error is None, f"attack failed: {self.error!r}"
        assert self.probes, "no probe ran during the attack"
        assert self.slowest_probe < PROBE_BOUND, self.summary()
        assert self.rss_growth_kib < RSS_BOUND_KIB, self.summary()
        assert self.outcome.startswith(outcomes), self.summary()


def run_attack(
    mock: LiveMock,
    attack: Callable[[], str],
    *,
    max_seconds: float = 10.0,
    min_probes: int = 3,
    probe_every: float = 0.1,
) -> AttackReport:
    """Run ``attack`` (returns the outcome) in a thread while probing the mock; report."""
    report = AttackReport()
    pid = mock.process.pid
    report.rss_start_kib = report.rss_peak_kib = rss_kib(pid)
    cpu_before = cpu_seconds(pid)

    def attacker() -> None:
        try:
            report.outcome = attack()
        except BaseException as exc:  # reported, not swallowed: assert_held fails on it
            report.error = exc

    thread = threading.Thread(target=attacker, daemon=True)
    started = time.monotonic()
    thread.start()
    while thread.is_alive() or len(report.probes) < min_probes:
        report.probes.append(probe(mock))
        report.rss_peak_kib = max(report.rss_peak_kib, rss_kib(pid))
        if time.monotonic() - started > max_seconds:
            break
        time.sleep(probe_every)
    thread.join(timeout=max(0.0, max_seconds - (time.monotonic() - started)) + 1)
    report.seconds = time.monotonic() - started
    report.cpu = cpu_seconds(pid) - cpu_before
    report.rss_peak_kib = max(report.rss_peak_kib, rss_kib(pid))
    if thread.is_alive():
        report.error = TimeoutError(f"attack still running after {max_seconds}s")
    return report


def read_outcome(sock: socket.socket, deadline: float) -> str:
    """What the server does with a connection: ``status NNN`` (then whether it closed),
    ``closed``, ``reset`` or ``open`` if nothing happened before ``deadline``."""
    data = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, BlockingIOError):
            break
        except (ConnectionResetError, BrokenPipeError):
            return describe(data, "reset")
        if not chunk:
            return describe(data, "closed")
        data += chunk
    return describe(data, "open")


def describe(data: bytes, ending: str) -> str:
    if data.startswith(b"HTTP/1."):
        return f"status {data.split(b' ', 2)[1].decode()} {ending}"
    return ending


def stream(
    mock: LiveMock, first: bytes, filler: bytes, *, max_bytes: int, max_seconds: float
) -> str:
    """Send ``first`` then ``filler`` repeatedly (up to ``max_bytes`` in all) until the server
    answers or closes; then the outcome (``read_outcome``)."""
    deadline = time.monotonic() + max_seconds
    sent = 0
    with socket.create_connection(address(mock), timeout=max_seconds) as sock:
        sock.sendall(first)
        sent += len(first)
        sock.setblocking(False)
        pending = memoryview(b"")
        while sent < max_bytes and time.monotonic() < deadline:
            try:
                if sock.recv(1, socket.MSG_PEEK) is not None:
                    break  # the server answered or closed: stop sending
            except BlockingIOError:
                pass
            except OSError:
                return "reset"
            if not pending:
                pending = memoryview(filler)
            try:
                written = sock.send(pending)
            except BlockingIOError:
                time.sleep(0.001)
                continue
            except OSError:
                break  # reset or broken pipe: read what is left
            pending = pending[written:]
            sent += written
        sock.setblocking(True)
        return f"{read_outcome(sock, deadline)} after {sent // 1024} KiB"


def request_once(mock: LiveMock, raw: bytes, *, max_seconds: float = 5.0) -> str:
    """Send one raw request and report the outcome."""
    with socket.create_connection(address(mock), timeout=max_seconds) as sock:
        sock.sendall(raw)
        return read_outcome(sock, time.monotonic() + max_seconds)


def started_mock(tmp: object, *args: str) -> Iterator[LiveMock]:
    """A private mock for one attack module (``start_mock`` on a free loopback port)."""
    mock = start_mock(tmp, *args)  # type: ignore[arg-type]
    try:
        yield mock
    finally:
        stop_mock(mock)


# ----------------------------------------------------------------------------- sanity


def test_harness_probes_an_unattacked_mock(tmp_path) -> None:
    """Without an attack the probe answers quickly and the RSS/CPU readers work."""
    for mock in started_mock(tmp_path):
        report = run_attack(mock, lambda: "idle", min_probes=3)
        report.assert_held("idle")
        assert report.rss_start_kib > 10 * 1024  # a Python process with the app loaded
        assert 0 <= report.cpu < 5
