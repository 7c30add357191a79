"""``mock-server``: serve both APIs, or ``mock-server lint SPEC…``."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import warnings
from collections.abc import Sequence
from typing import Any

# Connexion 3.3 imports Starlette's test client when it is imported (here, through the API
# definitions); its httpx deprecation notice is not the user's to act on. Filtered before that.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

from .admin_guard import is_loopback_name  # noqa: E402
from .api import ApiDefinition  # noqa: E402
from .config import DEFAULT_SEED, Settings  # noqa: E402
from .derived_secrets import new_salt  # noqa: E402


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _bounded(kind: type, low: float, high: float, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is out of range ({what})")
        return value

    return parse


def _admin_token(text: str) -> str:
    if not text or not text.isascii() or not text.isprintable() or " " in text:
        raise argparse.ArgumentTypeError("must be non-empty printable ASCII without spaces")
    return text


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="mock-server",
        description="Contract-first mock of the Spryker Glue Return Management API (under /glue) "
        "and the Sendcloud Returns API v2 (under /sendcloud/api/v2), stateful and seeded. "
        "`mock-server lint SPEC...` checks OpenAPI documents and their examples instead.",
        epilog="Per request: Prefer: code=404 | example=NAME | dynamic=true | delay=MS. "
        "Admin: POST /__admin/reset, GET /__admin/accounts, GET /__admin/state, "
        "GET|DELETE /__admin/requests, GET /__admin/sessions "
        "(no CORS; refused to other origins and, on loopback, to non-loopback Host names). "
        "Tokens and keys are derived from the seed unless --random-secrets: not secret. "
        "Sessions: /sessions/NAME/... or the header Mock-Session: NAME.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1, loopback only)"
    )
    parser.add_argument(
        "--port",
        type=_bounded(int, 1, 65535, "a port 1-65535"),
        default=8080,
        help="TCP port (default 8080)",
    )
    parser.add_argument(
        "--seed",
        type=_bounded(int, 0, 2**63 - 1, "an integer >= 0"),
        default=DEFAULT_SEED,
        help=f"seed of the generated world; same seed, same data (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--latency",
        type=_bounded(int, 0, 60_000, "milliseconds 0-60000"),
        default=0,
        metavar="MS",
        help="delay added to every API response (default 0)",
    )
    parser.add_argument(
        "--fault-rate",
        type=_bounded(float, 0.0, 1.0, "a probability 0-1"),
        default=0.0,
        metavar="P",
        help="share of API requests answered with a 500 fault, in the API's envelope",
    )
    parser.add_argument(
        "--validate-responses",
        action="store_true",
        help="check every response against the contract (a mismatch becomes a 500)",
    )
    parser.add_argument(
        "--no-response-cache",
        action="store_true",
        help="replay no recorded reads: every request runs validation and its handler "
        "(responses are the same; for measuring or debugging the mock)",
    )
    parser.add_argument(
        "--no-cors", action="store_true", help="turn CORS off (on for any origin by default)"
    )
    parser.add_argument(
        "--token-ttl",
        type=_bounded(int, 1, 10**7, "seconds 1-10000000"),
        default=28800,
        metavar="SECONDS",
        help="Glue access-token lifetime (default 28800, as Spryker)",
    )
    parser.add_argument(
        "--http",
        choices=("httptools", "h11"),
        default="httptools",
        help="HTTP parser: httptools (default, fastest; a head it cannot parse, such as an "
        "unknown method or a request line over 64 KiB, is handed to h11) or h11 (h11 only)",
    )
    # HTTP connection limits (issue 12; mock_server/http_protocol.py)
    parser.add_argument(
        "--client-timeout",
        type=_bounded(float, 0.1, 3600.0, "seconds 0.1-3600"),
        default=30.0,
        metavar="SECONDS",
        help="close a connection whose client sent nothing, or part of a request, and then "
        "stayed silent this long (default 30)",
    )
    parser.add_argument(
        "--max-connections",
        type=_bounded(int, 1, 1_000_000, "an integer >= 1"),
        default=None,
        metavar="N",
        help="open connections at most; past it the longest-silent one is closed, or, when all "
        "are busy, the new one gets 503 (default: half the file-descriptor limit, at most 1000)",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        default="",
        metavar="IPS",
        help="comma-separated proxy addresses (or '*') whose X-Forwarded-Proto/For are trusted "
        "(default: none; the scheme in links is the connection's own)",
    )
    parser.add_argument(
        "--admin-token",
        type=_admin_token,
        metavar="TOKEN",
        help="require 'Authorization: Bearer TOKEN' on /__admin (else 401)",
    )
    parser.add_argument("--no-admin", action="store_true", help="serve no /__admin endpoints (404)")
    parser.add_argument(
        "--random-secrets",
        action="store_true",
        help="unpredictable access tokens and Sendcloud keys for this process (seeded data "
        "stays deterministic); by default they derive from the seed and are not secret",
    )
    # --- sessions (sessions.py) and the access log (access_log.py)
    parser.add_argument(
        "--max-sessions",
        type=_bounded(int, 1, 100_000, "an integer 1-100000"),
        default=256,
        metavar="N",
        help="named sessions kept at once; the least recently used goes first (default 256)",
    )
    parser.add_argument(
        "--session-ttl",
        type=_bounded(float, 0.001, 10**7, "seconds > 0"),
        default=1800.0,
        metavar="SECONDS",
        help="idle named sessions expire after this (default 1800; the default session never)",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no access log (one line per request: method, path, session, status, code, ms)",
    )
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="info",
        help="server log level (default info)",
    )
    return parser


def http_protocol(settings: Settings, runtime: Any) -> Any:
    """uvicorn's ``http=``: httptools (h11 for heads it cannot parse) or h11, with the mock's
    head limits, client timeout and connection cap (``mock_server/http_protocol.py``)."""
    from .http_protocol import protocol_for

    return protocol_for(settings, runtime)


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host,
        port=args.port,
        seed=args.seed,
        latency_ms=args.latency,
        fault_rate=args.fault_rate,
        validate_responses=args.validate_responses,
        response_cache=not args.no_response_cache,
        cors=not args.no_cors,
        token_ttl=args.token_ttl,
        http=args.http,
        admin=not args.no_admin,
        admin_token=args.admin_token,
        loopback_hosts_only=is_loopback_name(args.host),
        forwarded_allow_ips=args.forwarded_allow_ips,
        secret_salt=new_salt() if args.random_secrets else None,
        max_sessions=args.max_sessions,
        session_ttl=args.session_ttl,
        access_log=not args.quiet,
        client_timeout=args.client_timeout,
        max_connections=args.max_connections,
    )


def banner(settings: Settings, apis: Sequence[tuple[ApiDefinition, dict]]) -> str:
    """What the mock prints at start-up: each API's URLs and seeded credentials, in the words of
    its definition (``apis``: (definition, ``service.accounts()``) pairs)."""
    base = f"http://{settings.host}:{settings.port}"
    if not settings.admin:
        admin = "off (--no-admin)"
    elif settings.admin_token:
        admin = f"{base}/__admin (bearer token required)"
    else:
        admin = f"{base}/__admin"
    lines = [f"mock-server on {base} (seed {settings.seed})"]
    for definition, _ in apis:
        url = f"{base}{definition.base_path}"
        lines.append(f"  {definition.title}: {url}   docs {url}/ui/")
    lines.append(f"  Admin:     {admin}")
    if settings.secret_salt is None:
        lines.append(
            "  Not secret: tokens and keys below derive from the seed (same seed, same bytes); "
            "anyone who knows the seed can compute them. --random-secrets when shared."
        )
    else:
        lines.append("  Tokens and keys: random for this process (--random-secrets).")
    for definition, accounts in apis:
        lines += [f"  {line}" for line in definition.banner_lines(accounts)]
    return "\n".join(lines)


def exposure_warning(settings: Settings) -> str | None:
    """A warning when the admin API is reachable beyond this machine without a token."""
    if settings.admin and not settings.admin_token and not is_loopback_name(settings.host):
        return (
            f"mock-server: warning: {settings.host} is not a loopback address and /__admin "
            "has no token: anyone who can reach this port can reset the mock and read its "
            "credentials. Pass --admin-token TOKEN or --no-admin."
        )
    return None


def check_listen(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None (uvicorn's own bind error exits 3)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lint"]:
        from .lint import main as lint_main

        return lint_main(argv[1:])
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    problem = check_listen(settings.host, settings.port)
    if problem is not None:
        print(
            f"mock-server: error: cannot listen on {settings.host}:{settings.port}: {problem}",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    from .app import create_app

    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    apis = [(m.definition, m.service.accounts()) for m in app.runtime.apis.values()]
    print(banner(settings, apis), flush=True)
    warning = exposure_warning(settings)
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level=args.log_level,
            access_log=args.log_level == "debug",
            http=http_protocol(settings, app.runtime),
            # h11 (also behind httptools' fallback): room for long request lines, answered 414
            h11_max_incomplete_event_size=256 * 1024,
            # X-Forwarded-* only from the proxies named (uvicorn trusts loopback by default)
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    except OSError as exc:
        print(
            f"mock-server: error: cannot listen on {settings.host}:{settings.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
