"""Idempotent installs of the two load-test tools: ``wrk`` (Debian) and Prism (npm)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import BenchError

ROOT = Path(__file__).resolve().parent.parent
PRISM_PACKAGE = "@stoplight/prism-cli"
# Pinned: the latest release when this benchmark was written (`npm view @stoplight/prism-cli
# version`). Bump deliberately; the installed copy in bench/.prism is replaced when it differs.
PRISM_VERSION = "5.16.0"
PRISM_DIR = ROOT / "bench" / ".prism"

Say = Callable[[str], None]


def _run(cmd: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> None:
    """Run an install command quietly; raise ``BenchError`` with its last output line on failure."""
    try:
        done = subprocess.run(
            list(cmd),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"`{' '.join(cmd)}` did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise BenchError(f"cannot run `{cmd[0]}`: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()
        raise BenchError(f"`{' '.join(cmd)}` failed ({done.returncode}): {lines[-1]}")


def ensure_wrk(say: Say) -> str:
    """Return the path of ``wrk``, installing the Debian package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        say(f"install: wrk already present ({found})")
        return found
    if shutil.which("apt-get") is None:
        raise BenchError("wrk is missing and apt-get is not available to install it")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-qq", "wrk"]
    started = time.monotonic()
    try:
        _run(install, timeout=600, env=apt_env)
    except BenchError:
        # A fresh machine has stale or no package lists: refresh them once and retry.
        say("install: apt-get update (package lists)")
        _run([*sudo, "apt-get", "update", "-qq"], timeout=600, env=apt_env)
        _run(install, timeout=600, env=apt_env)
    found = shutil.which("wrk")
    if not found:
        raise BenchError("apt-get installed wrk but it is not on PATH")
    say(f"install: apt-get install wrk ... done in {time.monotonic() - started:.0f} s ({found})")
    return found


def prism_bin() -> Path:
    """Where the pinned Prism CLI lives once installed."""
    return PRISM_DIR / "node_modules" / ".bin" / "prism"


def installed_prism_version() -> str | None:
    """Version of the Prism CLI in ``bench/.prism``, or None when absent."""
    manifest = PRISM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def ensure_prism(say: Say) -> Path:
    """Return the Prism CLI path, ``npm install``-ing the pinned version into bench/.prism."""
    if installed_prism_version() == PRISM_VERSION and prism_bin().exists():
        say(f"install: Prism {PRISM_VERSION} already in {PRISM_DIR.relative_to(ROOT)}")
        return prism_bin()
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise BenchError("Prism needs node and npm (or run with --skip-prism)")
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    _run(
        [
            "npm",
            "install",
            "--prefix",
            str(PRISM_DIR),
            "--save-exact",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"{PRISM_PACKAGE}@{PRISM_VERSION}",
        ],
        timeout=600,
        env={"SCARF_ANALYTICS": "false"},  # Prism depends on @scarf/scarf (install telemetry)
    )
    if installed_prism_version() != PRISM_VERSION or not prism_bin().exists():
        raise BenchError(f"npm finished but {prism_bin().relative_to(ROOT)} is not {PRISM_VERSION}")
    say(
        f"install: npm install {PRISM_PACKAGE}@{PRISM_VERSION} into "
        f"{PRISM_DIR.relative_to(ROOT)} ... done in {time.monotonic() - started:.0f} s"
    )
    return prism_bin()


def tool_version(cmd: Sequence[str]) -> str:
    """First line a ``--version``-style command prints (wrk prints to stdout and exits 1)."""
    try:
        done = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return lines[0].strip() if lines else "unknown"
