"""Expected outcomes: what a correct implementation answers to a request, from the contract.

The oracle looks at the request itself (not at how it was generated): it checks the method, the
``Accept``/``Content-Type``/``Authorization`` headers, every declared parameter and the body
against the contract, then applies the documented business behaviour (unknown order → 404/801,
unknown items → 422/3601 …). A request with one defect gets that defect's answer; a request
with several gets the union of them, because the contract does not say which check runs first.
Things a correct implementation may legitimately do either way (an undeclared query parameter,
a huge but schema-valid number) add their refusal to the set instead of replacing the answer.

Every decision is written into ``Expectation.why`` so a reviewer can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from api_contracts import Contract, Operation

from .model import Expectation, Request, wire_path

MAX_INT64 = 2**63 - 1
DEEP_JSON = 128  # nesting beyond which a JSON parser may refuse a body
URI_LIMIT = 8000  # octets every recipient should support (RFC 9110, section 4.1)
STANDARD_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
# (status, error code or None) pairs a response may be
Outcome = tuple[int, str | None]


@dataclass
class Analysis:
    """What the oracle saw: the expectation, and per parameter how the request used it."""

    expectation: Expectation
    params: dict[str, str] = field(default_factory=dict)  # "query page[limit]" -> state


@dataclass
class Verdict:
    definite: list[tuple[set[Outcome], str]] = field(default_factory=list)
    maybe: list[tuple[set[Outcome], str]] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)

    def fail(self, outcomes: set[Outcome], why: str) -> None:
        self.definite.append((outcomes, why))

    def may_fail(self, outcomes: set[Outcome], why: str) -> None:
        self.maybe.append((outcomes, why))

    def mark(self, param: str, state: str) -> None:
        order = ("absent", "valid", "ambiguous", "invalid")
        old = self.params.get(param)
        if old is None or order.index(state) > order.index(old):
            self.params[param] = state

    def finish(self, business: tuple[set[Outcome], str] | None) -> Analysis:
        outcomes: set[Outcome] = set()
        reasons: list[str] = []
        if self.definite:
            for found, why in self.definite:
                outcomes |= found
                reasons.append(why)
            if len(self.definite) > 1:
                reasons.append("several defects: any of their answers")
        elif business is not None:
            outcomes |= business[0]
            reasons.append(business[1])
        for found, why in self.maybe:
            outcomes |= found
            reasons.append(why)
        return Analysis(_expectation(outcomes, "; ".join(reasons)), dict(self.params))


def _expectation(outcomes: set[Outcome], why: str) -> Expectation:
    statuses = sorted({status for status, _ in outcomes})
    codes: dict[int, list[str]] = {}
    for status in statuses:
        found = {code for s, code in outcomes if s == status}
        if None not in found:
            codes[status] = sorted(c for c in found if c is not None)
    return Expectation(statuses, codes, why)


def outcomes_label(outcomes: set[Outcome]) -> str:
    return _expectation(outcomes, "").label()


def is_placeholder(value: Any, name: str) -> bool:
    return value == "{{" + name + "}}"


# --------------------------------------------------------------------------- shared parts


def undocumented_method(contract: Contract, op: Operation, request: Request) -> Analysis | None:
    documented = {o.method for o in contract.operations if o.path == op.path}
    if request.method in documented:
        return None
    allowed = ", ".join(sorted(documented))
    # 405 with Allow, unless the contract names its API's own answer (Glue: 404, no code)
    status = contract.unsupported_method_status
    answer = f"405 with Allow: {allowed}" if status == 405 else f"{status} (the contract's)"
    if request.method == "OPTIONS":
        outcomes: set[Outcome] = {(status, None), (200, None), (204, None)}
        why = (
            f"OPTIONS is not documented for {op.path} (documented: {allowed}): "
            f"{answer}, or an OPTIONS/CORS answer"
        )
    elif request.method in STANDARD_METHODS:
        outcomes = {(status, None)}
        why = f"{request.method} is not documented for {op.path}: {answer}"
    else:
        outcomes = {(status, None), (501, None), (400, None)}
        why = f"{request.method} is not a method of {op.path}: {answer} (or 501, or 400)"
    return Analysis(_expectation(outcomes, why), {"method": "invalid"})


def integer_value(digits: str) -> int:
    """The value of an ASCII integer literal, clamped beyond 64 bits (no huge ``int()``)."""
    if len(digits.lstrip("-")) > 19:
        return -(MAX_INT64 + 1) * 2 if digits.startswith("-") else (MAX_INT64 + 1) * 2
    return int(digits)


def _integer_state(value: str, minimum: int | None) -> tuple[str, str]:
    """(state, reason) of a query value for an ``integer`` parameter."""
    if re.fullmatch(r"-?(0|[1-9][0-9]*)", value):
        number = integer_value(value)
        if minimum is not None and number < minimum:
            return "invalid", f"{value[:20]} is below the minimum {minimum}"
        if abs(number) > MAX_INT64:
            return "ambiguous", "a schema-valid integer beyond 64 bits"
        return "valid", ""
    if re.fullmatch(r"\s*[+-]?[0-9]+(\.0+)?\s*", value, flags=re.ASCII):
        return "ambiguous", f"{value!r} is an integer only to a lenient parser"
    return "invalid", f"{value!r} is not an integer"


def query_parameters(
    verdict: Verdict, op: Operation, request: Request, invalid: set[Outcome]
) -> None:
    """Declared query parameters (``invalid`` is the answer to a bad value)."""
    declared = {p["name"]: p for p in op.parameters("query")}
    seen: dict[str, list[str]] = {}
    for name, value in request.query:
        seen.setdefault(name, []).append(value)
    for name in declared:
        if name not in seen:
            verdict.mark(f"query {name}", "absent")
    for name, values in seen.items():
        parameter = declared.get(name)
        if parameter is None:
            verdict.mark("query (undeclared)", "ambiguous")
            verdict.may_fail(
                {(400, None)}, f"undeclared query parameter {name!r} may be ignored or rejected"
            )
            continue
        schema = parameter.get("schema") or {}
        states = []
        for value in values:
            if schema.get("type") == "integer":
                states.append(_integer_state(value, schema.get("minimum")))
            elif "pattern" in schema and not re.search(schema["pattern"], value):
                states.append(("invalid", f"{value!r} does not match {schema['pattern']}"))
            else:
                states.append(("valid", ""))
        if len(values) > 1:
            verdict.mark(f"query {name}", "ambiguous")
            if all(state == "invalid" for state, _ in states):
                verdict.fail(
                    invalid,
                    f"{name} given {len(values)} times, never valid → {outcomes_label(invalid)}",
                )
            else:
                verdict.may_fail(invalid | {(400, None)}, f"{name} given {len(values)} times")
            continue
        state, reason = states[0]
        verdict.mark(f"query {name}", state)
        if state == "invalid":
            verdict.fail(invalid, f"{name}: {reason} → {outcomes_label(invalid)}")
        elif state == "ambiguous":
            verdict.may_fail(invalid, f"{name}: {reason}, which may be refused")


def size_limits(verdict: Verdict, request: Request) -> None:
    """RFC 9110 asks servers to accept URIs of 8000 octets; beyond that 414 is fair (431 for
    header fields of that size)."""
    if len(wire_path(request)) > URI_LIMIT:
        verdict.may_fail({(414, None)}, f"a URL over {URI_LIMIT} bytes may be refused with 414")
    if sum(len(k) + len(v) for k, v in request.headers.items()) > URI_LIMIT:
        verdict.may_fail(
            {(431, None)}, f"header fields over {URI_LIMIT} bytes may be refused (431)"
        )


def bodiless_content_type(verdict: Verdict, request: Request) -> None:
    if request.body is None and request.header("Content-Type") is not None:
        verdict.mark("header Content-Type", "ambiguous")
        verdict.may_fail(
            {(400, None), (415, None)},
            "a Content-Type without a body means nothing, but a malformed one may be refused",
        )


def body_schema(op: Operation, media_type: str | None = None) -> dict[str, Any] | None:
    """The request body schema of ``op``: for ``media_type`` if documented, else the first."""
    content = (op.definition.get("requestBody") or {}).get("content") or {}
    media = (content.get(media_type) if media_type else None) or next(iter(content.values()), None)
    return None if media is None else media.get("schema")


def analyse(contract: Contract, op: Operation, request: Request) -> Analysis:
    """The expected outcome of ``request`` for ``op`` of ``contract`` (its API's oracle)."""
    from ..apis import profile_for

    return profile_for(contract.name).analyse(contract, op, request)
