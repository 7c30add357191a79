"""Reports of a run: the terminal summary table, JUnit XML for CI and a Markdown report.

JUnit: one ``<testcase>`` per check (built-in, response check or scenario check) under a
``<testsuite>`` per API; a violated check carries a ``<failure>`` whose ``type`` and message
name the check. Markdown: the summary table, then every violation with its check, the request
as ``curl``, the response and what the contract says, then the seed to reproduce.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from .model import CheckOutcome, RunResult, Violation, redact_headers

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _ordered(result: RunResult) -> list[CheckOutcome]:
    order = {"scenario": 0, "response": 1, "schemathesis": 2}
    return sorted(
        result.checks.values(),
        key=lambda c: (c.status != "failed", order.get(str(c.kind), 3), c.name),
    )


def _notes(outcome: CheckOutcome) -> str:
    return "; ".join(outcome.skipped)


# --------------------------------------------------------------------------- terminal


def summary_table(result: RunResult) -> str:
    """The end-of-run table: one row per check."""
    rows = [("check", "kind", "result", "passed", "failed", "notes")]
    for outcome in _ordered(result):
        rows.append(
            (
                outcome.name,
                str(outcome.kind),
                outcome.status,
                str(outcome.passed),
                str(outcome.failed),
                _notes(outcome)[:60],
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) if i < 3 else row[i].rjust(widths[i]) for i in range(5)]
        lines.append("  ".join(cells) + ("  " + row[5] if row[5] else ""))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(result: RunResult) -> str:
    """One line: conformant or not, why, and how many checks passed, failed and were skipped."""
    tail = (
        f"{result.counts()}; {result.requests} requests, {result.duration:.1f}s, seed {result.seed}"
    )
    if result.passed_gate:
        return f"{result.api}: CONFORMANT — {tail}"
    parts = []
    if result.violations:
        parts.append(
            f"{len(result.violations)} violation(s) in {', '.join(result.failed_checks())}"
        )
    if result.errors:
        parts.append(f"{len(result.errors)} harness error(s)")
    if result.ok:  # only the skips fail the run
        parts.append(f"skipped with --fail-on-skip: {', '.join(result.skipped_checks())}")
    return f"{result.api}: NOT CONFORMANT — {'; '.join(parts)} ({tail})"


def skip_lines(result: RunResult) -> list[str]:
    """One line per skipped check: why it could not run and how to unblock it."""
    return [f"- {name}: {_notes(result.checks[name])}" for name in result.skipped_checks()]


def terminal_summary(result: RunResult) -> str:
    lines = ["", summary_table(result), ""]
    for violation in result.violations:
        lines.append(
            f"✗ {violation.summary()}"
            + (f"  (x{violation.occurrences})" if violation.occurrences > 1 else "")
        )
        if violation.curl:
            lines.append(f"    {violation.curl[:300]}")
    for error in result.errors:
        lines.append(f"! error in {error.where}: {error.message[:300]}")
    skipped = skip_lines(result)
    if skipped:
        lines += ["skipped (not a violation; --fail-on-skip makes it one):", *skipped]
    lines.append(verdict(result))
    lines.append(f"reproduce: {result.reproduce_command()}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- JUnit


def _failure_text(violations: Sequence[Violation]) -> str:
    chunks = []
    for violation in violations:
        chunk = [f"{violation.check}: {violation.title}"]
        if violation.operation:
            chunk.append(
                f"operation: {violation.operation} (phase {violation.phase}, "
                f"seen {violation.occurrences}x)"
            )
        if violation.message:
            chunk.append(violation.message)
        if violation.contract:
            chunk.append(f"contract: {violation.contract}")
        if violation.curl:
            chunk.append(f"reproduce: {violation.curl}")
        if violation.response is not None:
            chunk.append(f"response: {violation.response.status} {violation.response.text(500)}")
        chunks.append("\n".join(chunk))
    return "\n\n".join(chunks)


def junit_element(results: Iterable[RunResult]) -> ET.Element:
    """``<testsuites>`` with one ``<testsuite>`` per run."""
    root = ET.Element("testsuites", name="conformance")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for result in results:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"conformance.{result.api}",
            timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
            hostname=socket.gethostname(),
            time=f"{result.duration:.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("api", result.api),
            ("base_url", result.base_url),
            ("contract", result.spec_path),
            ("seed", str(result.seed)),
            ("max_examples", str(result.max_examples)),
            ("reproduce", result.reproduce_command()),
        ):
            ET.SubElement(properties, "property", name=name, value=_xml_safe(value))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for outcome in _ordered(result):
            counts["tests"] += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"conformance.{result.api}",
                name=outcome.name,
                time="0",
            )
            violations = result.violations_of(outcome.name)
            if violations:
                counts["failures"] += 1
                first = violations[0]
                message = (
                    f"{outcome.name}: {len(violations)} violation(s); first: "
                    f"{first.operation or ''} {first.title}"
                ).strip()
                failure = ET.SubElement(
                    case, "failure", type=outcome.name, message=_xml_safe(message)
                )
                failure.text = _xml_safe(_failure_text(violations))
            elif outcome.status in ("skipped", "not run"):
                counts["skipped"] += 1
                ET.SubElement(
                    case, "skipped", message=_xml_safe(_notes(outcome) or "no applicable request")
                )
        if result.errors:
            counts["tests"] += 1
            counts["errors"] += 1
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"conformance.{result.api}",
                name="harness_errors",
                time="0",
            )
            error = ET.SubElement(
                case,
                "error",
                type="harness_error",
                message=_xml_safe(f"{len(result.errors)} error(s) kept the harness from testing"),
            )
            error.text = _xml_safe("\n".join(f"{e.where}: {e.message}" for e in result.errors))
        for key, count in counts.items():
            suite.set(key, str(count))
            totals[key] += count
        total_time += result.duration
    for key, total in totals.items():
        root.set(key, str(total))
    root.set("time", f"{total_time:.3f}")
    return root


def write_junit(results: RunResult | Iterable[RunResult], path: Path | str) -> Path:
    """Write the JUnit XML report of one or more runs to ``path``."""
    runs = [results] if isinstance(results, RunResult) else list(results)
    tree = ET.ElementTree(junit_element(runs))
    ET.indent(tree)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return target


# --------------------------------------------------------------------------- Markdown


def _fence(text: str, language: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(result: RunResult) -> str:
    """The Markdown report of one run."""
    status = "✅ conformant" if result.passed_gate else "❌ not conformant"
    lines = [
        f"# Conformance report: {result.api}",
        "",
        f"- **Result:** {status} — {result.counts()}; {len(result.violations)} violation(s), "
        f"{len(result.errors)} harness error(s)"
        + (" (`--fail-on-skip`: a skipped check fails the run)" if result.fail_on_skip else ""),
        f"- **Target:** `{result.base_url}`",
        f"- **Contract:** `{result.spec_path}`",
        f"- **Seed:** `{result.seed}` (max examples {result.max_examples}, phases "
        f"{', '.join(result.phases) or 'none'})",
        f"- **Requests:** {result.requests} in {result.duration:.1f}s",
        f"- **Reproduce:** `{result.reproduce_command()}`",
        "",
        "## Summary",
        "",
        "| Check | Kind | Result | Passed | Failed | Notes |",
        "|---|---|---|---:|---:|---|",
    ]
    for outcome in _ordered(result):
        icon = {"failed": "❌", "passed": "✅", "skipped": "⏭️"}.get(outcome.status, "·")
        lines.append(
            f"| `{outcome.name}` | {outcome.kind} | {icon} {outcome.status} | "
            f"{outcome.passed} | {outcome.failed} | {_cell(_notes(outcome))} |"
        )
    if result.violations:
        lines += ["", "## Violations", ""]
    for index, violation in enumerate(result.violations, 1):
        where = f" — `{violation.operation}`" if violation.operation else ""
        lines += [
            f"### {index}. `{violation.check}`{where}: {violation.title}",
            "",
            f"- **Check:** `{violation.check}` · **Phase:** {violation.phase} · "
            f"**Seen:** {violation.occurrences}x",
            "",
        ]
        if violation.message:
            lines += ["**What went wrong**", "", _fence(violation.message, "text"), ""]
        if violation.contract:
            lines += ["**What the contract says**", "", f"> {violation.contract}", ""]
        if violation.curl:
            lines += ["**Request**", "", _fence(violation.curl, "bash"), ""]
        if violation.response is not None:
            response = violation.response
            head = [f"HTTP {response.status}"] + [
                f"{k}: {v}" for k, v in redact_headers(response.headers).items()
            ]
            body = response.text()
            lines += [
                "**Response**",
                "",
                _fence("\n".join(head) + ("\n\n" + body if body else ""), "http"),
                "",
            ]
    skipped = skip_lines(result)
    if skipped:
        lines += ["", "## Skipped checks", "", "Not violations: each says how to unblock it.", ""]
        lines += [_cell(line) for line in skipped]
    if result.errors:
        lines += ["", "## Harness errors", ""]
        lines += [f"- **{error.where}:** {_cell(error.message)}" for error in result.errors]
    lines += ["", f"_Seed {result.seed}: rerun with `--seed {result.seed}` to reproduce._", ""]
    return "\n".join(lines)


def write_markdown(result: RunResult, directory: Path | str) -> Path:
    """Write ``conformance-<api>.md`` into ``directory``; returns its path."""
    target = Path(directory) / f"conformance-{result.api}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(markdown(result), encoding="utf-8")
    return target
