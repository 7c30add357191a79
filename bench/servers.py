"""Start, wait for and stop the servers under test, each on its own free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import httpx

from mock_server.apis import ALL_APIS

from . import BenchError

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SPECS: dict[str, Path] = {api.name: Path(api.spec_file) for api in ALL_APIS}
"""Each mocked API's contract (Prism serves the same files), as its per-API package names it."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent dies (Linux; best effort)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """One server process the benchmark started; ``stop()`` ends it and its process group."""

    def __init__(self, name: str, cmd: Sequence[str], port: int, log_dir: Path) -> None:
        self.name = name
        self.cmd = list(cmd)
        self.port = port
        self.base_url = f"http://{HOST}:{port}"
        self.log_path = log_dir / f"{name}-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.spawned_at = 0.0

    def start(self) -> Server:
        """Spawn the process (own session, so a Ctrl-C reaches only the benchmark)."""
        with self.log_path.open("wb") as log:
            self.spawned_at = time.monotonic()
            try:
                self.process = subprocess.Popen(
                    self.cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=ROOT,
                    env={**os.environ, "PYTHONUNBUFFERED": "1", "SCARF_ANALYTICS": "false"},
                    start_new_session=True,
                    preexec_fn=die_with_parent if sys.platform == "linux" else None,
                )
            except OSError as exc:
                raise BenchError(f"cannot start {self.name}: {exc.strerror or exc}") from None
        return self

    @property
    def pid(self) -> int:
        if self.process is None:
            raise BenchError(f"{self.name} was never started")
        return self.process.pid

    def last_log_line(self) -> str:
        """The last non-empty line the server wrote (for one-line failure messages)."""
        try:
            lines = [ln for ln in self.log_path.read_text(errors="replace").splitlines() if ln]
        except OSError:
            return "no log"
        return lines[-1].strip() if lines else "no output"

    def log_tail(self, lines: int = 5) -> str:
        """The last ``lines`` lines the server wrote, joined with `` | `` (for error summaries)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "no log"
        return " | ".join(text.strip().splitlines()[-lines:]) or "no output"

    def wait_ready(
        self,
        path: str,
        headers: Mapping[str, str] | None = None,
        *,
        timeout: float = 60.0,
        interval: float = 0.01,
    ) -> float:
        """Poll ``GET path`` until it answers 200; return seconds from spawn to that answer."""
        deadline = self.spawned_at + timeout
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while True:
                if self.process is None or self.process.poll() is not None:
                    code = None if self.process is None else self.process.returncode
                    raise BenchError(
                        f"{self.name} exited ({code}) before answering: {self.last_log_line()}"
                    )
                try:
                    response = client.get(self.base_url + path, headers=dict(headers or {}))
                except httpx.HTTPError as exc:
                    last = type(exc).__name__
                else:
                    if response.status_code == 200:
                        return time.monotonic() - self.spawned_at
                    last = f"HTTP {response.status_code}"
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"{self.name} gave no 200 on {path} within {timeout:.0f} s (last: {last})"
                    )
                time.sleep(interval)

    def status_kib(self, field_name: str) -> int | None:
        """A ``/proc/PID/status`` field of the server process in KiB, or None once it is gone."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1])
        return None

    def rss_kib(self) -> int | None:
        """Resident set size (VmRSS) of the server process, from /proc, in KiB."""
        return self.status_kib("VmRSS")

    def hwm_kib(self) -> int | None:
        """Peak resident set size so far (VmHWM) of the server process, from /proc, in KiB."""
        return self.status_kib("VmHWM")

    def cpu_seconds(self) -> float | None:
        """User + system CPU time the server process has used so far (all its threads)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the server's process group, SIGKILL after ``grace`` seconds."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


class Fleet:
    """Every server started in a run; leaving the ``with`` block stops them all."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.servers: list[Server] = []

    def spawn(self, name: str, cmd_for_port: Callable[[int], Sequence[str]]) -> Server:
        """Start ``cmd_for_port(port)`` on a fresh free port and keep it for ``stop_all``."""
        port = free_port()
        server = Server(name, cmd_for_port(port), port, self.log_dir)
        self.servers.append(server)
        return server.start()

    def stop(self, server: Server) -> None:
        """Stop one server early (e.g. after a start-up measurement)."""
        server.stop()
        with contextlib.suppress(ValueError):
            self.servers.remove(server)

    def stop_all(self) -> None:
        """Stop every server still running, last started first."""
        for server in reversed(self.servers):
            server.stop()
        self.servers.clear()

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so the ``finally`` blocks that stop servers still run."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def ours_cmd(port: int) -> list[str]:
    """Our mock: one uvicorn worker, default seed, request validation (always on)."""
    return [sys.executable, "-m", "mock_server", "--port", str(port), "--log-level", "warning"]


def uncached_cmd(port: int) -> list[str]:
    """Our mock with its response cache off: every request runs validation and the handler."""
    return [*ours_cmd(port), "--no-response-cache"]


def prism_cmd(prism: Path, spec: Path, *, dynamic: bool = False) -> Callable[[int], list[str]]:
    """Prism ``mock`` on one spec document, static (examples) or ``-d`` (dynamic)."""

    def cmd(port: int) -> list[str]:
        extra = ["-d"] if dynamic else []
        return [str(prism), "mock", *extra, "-h", HOST, "-p", str(port), "-v", "silent", str(spec)]

    return cmd


def ceiling_cmd(routes_file: Path) -> Callable[[int], list[str]]:
    """The bare Starlette ceiling serving our recorded bytes (see ``bench.ceiling``)."""

    def cmd(port: int) -> list[str]:
        return [sys.executable, "-m", "bench.ceiling", "--port", str(port), str(routes_file)]

    return cmd
