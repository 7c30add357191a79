"""Hand-picked edge cases per operation: protocol (Accept, Content-Type, auth, methods), hostile
strings, boundary numbers, type confusion and the business cases that need real data.

Each edge is a ``(title, Request)``; the oracle decides what a correct implementation answers,
so the catalogue only says *what to send*. Requests start from a base request that is valid (or
harmless: a refused login instead of a real one, unknown items instead of returnable ones) and
change exactly one thing.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from typing import Any

from api_contracts import Contract, Operation

from ..profile import ApiProfile
from .model import Request

Edge = tuple[str, Request]

# Hostile and unusual strings: (what, value). Path and query get the short ones.
STRINGS: list[tuple[str, str]] = [
    ("an empty string", ""),
    ("whitespace only", "   "),
    ("unicode (umlauts, CJK, emoji)", "Grüße \u2013 退货 📦"),
    ("right-to-left override and combining marks", "\u202eevil\u202c e\u0301"),
    ("a null byte", "abc\u0000def"),
    ("control characters", "\u0001\u0007\u001b[31m"),
    ("CRLF", "a\r\nX-Injected: 1"),
    ("SQL injection", "' OR '1'='1' --"),
    ("NoSQL injection", '{"$ne": null}'),
    ("HTML/script injection", "<script>alert(1)</script>"),
    ("template injection", "${7*7}#{7*7}<%= 7*7 %>"),
    ("a log4j lookup", "${jndi:ldap://127.0.0.1/a}"),
    ("a 40-digit number", "9" * 40),
    ("4 KiB of multi-byte characters", "é" * 2048),
]
LONG_BODY_STRING = ("an oversized string (64 KiB)", "A" * 65536)
LONG_URL_STRING = ("an oversized string (4 KiB)", "A" * 4096)
# JSON values of the wrong type for a string field: (what, value)
WRONG_TYPES: list[tuple[str, Any]] = [
    ("a number", 12345),
    ("a huge integer (2^64)", 2**64),
    ("a huge float (1e308)", 1e308),
    ("true", True),
    ("null", None),
    ("an array", ["x"]),
    ("an object", {"x": 1}),
]
# Values for integer query parameters: (what, value)
INTEGERS: list[tuple[str, str]] = [
    ("-1", "-1"),
    ("0", "0"),
    ("1", "1"),
    ("a large value (1000000)", "1000000"),
    ("the largest 64-bit integer", str(2**63 - 1)),
    ("2^63 (beyond 64 bits)", str(2**63)),
    ("a 30-digit number", "9" * 30),
    ("4096 digits", "9" * 4096),
    ("a decimal (1.5)", "1.5"),
    ("1.0", "1.0"),
    ("an exponent (1e3)", "1e3"),
    ("hexadecimal (0x10)", "0x10"),
    ("a leading plus (+1)", "+1"),
    ("leading zeros (007)", "007"),
    ("an empty value", ""),
    ("a space", " "),
    ("letters", "abc"),
    ("true", "true"),
    ("null", "null"),
    ("Arabic-Indic digits (\u0661\u0662)", "\u0661\u0662"),
    ("a null byte", "\u0000"),
    ("SQL injection", "1; DROP TABLE orders --"),
]


def replace(request: Request, **changes: Any) -> Request:
    new = copy.deepcopy(request)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


def with_header(request: Request, name: str, value: str | None) -> Request:
    headers = request.without_header(name)
    if value is not None:
        headers[name] = value
    return replace(request, headers=headers)


def set_in(body: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> Any:
    new = copy.deepcopy(body)
    node = new
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return new


def reference_values(real: str) -> list[tuple[str, str]]:
    """Edge values of a path parameter naming a resource whose real value is ``real``."""
    return [
        ("an unknown reference", "DE--999999"),
        ("a made-up reference", "does-not-exist"),
        ("0", "0"),
        ("-1", "-1"),
        ("null", "null"),
        ("the real reference with a suffix", real + "x"),
        ("the real reference with a prefix", "x" + real),
        ("a percent-encoded dot-dot", "%2e%2e"),
        *STRINGS[1:],
        LONG_URL_STRING,
    ]


class EdgeBuilder:
    """Edge cases of one API, drawn deterministically from ``rng`` (random item uuids).

    The valid request, the query and path families and the undocumented method are shared;
    the API's profile adds its own families (media types, credentials, bodies, business)."""

    def __init__(self, contract: Contract, rng: random.Random, profile: ApiProfile) -> None:
        self.contract = contract
        self.rng = rng
        self.profile = profile
        self.api = profile.edges(self)

    def random_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # ------------------------------------------------------------------ base requests

    def base(self, op: Operation) -> Request:
        """A valid (or harmless) request for ``op``."""
        request = Request(op.method, op.path, headers=self.profile.base_headers(op))
        for parameter in op.parameters("path"):
            name = parameter["name"]
            placeholder = self.profile.path_placeholders.get((op.operation_id, name))
            request.path_params[name] = "{{" + placeholder + "}}" if placeholder else "1"
        body = self.api.harmless_body(op)
        if body is not None:
            request.headers["Content-Type"] = self.profile.media_type
            request.body = ("json", body)
        return request

    # ------------------------------------------------------------------ families

    def edges(self, op: Operation) -> Iterator[Edge]:
        """Every edge case of ``op``, in a stable order."""
        base = self.base(op)
        yield ("A valid request", base)
        for family in self.api.families():
            yield from family(op, base)
        documented = {o.method for o in self.contract.operations if o.path == op.path}
        method = next(m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in documented)
        yield f"an undocumented method ({method})", replace(base, method=method)
        yield (
            "An unknown extra header",
            with_header(base, "X-Edge-Case", "<script>alert(1)</script>"),
        )

    def query(self, op: Operation, base: Request) -> Iterator[Edge]:
        declared = {p["name"]: p.get("schema") or {} for p in op.parameters("query")}
        if "page[offset]" in declared and "page[limit]" in declared:
            for name, other in (("page[offset]", "page[limit]"), ("page[limit]", "page[offset]")):
                for what, value in INTEGERS:
                    query = [(name, value), (other, "10" if other == "page[limit]" else "0")]
                    yield f"{name} = {what}", replace(base, query=sorted(query))
            yield "only page[offset]", replace(base, query=[("page[offset]", "1")])
            yield "only page[limit]", replace(base, query=[("page[limit]", "1")])
            yield (
                "a page past the end",
                replace(base, query=[("page[limit]", "10"), ("page[offset]", "100000")]),
            )
            yield (
                "page[limit] given twice",
                replace(
                    base, query=[("page[limit]", "1"), ("page[limit]", "2"), ("page[offset]", "0")]
                ),
            )
            yield "page as a plain parameter (page=1)", replace(base, query=[("page", "1")])
        yield from self.api.query_edges(op, base, declared)
        yield (
            "an undeclared query parameter",
            replace(base, query=[*base.query, ("unknownParam", "1")]),
        )
        yield (
            "an undeclared filter parameter",
            replace(base, query=[*base.query, ("filter[x]", "' OR 1=1")]),
        )

    def path(self, op: Operation, base: Request) -> Iterator[Edge]:
        for parameter in op.parameters("path"):
            name = parameter["name"]
            real = base.path_params[name]
            values = self.api.path_values(op, name, real)
            if values is None:
                values = reference_values(real)
            for what, value in values:
                params = {**base.path_params, name: value}
                yield f"{name} = {what}", replace(base, path_params=params)
