"""What a corpus covers: operations, parameters, documented statuses and error codes.

A documented status (or error code) is *covered* when at least one case expects exactly that
answer; cases that allow it among others count as *possible* only. A parameter is covered when
some case sends it valid and, if the contract constrains it, some case sends it invalid.
Statuses no single request can provoke from a correct server are listed with the reason.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from api_contracts import Contract, Operation

from ..apis import profile_for, profiles
from . import oracle
from .model import Case, Corpus

# (api, status): why no corpus case can expect it from a correct implementation
NOT_PROVOKABLE: dict[tuple[str, int], str] = {
    (profile.name, status): why
    for profile in profiles()
    for status, why in profile.not_provokable.items()
}
SOURCES = ("edge", "coverage", "fuzz")


def _body_pointers(schema: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    if not isinstance(schema, dict):
        return found
    for name, sub in (schema.get("properties") or {}).items():
        pointer = f"{prefix}/{name}"
        found.append(pointer)
        found += _body_pointers(sub, pointer)
    items = schema.get("items")
    if isinstance(items, dict):
        found += _body_pointers(items, f"{prefix}/*")
    return found


def _unconstrained(schema: dict[str, Any]) -> bool:
    """A string parameter any value satisfies (nothing to send invalid)."""
    constraints = ("enum", "const", "pattern", "format", "minLength", "maxLength")
    return schema.get("type", "string") == "string" and not any(k in schema for k in constraints)


def _parameters(contract: Contract, op: Operation) -> dict[str, bool]:
    """Parameter key → whether the contract constrains it (an invalid value exists)."""
    profile = profile_for(contract.name)
    params: dict[str, bool] = {"method": True}
    for header in profile.implicit_headers:
        params[f"header {header}"] = True
    if op.secured:
        params["header Authorization"] = True
    for location in ("path", "query", "header"):
        for parameter in op.parameters(location):
            schema = parameter.get("schema") or {}
            constrained = not _unconstrained(schema)
            if location == "path":
                constrained = True  # unknown values are refused (404)
            params[f"{location} {parameter['name']}"] = constrained
    schema = oracle.body_schema(op, profile.media_type)
    if schema is not None:
        params["header Content-Type"] = True
        params["body"] = True
        for pointer in _body_pointers(schema):
            params[f"body {pointer}"] = True
    return params


def coverage(corpus: Corpus, contract: Contract) -> dict[str, Any]:
    """The coverage report of ``corpus`` against ``contract`` (a JSON-ready dict)."""
    by_operation: dict[str, list[Case]] = {}
    for case in corpus.cases:
        by_operation.setdefault(case.operation, []).append(case)
    operations = []
    missing: list[dict[str, str]] = []
    for op in contract.operations:
        cases = by_operation.get(op.operation_id, [])
        entry = _operation(contract, op, cases)
        operations.append(entry)
        if not cases:
            missing.append({"operation": op.operation_id, "what": "operation", "reason": "no case"})
            continue
        for status in entry["statuses"]:
            if not status["covered"]:
                missing.append(
                    {
                        "operation": op.operation_id,
                        "what": f"status {status['status']}",
                        "reason": status["note"] or "no case expects exactly this status",
                    }
                )
            for code in status["codes"]:
                if not code["covered"]:
                    missing.append(
                        {
                            "operation": op.operation_id,
                            "what": f"status {status['status']} code {code['code']}",
                            "reason": "no case expects exactly this code",
                        }
                    )
        for parameter in entry["parameters"]:
            if not parameter["covered"]:
                missing.append(
                    {
                        "operation": op.operation_id,
                        "what": parameter["parameter"],
                        "reason": parameter["note"],
                    }
                )
    return {
        "api": corpus.api,
        "seed": corpus.seed,
        "cases": len(corpus.cases),
        "operations": operations,
        "not_covered": missing,
    }


def _operation(contract: Contract, op: Operation, cases: list[Case]) -> dict[str, Any]:
    exact: Counter[int] = Counter()
    possible: Counter[int] = Counter()
    exact_codes: Counter[tuple[int, str]] = Counter()
    possible_codes: Counter[tuple[int, str]] = Counter()
    states: dict[str, Counter[str]] = {}
    for case in cases:
        expect = case.expect
        for status in expect.status:
            (exact if len(expect.status) == 1 else possible)[status] += 1
            codes = expect.codes.get(status, [])
            for code in codes:
                single = len(expect.status) == 1 and len(codes) == 1
                (exact_codes if single else possible_codes)[(status, code)] += 1
        analysis = profile_for(contract.name).analyse(contract, op, case.request)
        for key, state in analysis.params.items():
            states.setdefault(key, Counter())[state] += 1
    statuses = []
    documented = sorted(int(s) for s in op.responses if s.isdigit())
    for status in documented:
        note = profile_for(contract.name).not_provokable.get(status, "")
        restriction = op.error_codes(status)
        codes_doc = sorted(restriction.codes) if restriction is not None else []
        statuses.append(
            {
                "status": status,
                "covered": exact[status] > 0,
                "cases": exact[status],
                "possibly": possible[status],
                "note": note if exact[status] == 0 else "",
                "codes": [
                    {
                        "code": code,
                        "covered": exact_codes[(status, code)] > 0,
                        "cases": exact_codes[(status, code)],
                        "possibly": possible_codes[(status, code)],
                    }
                    for code in codes_doc
                ],
            }
        )
    undocumented = {
        str(status): exact[status] + possible[status]
        for status in sorted(set(exact) | set(possible))
        if status not in documented
    }
    parameters = []
    for key, constrained in _parameters(contract, op).items():
        counts = states.get(key, Counter())
        valid = counts["valid"]
        invalid = counts["invalid"] + (counts["ambiguous"] if key.startswith("path ") else 0)
        if key == "method":
            covered = invalid > 0
            note = "" if covered else "no case uses an undocumented method"
        elif valid == 0:
            covered, note = False, "no case sends a valid value"
        elif constrained and invalid == 0:
            covered, note = False, "no case sends an invalid value"
        else:
            covered, note = True, ""
        parameters.append(
            {
                "parameter": key,
                "valid": valid,
                "invalid": counts["invalid"],
                "ambiguous": counts["ambiguous"],
                "absent": counts["absent"],
                "covered": covered,
                "note": note,
            }
        )
    sources = Counter(case.source for case in cases)
    return {
        "operation": op.operation_id,
        "endpoint": op.label,
        "cases": len(cases),
        "sources": {source: sources[source] for source in SOURCES},
        "statuses": statuses,
        "undocumented_statuses": undocumented,
        "parameters": parameters,
    }


def _ratio(items: list[dict[str, Any]]) -> str:
    return f"{sum(1 for i in items if i['covered'])}/{len(items)}"


def summary(report: dict[str, Any]) -> str:
    """The terminal summary: one line per operation, then what is not covered."""
    lines = [f"coverage of the {report['api']} corpus ({report['cases']} cases):"]
    width = max((len(o["operation"]) for o in report["operations"]), default=10)
    for entry in report["operations"]:
        codes = [c for s in entry["statuses"] for c in s["codes"]]
        sources = ", ".join(f"{k} {v}" for k, v in entry["sources"].items())
        lines.append(
            f"  {entry['operation']:{width}}  {entry['cases']:4} cases ({sources})  "
            f"statuses {_ratio(entry['statuses'])}  codes {_ratio(codes)}  "
            f"parameters {_ratio(entry['parameters'])}"
        )
    if report["not_covered"]:
        lines.append("not covered:")
        for item in report["not_covered"]:
            lines.append(f"  {item['operation']}: {item['what']} — {item['reason']}")
    else:
        lines.append("every operation, documented status, error code and parameter is covered")
    return "\n".join(lines)


def markdown(report: dict[str, Any]) -> str:
    """The Markdown coverage report."""
    out = [
        f"# Corpus coverage — {report['api']}",
        "",
        f"Seed {report['seed']}, {report['cases']} cases. A status or code is *covered* when a "
        "case expects exactly it; *possible* counts cases that allow it among other answers.",
        "",
        "| operation | cases | edge | coverage | fuzz | statuses | codes | parameters |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for entry in report["operations"]:
        codes = [c for s in entry["statuses"] for c in s["codes"]]
        out.append(
            f"| `{entry['endpoint']}` ({entry['operation']}) | {entry['cases']} | "
            f"{entry['sources']['edge']} | {entry['sources']['coverage']} | "
            f"{entry['sources']['fuzz']} | {_ratio(entry['statuses'])} | {_ratio(codes)} | "
            f"{_ratio(entry['parameters'])} |"
        )
    out += ["", "## Not covered", ""]
    if report["not_covered"]:
        out += [f"* `{i['operation']}` {i['what']}: {i['reason']}" for i in report["not_covered"]]
    else:
        out.append("Nothing: every documented status, error code and parameter is covered.")
    for entry in report["operations"]:
        out += [
            "",
            f"## `{entry['endpoint']}` ({entry['operation']})",
            "",
            "| status | code | covered | cases | possible | note |",
            "|---|---|---|---:|---:|---|",
        ]
        for status in entry["statuses"]:
            mark = "✅" if status["covered"] else "❌"
            out.append(
                f"| {status['status']} | | {mark} | {status['cases']} | {status['possibly']} | "
                f"{status['note']} |"
            )
            for code in status["codes"]:
                mark = "✅" if code["covered"] else "❌"
                out.append(
                    f"| {status['status']} | `{code['code']}` | {mark} | {code['cases']} | "
                    f"{code['possibly']} | |"
                )
        if entry["undocumented_statuses"]:
            extra = ", ".join(f"{k} ({v})" for k, v in entry["undocumented_statuses"].items())
            out += ["", f"Also expected (not documented for this operation): {extra}."]
        out += [
            "",
            "| parameter | valid | invalid | either | absent | covered |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for p in entry["parameters"]:
            mark = "✅" if p["covered"] else f"❌ {p['note']}"
            out.append(
                f"| `{p['parameter']}` | {p['valid']} | {p['invalid']} | {p['ambiguous']} | "
                f"{p['absent']} | {mark} |"
            )
    return "\n".join(out) + "\n"


def write(report: dict[str, Any], corpus_path: Path | str) -> tuple[Path, Path]:
    """Write ``FILE.coverage.md`` and ``FILE.coverage.json`` beside the corpus."""
    base = Path(corpus_path)
    md_path = base.with_name(base.name + ".coverage.md")
    json_path = base.with_name(base.name + ".coverage.json")
    md_path.write_text(markdown(report), encoding="utf-8")
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return md_path, json_path
