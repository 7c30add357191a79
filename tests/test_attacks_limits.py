"""Issue 12: the limits behind the attack tests, as units — framing rules, head parsing for the
envelope, the default connection cap, and the CLI → Settings → protocol plumbing."""

from __future__ import annotations

import resource

import pytest

from mock_server import cli, http_protocol
from mock_server.config import Settings
from mock_server.http_protocol import (
    ConnectionLimits,
    MockH11Protocol,
    MockHttpToolsProtocol,
    framing_problem,
    head_fields,
    path_of,
    protocol_for,
)


@pytest.mark.parametrize(
    ("fields", "version", "problem"),
    [
        ([(b"Content-Length", b"5")], "1.1", None),
        ([(b"Transfer-Encoding", b"chunked")], "1.1", None),
        ([(b"Transfer-Encoding", b"gzip, chunked")], "1.1", None),
        ([], "1.1", None),
        ([(b"content-length", b"5"), (b"transfer-encoding", b"chunked")], "1.1", "together"),
        ([(b"Content-Length", b"5"), (b"Content-Length", b"5")], "1.1", "once"),
        ([(b"Content-Length", b"5, 5")], "1.1", "once"),
        ([(b"Content-Length", b"+5")], "1.1", "decimal"),
        ([(b"Transfer-Encoding", b"chunked, gzip")], "1.1", "end with chunked"),
        ([(b"Transfer-Encoding", b"chunked"), (b"Transfer-Encoding", b"gzip")], "1.1", "end"),
        ([(b"Transfer-Encoding", b"chunked")], "1.0", "HTTP/1.0"),
    ],
)
def test_framing_problem(fields: list, version: str, problem: str | None) -> None:
    found = framing_problem(fields, version)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_head_fields_reads_complete_lines_only() -> None:
    target, fields = head_fields(
        b"POST /glue/x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Par"
    )
    assert target == b"/glue/x?y=1"
    assert fields == [(b"Host", b"a"), (b"Content-Length", b"5")]
    assert head_fields(b"GET /only-a-request-li") == (b"", [])


@pytest.mark.parametrize(
    ("target", "path"),
    [
        (b"/glue/returns?x=1", "/glue/returns"),
        (b"http://127.0.0.1:8080/sendcloud/api/v2/returns?q", "/sendcloud/api/v2/returns"),
        (b"/glue/a%20b", "/glue/a b"),
        (b"", "/"),
        (b"*", "*"),
    ],
)
def test_path_of(target: bytes, path: str) -> None:
    assert path_of(target) == path


@pytest.mark.parametrize(
    ("soft", "cap"),
    [(256, 128), (1024, 512), (20_000, 1000), (10, 8), (resource.RLIM_INFINITY, 1000)],
)
def test_default_connection_cap_is_half_the_file_limit(
    monkeypatch: pytest.MonkeyPatch, soft: int, cap: int
) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda _: (soft, resource.RLIM_INFINITY))
    assert http_protocol.default_max_connections() == cap
    assert ConnectionLimits.from_settings(Settings()).max_connections == cap


def test_defaults() -> None:
    settings = Settings()
    assert settings.max_head_bytes == 65_536
    assert settings.client_timeout == 30.0  # issue 12: at most 30 s by default
    assert settings.max_connections is None
    args = cli.build_parser().parse_args([])
    assert args.client_timeout == 30.0 and args.max_connections is None


def test_cli_options_reach_the_protocol() -> None:
    args = cli.build_parser().parse_args(["--client-timeout", "2.5", "--max-connections", "7"])
    settings = cli.settings_from(args)
    assert (settings.client_timeout, settings.max_connections) == (2.5, 7)
    protocol = protocol_for(settings)
    assert issubclass(protocol, MockHttpToolsProtocol)
    assert protocol.limits == ConnectionLimits(65_536, 8_192, 2.5, 7)
    assert issubclass(protocol.h11_class, MockH11Protocol)
    assert protocol.h11_class.limits is protocol.limits
    h11_only = protocol_for(cli.settings_from(cli.build_parser().parse_args(["--http", "h11"])))
    assert issubclass(h11_only, MockH11Protocol)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client-timeout", "0"], "'0' is out of range (seconds 0.1-3600)"),
        (["--client-timeout", "soon"], "'soon' is not seconds 0.1-3600"),
        (["--max-connections", "0"], "'0' is out of range (an integer >= 1)"),
    ],
)
def test_bad_limits_are_one_line_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.build_parser().parse_args(args)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
