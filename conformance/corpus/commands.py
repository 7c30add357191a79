"""``conformance generate`` and ``conformance replay``: argument parsing and the two commands."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

FORMATS = ("json", "curl", "har")


def add_parsers(commands: Any) -> None:
    """Add the ``generate`` and ``replay`` subcommands to the ``conformance`` parser."""
    from ..apis import api_names
    from ..cli import _positive, _seed, add_credential_options
    from .generate import DEFAULT_COUNT

    generate = commands.add_parser(
        "generate",
        help="write a corpus of edge-case requests with their expected outcomes",
        description="Generate edge-case requests per operation from the contract (no server "
        "needed), each with the outcome a correct implementation gives. Same seed, same file. "
        "Writes FILE plus FILE.coverage.md and FILE.coverage.json. Exit status: 0, or 2 on a "
        "usage error.",
    )
    generate.add_argument("--api", required=True, choices=api_names(), help="which contract")
    generate.add_argument(
        "--operation",
        action="append",
        metavar="ID",
        help="only this operationId (repeatable; default: every operation)",
    )
    generate.add_argument(
        "--count",
        type=_positive,
        default=DEFAULT_COUNT,
        metavar="N",
        help=f"at least N cases per operation (default {DEFAULT_COUNT}); the edge cases are "
        "always all included, fuzzed cases fill up to N",
    )
    generate.add_argument("--seed", type=_seed, help="seed (default random; written to the corpus)")
    generate.add_argument("--out", required=True, type=Path, metavar="FILE", help="output file")
    generate.add_argument(
        "--format", choices=FORMATS, default="json", help="json (replayable), curl or har"
    )
    generate.add_argument("--spec", type=Path, metavar="PATH", help="another contract file")
    generate.add_argument(
        "--base-url",
        metavar="URL",
        help="API root written into the curl script and the HAR (default: the local mock)",
    )
    generate.add_argument("--quiet", action="store_true", help="do not print the coverage")

    replay = commands.add_parser(
        "replay",
        help="send a corpus to an implementation and compare every answer",
        description="Replay a JSON corpus: each case is sent (placeholders resolved by reading "
        "the target), its status and error code compared with the expected outcome. Every "
        "case is checked before anything is sent: its path must be a path of the contract and "
        "its URL stay under --base-url. Exit status: 0 all as expected, 1 mismatches, 2 usage "
        "error, unreadable, invalid or unsafe corpus, unreachable target or refused "
        "credentials.",
    )
    replay.add_argument("corpus", type=Path, metavar="FILE", help="a corpus written by generate")
    replay.add_argument("--base-url", required=True, metavar="URL", help="API root")
    replay.add_argument(
        "--app",
        metavar="MODULE:ATTR",
        help="replay against an in-process ASGI app; --base-url is then its API root path",
    )
    add_credential_options(replay, replay=True)
    replay.add_argument("--operation", action="append", metavar="ID", help="only this operation")
    replay.add_argument("--case", action="append", metavar="ID", help="only this case id")
    replay.add_argument(
        "--reset-url",
        metavar="URL",
        help="POST this URL first (e.g. the mock's /__admin/reset; never a real backend)",
    )
    replay.add_argument(
        "--request-timeout", type=float, default=10.0, metavar="SECONDS", help="default 10"
    )
    replay.add_argument("--junit-xml", type=Path, metavar="PATH", help="write JUnit XML")
    replay.add_argument(
        "--spec",
        type=Path,
        metavar="PATH",
        help="the contract the corpus was generated from (default: the bundled one); every "
        "case's path must be one of its paths",
    )
    replay.add_argument("--quiet", action="store_true", help="table rows only for problems")


def command_generate(args: argparse.Namespace) -> int:
    from ..apis import load_contract
    from . import coverage, export
    from .generate import GenerationError, generate

    seed = args.seed if args.seed is not None else random.randrange(2**31)
    try:
        corpus = generate(
            args.api, operations=args.operation, count=args.count, seed=seed, spec=args.spec
        )
        contract = load_contract(args.api, args.spec)
    except GenerationError as exc:
        print(f"conformance: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        text = corpus.dumps()
    elif args.format == "curl":
        text = export.curl_script(corpus, args.base_url)
    else:
        text = export.har_text(corpus, args.base_url)
    report = coverage.coverage(corpus, contract)
    try:
        if args.out.parent != Path():
            args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        if args.format == "curl":
            args.out.chmod(0o755)
        md_path, json_path = coverage.write(report, args.out)
    except OSError as exc:
        print(
            f"conformance: error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    print(f"wrote {args.out} ({args.format}): {len(corpus.cases)} cases, seed {seed}")
    if not args.quiet:
        print(coverage.summary(report))
    print(f"coverage: {md_path}, {json_path}")
    return 0


def _credentials(args: argparse.Namespace, api: str, needed: list[str]) -> Any:
    from ..apis import profile_for
    from ..cli import credentials_from_args
    from ..runner import UsageError

    profile = profile_for(api)
    credentials = credentials_from_args(profile, args)
    problem = profile.replay_credentials_problem(credentials, needed)
    if problem is not None:
        raise UsageError(problem)
    return credentials


def command_replay(args: argparse.Namespace) -> int:
    from ..cli import _target
    from ..replay import replay, summary, table, write_junit
    from ..runner import UsageError
    from .model import CorpusError, load_corpus

    try:
        corpus = load_corpus(args.corpus)
        wanted_ops = set(args.operation or ())
        wanted_cases = set(args.case or ())
        known_ops = {case.operation for case in corpus.cases}
        unknown = sorted(wanted_ops - known_ops) + sorted(
            wanted_cases - {case.id for case in corpus.cases}
        )
        if unknown:
            raise UsageError(f"not in the corpus: {', '.join(unknown)}")

        def selected(case: Any) -> bool:
            return (not wanted_ops or case.operation in wanted_ops) and (
                not wanted_cases or case.id in wanted_cases
            )

        needed = [
            name for case in corpus.cases if selected(case) for name in case.request.placeholders()
        ]
        credentials = _credentials(args, corpus.api, needed)
        result = replay(
            corpus,
            _target(args),
            credentials,
            timeout=args.request_timeout,
            reset_url=args.reset_url,
            cases=selected,
            spec=args.spec,
        )
    except (CorpusError, UsageError) as exc:
        print(f"conformance: error: {exc}", file=sys.stderr)
        return 2
    print(table(result, only_problems=args.quiet), flush=True)
    print(summary(result))
    if args.junit_xml is not None:
        try:
            print(f"report: {write_junit(result, args.junit_xml)}")
        except OSError as exc:
            print(f"conformance: error: cannot write the report: {exc}", file=sys.stderr)
            return 2
    return result.exit_code


COMMANDS = {"generate": command_generate, "replay": command_replay}
