"""``mock-server`` command line: documented options, one-line usage errors with exit status 2."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from support import ROOT

from mock_server import cli

OPTIONS = {
    "--host": "interface to bind",
    "--port": "TCP port",
    "--seed": "seed of the generated world",
    "--latency": "delay added to every API response",
    "--fault-rate": "answered with a 500 fault",
    "--validate-responses": "check every response against the contract",
    "--no-response-cache": "replay no recorded reads",
    "--no-cors": "turn CORS off",
    "--token-ttl": "access-token lifetime",
    "--log-level": "server log level",
    "--http": "HTTP parser",
    "--forwarded-allow-ips": "X-Forwarded-Proto/For are trusted",
    "--admin-token": "require 'Authorization: Bearer TOKEN' on /__admin",
    "--no-admin": "serve no /__admin endpoints",
    "--random-secrets": "unpredictable access tokens and Sendcloud keys",
    "--max-sessions": "named sessions kept at once",
    "--session-ttl": "idle named sessions expire",
    "--quiet": "no access log",
    "--client-timeout": "stayed silent this long",
    "--max-connections": "open connections at most",
}


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m mock_server ARGS`` as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "mock_server", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


def test_help_documents_every_option() -> None:
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert not result.stderr, result.stderr  # no dependency's deprecation notice either
    text = " ".join(result.stdout.split())
    for option, words in OPTIONS.items():
        assert option in text
        assert words in text, f"{option} is not explained"
    assert "Prefer: code=404 | example=NAME | dynamic=true | delay=MS" in text
    assert "/__admin/reset" in text


def test_parser_has_no_undocumented_option() -> None:
    documented = {a for action in cli.build_parser()._actions for a in action.option_strings}
    assert documented == {"-h", "--help", *OPTIONS}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "abc"], "argument --port: 'abc' is not a port 1-65535"),
        (["--port", "0"], "argument --port: '0' is out of range (a port 1-65535)"),
        (["--port", "70000"], "argument --port: '70000' is out of range"),
        (["--seed", "-1"], "argument --seed: '-1' is out of range"),
        (["--seed", "1e3"], "argument --seed: '1e3' is not an integer >= 0"),
        (["--latency", "-5"], "argument --latency: '-5' is out of range"),
        (["--latency", "fast"], "argument --latency: 'fast' is not milliseconds 0-60000"),
        (["--fault-rate", "1.5"], "argument --fault-rate: '1.5' is out of range"),
        (["--fault-rate", "nan"], "argument --fault-rate: 'nan' is out of range"),
        (["--fault-rate", "often"], "argument --fault-rate: 'often' is not a probability 0-1"),
        (["--token-ttl", "0"], "argument --token-ttl: '0' is out of range"),
        (["--log-level", "loud"], "argument --log-level: invalid choice: 'loud'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--port"], "argument --port: expected one argument"),
    ],
)
def test_bad_option_value_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(args)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("mock-server: error: ")
    assert message in lines[0]


@pytest.mark.parametrize("args", [["--fault-rate", "2"], ["--seed", "x", "--port", "1"]])
def test_bad_option_value_in_a_real_process(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "mock-server: error:" in line]
    assert len(errors) == 1, result.stderr
    assert errors[0] == result.stderr.strip().splitlines()[-1]


def test_a_busy_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--port", str(port))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Warning" not in result.stderr, "a dependency's notice is not the user's to act on"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mock-server: error: cannot listen on 127.0.0.1:{port}: ")
    assert "mock-server on" not in result.stdout, "no banner for a server that does not run"
