"""``conformance``: check an implementation of the Glue or Sendcloud returns API.

``conformance run --api glue --base-url URL --username U --password P`` (or ``--token``),
``conformance run --api sendcloud --base-url URL --basic KEY:SECRET``, ``conformance checks``.
Exit status: 0 conformant, 1 violations found, 2 usage error or unreachable target.
Secrets may come from the environment instead (``CONFORMANCE_PASSWORD``, ``CONFORMANCE_TOKEN``,
``CONFORMANCE_BASIC``, ``CONFORMANCE_OTHER_PASSWORD`` …) so they stay out of CI logs.
"""

from __future__ import annotations

import argparse
import importlib
import operator
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .apis import api_names, profile_for, profiles
from .profile import ApiProfile, Credentials

DEFAULT_REPORT_DIR = "conformance-reports"


class OneLineParser(argparse.ArgumentParser):
    """argparse with a one-line usage error and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 2**63-1")
    return value


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _env(name: str) -> str | None:
    return os.environ.get(f"CONFORMANCE_{name}") or None


def add_credential_options(parser: argparse.ArgumentParser, *, replay: bool = False) -> None:
    """The credential options of every API, one group per API (an option two APIs share is
    offered once). Each may come from ``CONFORMANCE_<NAME>`` instead."""
    seen: set[str] = set()
    for profile in profiles():
        options = [o for o in profile.credential_options if o.replay or not replay]
        options = [o for o in options if o.name not in seen]
        if not options:
            continue
        group = parser.add_argument_group(f"{profile.title} credentials")
        for option in options:
            seen.add(option.name)
            group.add_argument(
                f"--{option.name}",
                dest=option.dest,
                default=_env(option.env.removeprefix("CONFORMANCE_")),
                metavar=option.metavar,
                help=option.help + (f" (or {option.env})" if option.secret else ""),
            )


def credentials_from_args(profile: ApiProfile, args: argparse.Namespace) -> Credentials:
    """The credentials ``profile`` reads from the parsed options (:class:`UsageError` if bad)."""
    values = {o.dest: getattr(args, o.dest, None) for o in profile.credential_options}
    return profile.credentials(values)


def build_parser() -> OneLineParser:
    from .runner import DEFAULT_MAX_EXAMPLES, DEFAULT_STATEFUL_STEPS, PHASES

    parser = OneLineParser(
        prog="conformance",
        description="Verify an implementation of the Spryker Glue Return Management API or the "
        "Sendcloud Returns API v2 against its contract (Schemathesis 4 plus business checks).",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    run = commands.add_parser(
        "run",
        help="run the conformance suite against an implementation",
        description="Exit status: 0 conformant, 1 violations found, 2 usage error or "
        "unreachable target.",
    )
    run.add_argument("--api", required=True, choices=api_names(), help="which contract to verify")
    run.add_argument(
        "--base-url",
        required=True,
        metavar="URL",
        help="API root of the implementation, e.g. http://127.0.0.1:8080/glue",
    )
    run.add_argument(
        "--app",
        metavar="MODULE:ATTR",
        help="test an in-process ASGI app instead of a URL (`MODULE:ATTR`, or "
        "`MODULE:ATTR()` to call a factory); --base-url is then its API root path, "
        "e.g. /glue",
    )
    run.add_argument(
        "--spec",
        type=Path,
        metavar="PATH",
        help="contract to use instead of the repository's specs/ file",
    )
    add_credential_options(run)
    tuning = run.add_argument_group("run")
    tuning.add_argument("--seed", type=_seed, help="seed of the generated data (default random)")
    tuning.add_argument(
        "--max-examples",
        type=_positive,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help=f"examples per operation and phase (default {DEFAULT_MAX_EXAMPLES})",
    )
    tuning.add_argument(
        "--stateful-steps",
        type=_positive,
        default=DEFAULT_STATEFUL_STEPS,
        metavar="N",
        help=f"max steps of a stateful sequence (default {DEFAULT_STATEFUL_STEPS})",
    )
    tuning.add_argument(
        "--phases",
        type=_names,
        default=list(PHASES),
        metavar="LIST",
        help=f"Schemathesis phases to run (default {','.join(PHASES)})",
    )
    tuning.add_argument(
        "--no-scenarios",
        action="store_true",
        help="skip the business scenarios (Schemathesis only)",
    )
    tuning.add_argument(
        "--checks",
        type=_names,
        metavar="LIST",
        help="only these checks (comma-separated; see `conformance checks`)",
    )
    tuning.add_argument(
        "--exclude-checks", type=_names, default=[], metavar="LIST", help="leave these checks out"
    )
    tuning.add_argument(
        "--fail-on-skip",
        action="store_true",
        help="exit 1 when a check was skipped (no returnable item left, no second customer…); "
        "for CI, where a skip must not pass unnoticed",
    )
    tuning.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="concurrent Schemathesis workers (default 1)",
    )
    tuning.add_argument(
        "--request-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="timeout of each request (default 10)",
    )
    out = run.add_argument_group("reports")
    out.add_argument("--junit-xml", type=Path, metavar="PATH", help="write a JUnit XML report")
    out.add_argument(
        "--report-dir",
        type=Path,
        default=Path(DEFAULT_REPORT_DIR),
        metavar="DIR",
        help=f"directory of the Markdown (and JUnit) reports (default ./{DEFAULT_REPORT_DIR})",
    )
    out.add_argument("--quiet", action="store_true", help="no live progress, only the summary")
    checks = commands.add_parser("checks", help="list the checks of an API")
    checks.add_argument("--api", choices=api_names(), default=None)
    from .corpus.commands import add_parsers

    add_parsers(commands)  # generate, replay (issue #5)
    return parser


def _credentials(args: argparse.Namespace) -> Credentials:
    return credentials_from_args(profile_for(args.api), args)


def load_app(spec: str) -> Any:
    """The ASGI app named by ``MODULE:ATTR`` (``MODULE:ATTR()`` calls a factory)."""
    from .runner import UsageError

    module_name, sep, attribute = spec.partition(":")
    call = attribute.endswith("()")
    attribute = attribute.removesuffix("()")
    if not sep or not module_name or not attribute:
        raise UsageError(f"--app takes MODULE:ATTR, not {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"--app: cannot import {module_name}: {exc}") from None
    try:
        app = operator.attrgetter(attribute)(module)
    except AttributeError:
        raise UsageError(f"--app: {module_name} has no attribute {attribute}") from None
    return app() if call else app


def _target(args: argparse.Namespace) -> Any:
    if args.app is None:
        return args.base_url
    from urllib.parse import urlsplit

    from .client import AsgiTarget

    return AsgiTarget(load_app(args.app), urlsplit(args.base_url).path.rstrip("/"))


def _progress(line: str) -> None:
    print(line, flush=True)


def command_run(args: argparse.Namespace) -> int:
    from .report import terminal_summary, write_junit, write_markdown
    from .runner import Options, UsageError, run

    try:
        options = Options(
            seed=args.seed,
            max_examples=args.max_examples,
            workers=args.workers,
            checks=args.checks,
            exclude_checks=args.exclude_checks,
            phases=args.phases,
            scenarios=not args.no_scenarios,
            stateful_steps=args.stateful_steps,
            request_timeout=args.request_timeout,
            spec=args.spec,
            progress=None if args.quiet else _progress,
            fail_on_skip=args.fail_on_skip,
        )
        result = run(args.api, _target(args), _credentials(args), options)
    except UsageError as exc:
        print(f"conformance: error: {exc}", file=sys.stderr)
        return 2
    print(terminal_summary(result), flush=True)
    written = []
    try:
        if args.report_dir is not None:
            written.append(write_markdown(result, args.report_dir))
            written.append(write_junit(result, args.report_dir / f"conformance-{args.api}.xml"))
        if args.junit_xml is not None:
            written.append(write_junit(result, args.junit_xml))
    except OSError as exc:
        print(f"conformance: error: cannot write the report: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"report: {path}")
    return int(result.exit_code)


def command_checks(args: argparse.Namespace) -> int:
    from .runner import available_checks

    for api in [args.api] if args.api else list(api_names()):
        print(f"{api}:")
        for name, (kind, description) in sorted(
            available_checks(api).items(), key=lambda item: (str(item[1][0]), item[0])
        ):
            print(f"  {name:40} {kind!s:12} {description}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``conformance`` console script."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "checks":
            return command_checks(args)
        if args.command in ("generate", "replay"):
            from .corpus.commands import COMMANDS

            return COMMANDS[args.command](args)
        return command_run(args)
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `conformance checks | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
