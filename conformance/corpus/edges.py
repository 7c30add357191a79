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
from collections.abc import Callable, Iterator
from typing import Any

from ..contract import Contract, Operation
from .model import Request

JSONAPI = "application/vnd.api+json"
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
ACCEPTS: list[tuple[str, str | None]] = [
    ("no Accept header", None),
    ("an empty Accept header", ""),
    ("Accept: text/html", "text/html"),
    ("Accept: application/json", "application/json"),
    ("Accept: application/xml", "application/xml"),
    (f"Accept: {JSONAPI};q=0 (explicitly refused)", f"{JSONAPI};q=0"),
    ("Accept: */*", "*/*"),
    ("Accept: application/*", "application/*"),
    ("Accept: text/html, JSON:API with q=0.5", f"text/html, {JSONAPI};q=0.5"),
    ("Accept: JSON:API with a version parameter", f"{JSONAPI}; version=1.0"),
    ("Accept: JSON:API in upper case", JSONAPI.upper()),
]
LANGUAGES: list[tuple[str, str]] = [
    ("Accept-Language: de", "de"),
    ("Accept-Language with weights", "de-DE,de;q=0.9,en;q=0.8"),
    ("Accept-Language: *", "*"),
    ("an unknown Accept-Language", "xx-XX"),
    ("a malformed Accept-Language weight", "en;q=abc"),
    ("an oversized Accept-Language (4 KiB)", "a" * 4096),
    ("SQL injection in Accept-Language", "' OR '1'='1"),
]
CONTENT_TYPES: list[tuple[str, str | None]] = [
    ("no Content-Type", None),
    ("Content-Type: application/json", "application/json"),
    ("Content-Type: text/plain", "text/plain"),
    ("Content-Type: application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
    ("Content-Type: multipart/form-data with a boundary", "multipart/form-data; boundary=x"),
    ("Content-Type: JSON:API with a charset", f"{JSONAPI}; charset=utf-8"),
    ("Content-Type: JSON:API with a version parameter", f"{JSONAPI}; version=1.0"),
    ("Content-Type: JSON:API in upper case", JSONAPI.upper()),
]
RAW_BODIES: list[tuple[str, str]] = [
    ("malformed JSON (truncated)", '{"data": {'),
    ("an empty body", ""),
    ("a JSON array", "[]"),
    ("a JSON string", '"data"'),
    ("JSON null", "null"),
    ("a trailing comma", '{"data": {},}'),
    ("single-quoted pseudo-JSON", "{'data': {}}"),
    ("a form-encoded body", "data=1&type=returns"),
]
FORGED_JWT = (
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJERS0tMSIsInNjb3BlcyI6WyJjdXN0b21lciJdfQ."
)
GLUE_AUTH: list[tuple[str, str | None]] = [
    ("no Authorization header", None),
    ("a made-up bearer token", "Bearer not-a-valid-token"),
    ("the real token with one character appended", "Bearer {{glue.token}}x"),
    ("a forged unsigned JWT (alg none)", f"Bearer {FORGED_JWT}"),
    ("SQL injection as bearer token", "Bearer ' OR '1'='1"),
    ("a 4 KiB bearer token", "Bearer " + "A" * 4096),
    ("`Bearer` without a token", "Bearer"),
    ("Basic instead of Bearer", "Basic dXNlcjpwYXNz"),
    ("the bare token without a scheme", "{{glue.token}}"),
    ("the scheme in lower case", "bearer {{glue.token}}"),
]
SENDCLOUD_AUTH: list[tuple[str, str | None]] = [
    ("no Authorization header", None),
    ("the real public key with a wrong secret", "Basic {{sendcloud.basicWrongSecret}}"),
    ("unknown key and secret", "Basic d3Jvbmc6d3Jvbmc="),
    ("empty key and secret", "Basic Og=="),
    ("credentials without a colon", "Basic bm9jb2xvbg=="),
    ("malformed base64", "Basic !!!not-base64!!!"),
    ("`Basic` without credentials", "Basic"),
    ("a made-up bearer token", "Bearer not-a-valid-token"),
    ("Digest instead of Basic", 'Digest username="x", realm="api"'),
    ("a 4 KiB Basic value", "Basic " + "QUFB" * 1024),
    ("the scheme in lower case", "basic {{sendcloud.basic}}"),
]


def _replace(request: Request, **changes: Any) -> Request:
    new = copy.deepcopy(request)
    for key, value in changes.items():
        setattr(new, key, value)
    return new


def _with_header(request: Request, name: str, value: str | None) -> Request:
    headers = request.without_header(name)
    if value is not None:
        headers[name] = value
    return _replace(request, headers=headers)


def _set_in(body: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> Any:
    new = copy.deepcopy(body)
    node = new
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return new


class EdgeBuilder:
    """Edge cases of one API, drawn deterministically from ``rng`` (random item uuids)."""

    def __init__(self, contract: Contract, rng: random.Random) -> None:
        self.contract = contract
        self.rng = rng

    def random_uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # ------------------------------------------------------------------ base requests

    def base(self, op: Operation) -> Request:
        """A valid (or harmless) request for ``op``."""
        headers: dict[str, str] = {}
        if self.contract.api == "glue":
            headers["Accept"] = JSONAPI
            if op.secured:
                headers["Authorization"] = "Bearer {{glue.token}}"
        else:
            headers["Authorization"] = "Basic {{sendcloud.basic}}"
        request = Request(op.method, op.path, headers=headers)
        for parameter in op.parameters("path"):
            name = parameter["name"]
            request.path_params[name] = {
                "orderReference": "{{glue.orderReference}}",
                "returnReference": "{{glue.returnReference}}",
                "refreshToken": "{{glue.refreshToken}}",
                "id": "{{sendcloud.returnId}}",
            }.get(name, "1")
        body = self.harmless_body(op)
        if body is not None:
            request.headers["Content-Type"] = JSONAPI
            request.body = ("json", body)
        return request

    def harmless_body(self, op: Operation) -> Any:
        """A schema-valid body the implementation refuses without changing any state."""
        return {
            "createAccessToken": {
                "data": {
                    "type": "access-tokens",
                    "attributes": {
                        "username": "nobody@example.invalid",
                        "password": "not-the-password",
                    },
                }
            },
            "refreshAccessToken": {
                "data": {"type": "refresh-tokens", "attributes": {"refreshToken": "not-a-token"}}
            },
            "createReturn": {
                "data": {
                    "type": "returns",
                    "attributes": {
                        "store": "{{glue.store}}",
                        "returnItems": [
                            {"salesOrderItemUuid": self.random_uuid(), "reason": "Damaged"}
                        ],
                    },
                }
            },
        }.get(op.operation_id)

    # ------------------------------------------------------------------ families

    def edges(self, op: Operation) -> Iterator[Edge]:
        """Every edge case of ``op``, in a stable order."""
        base = self.base(op)
        families: list[Callable[[Operation, Request], Iterator[Edge]]]
        if self.contract.api == "glue":
            families = [
                self.accept,
                self.languages,
                self.glue_auth,
                self.content_types,
                self.raw_bodies,
                self.query,
                self.path,
                self.glue_business,
            ]
        else:
            families = [
                self.sendcloud_accept,
                self.sendcloud_auth,
                self.query,
                self.path,
                self.sendcloud_business,
            ]
        yield ("A valid request", base)
        for family in families:
            yield from family(op, base)
        documented = {o.method for o in self.contract.operations if o.path == op.path}
        method = next(m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in documented)
        yield f"an undocumented method ({method})", _replace(base, method=method)
        yield (
            "An unknown extra header",
            _with_header(base, "X-Edge-Case", "<script>alert(1)</script>"),
        )

    def accept(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in ACCEPTS:
            yield what, _with_header(base, "Accept", value)

    def languages(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in LANGUAGES:
            yield what, _with_header(base, "Accept-Language", value)

    def glue_auth(self, op: Operation, base: Request) -> Iterator[Edge]:
        if not op.secured:
            yield (
                "a made-up bearer token on a public operation",
                _with_header(base, "Authorization", "Bearer not-a-valid-token"),
            )
            return
        for what, value in GLUE_AUTH:
            yield what, _with_header(base, "Authorization", value)
        codes = op.error_codes(400)
        if codes is not None and "005" in codes.codes:  # the anonymous header with a token
            yield (
                "X-Anonymous-Customer-Unique-Id with a token",
                _with_header(base, "X-Anonymous-Customer-Unique-Id", "guest-1"),
            )

    def sendcloud_accept(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in (
            ("Accept: application/json", "application/json"),
            ("Accept: */*", "*/*"),
            ("Accept: text/html", "text/html"),
            ("Accept: application/xml", "application/xml"),
        ):
            yield what, _with_header(base, "Accept", value)

    def sendcloud_auth(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in SENDCLOUD_AUTH:
            yield what, _with_header(base, "Authorization", value)

    def content_types(self, op: Operation, base: Request) -> Iterator[Edge]:
        if base.body is None:
            yield (
                "a Content-Type on a request without a body",
                _with_header(base, "Content-Type", "text/plain"),
            )
            return
        for what, value in CONTENT_TYPES:
            yield what, _with_header(base, "Content-Type", value)

    def raw_bodies(self, op: Operation, base: Request) -> Iterator[Edge]:
        if base.body is None:
            return
        yield "no body at all", _replace(base, body=None)
        for what, text in RAW_BODIES:
            yield f"body: {what}", _replace(base, body=("text", text))
        body = base.body[1]
        yield "body: `data` is null", _replace(base, body=("json", {"data": None}))
        yield "body: `data` is an array", _replace(base, body=("json", {"data": [body["data"]]}))
        yield (
            "body: no `data.type`",
            _replace(base, body=("json", _set_in(body, ("data", "type"), None, delete=True))),
        )
        yield (
            "body: a wrong `data.type`",
            _replace(base, body=("json", _set_in(body, ("data", "type"), "orders"))),
        )
        yield (
            "body: `data.type` in upper case",
            _replace(
                base, body=("json", _set_in(body, ("data", "type"), body["data"]["type"].upper()))
            ),
        )
        yield (
            "body: no `data.attributes`",
            _replace(base, body=("json", _set_in(body, ("data", "attributes"), None, delete=True))),
        )
        yield (
            "body: `data.attributes` is an array",
            _replace(base, body=("json", _set_in(body, ("data", "attributes"), []))),
        )
        yield (
            "body: an extra top-level `meta` member",
            _replace(base, body=("json", {**body, "meta": {"x": 1}})),
        )
        yield (
            "body: a client-generated `data.id`",
            _replace(base, body=("json", _set_in(body, ("data", "id"), "client-id"))),
        )
        yield (
            "body: an unknown attribute",
            _replace(
                base, body=("json", _set_in(body, ("data", "attributes", "unknownAttribute"), "x"))
            ),
        )
        deep: Any = "x"
        for _ in range(200):
            deep = [deep]
        first = next(iter(body["data"]["attributes"]))
        yield (
            f"body: `{first}` is an array nested 200 deep",
            _replace(base, body=("json", _set_in(body, ("data", "attributes", first), deep))),
        )

    def query(self, op: Operation, base: Request) -> Iterator[Edge]:
        declared = {p["name"]: p.get("schema") or {} for p in op.parameters("query")}
        if "page[offset]" in declared and "page[limit]" in declared:
            for name, other in (("page[offset]", "page[limit]"), ("page[limit]", "page[offset]")):
                for what, value in INTEGERS:
                    query = [(name, value), (other, "10" if other == "page[limit]" else "0")]
                    yield f"{name} = {what}", _replace(base, query=sorted(query))
            yield "only page[offset]", _replace(base, query=[("page[offset]", "1")])
            yield "only page[limit]", _replace(base, query=[("page[limit]", "1")])
            yield (
                "a page past the end",
                _replace(base, query=[("page[limit]", "10"), ("page[offset]", "100000")]),
            )
            yield (
                "page[limit] given twice",
                _replace(
                    base, query=[("page[limit]", "1"), ("page[limit]", "2"), ("page[offset]", "0")]
                ),
            )
            yield "page as a plain parameter (page=1)", _replace(base, query=[("page", "1")])
        if "include" in declared:
            for what, value in (
                ("return-items", "return-items"),
                ("order-items", "order-items"),
                ("both relationships", "return-items,order-items"),
                ("an unknown relationship", "unknown-resource"),
                ("an empty value", ""),
                ("only commas", ",,,"),
                ("SQL injection", "' OR '1'='1"),
                ("4 KiB", "return-items," * 315),
            ):
                yield f"include = {what}", _replace(base, query=[("include", value)])
        if "cursor" in declared:
            yield (
                "the cursor of the `next` link",
                _replace(base, query=[("cursor", "{{sendcloud.cursor}}")]),
            )
            yield (
                "the documented example cursor",
                _replace(base, query=[("cursor", "cj0xJnA9MzAw")]),
            )
            yield (
                "a base64 cursor of a far-away position",
                _replace(base, query=[("cursor", "bz05OTk5OTk5")]),
            )
            for what, value in [*STRINGS, LONG_URL_STRING, ("not base64 (!!!)", "!!!")]:
                yield f"cursor = {what}", _replace(base, query=[("cursor", value)])
        yield (
            "an undeclared query parameter",
            _replace(base, query=[*base.query, ("unknownParam", "1")]),
        )
        yield (
            "an undeclared filter parameter",
            _replace(base, query=[*base.query, ("filter[x]", "' OR 1=1")]),
        )

    def path(self, op: Operation, base: Request) -> Iterator[Edge]:
        for parameter in op.parameters("path"):
            name = parameter["name"]
            real = base.path_params[name]
            if name == "id":
                values = [
                    ("0", "0"),
                    ("-1", "-1"),
                    ("2^63", str(2**63)),
                    ("2^64", str(2**64)),
                    ("a 4096-digit number", "9" * 4096),
                    ("a decimal (1.5)", "1.5"),
                    ("1.0", "1.0"),
                    ("an exponent (1e3)", "1e3"),
                    ("hexadecimal (0x1)", "0x1"),
                    ("a leading plus (+1)", "+1"),
                    ("letters", "abc"),
                    ("Arabic-Indic digits (\u0661)", "\u0661"),
                    ("SQL injection", "1 OR 1=1"),
                    ("a stacked SQL query", "1; DROP TABLE returns"),
                    ("a null byte", "1\u0000"),
                    ("a space", " "),
                    ("the real id with letters appended", real + "abc"),
                    ("the real id with a leading zero", "0" + real),
                    ("an arbitrary id (2)", "2"),
                ]
            else:
                other = {
                    "{{glue.orderReference}}": "{{glue.returnReference}}",
                    "{{glue.returnReference}}": "{{glue.orderReference}}",
                }.get(real)
                values = [
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
                if other:
                    values.append(("a reference of another resource type", other))
            for what, value in values:
                params = {**base.path_params, name: value}
                yield f"{name} = {what}", _replace(base, path_params=params)

    # ------------------------------------------------------------------ business

    def glue_business(self, op: Operation, base: Request) -> Iterator[Edge]:
        if base.body is None:
            return
        body = base.body[1]
        attributes = ("data", "attributes")
        fields = list(body["data"]["attributes"])
        if op.operation_id == "createReturn":
            item = (*attributes, "returnItems", 0)
            targets = [
                ("store", (*attributes, "store")),
                ("salesOrderItemUuid", (*item, "salesOrderItemUuid")),
                ("reason", (*item, "reason")),
            ]
        else:
            targets = [(name, (*attributes, name)) for name in fields]
        for name, path in targets:
            for what, value in [*STRINGS, LONG_BODY_STRING]:
                yield f"{name} = {what}", _replace(base, body=("json", _set_in(body, path, value)))
            for what, value in WRONG_TYPES:
                yield f"{name} = {what}", _replace(base, body=("json", _set_in(body, path, value)))
            yield (
                f"no {name}",
                _replace(base, body=("json", _set_in(body, path, None, delete=True))),
            )
        yield from getattr(self, f"_{op.operation_id}", lambda base: iter(()))(base)

    def _createAccessToken(self, base: Request) -> Iterator[Edge]:
        body = base.body[1] if base.body else {}
        real = _set_in(
            _set_in(body, ("data", "attributes", "username"), "{{glue.username}}"),
            ("data", "attributes", "password"),
            "{{glue.password}}",
        )
        yield "the customer's credentials", _replace(base, body=("json", real))
        yield (
            "the customer's credentials and Accept-Language: de",
            _with_header(_replace(base, body=("json", real)), "Accept-Language", "de"),
        )
        attrs = ("data", "attributes")
        for what, password in (
            ("a wrong password", "not-the-password"),
            ("the password with a null byte appended", "{{glue.password}}\u0000"),
            ("the password with a space appended", "{{glue.password}} "),
            ("the password in SQL injection", "' OR '1'='1' --"),
            ("an empty password", ""),
        ):
            changed = _set_in(real, (*attrs, "password"), password)
            yield f"the customer's username with {what}", _replace(base, body=("json", changed))
        changed = _set_in(real, (*attrs, "username"), "{{glue.username}}\u0000")
        yield "the username with a null byte appended", _replace(base, body=("json", changed))

    def _refreshAccessToken(self, base: Request) -> Iterator[Edge]:
        body = base.body[1] if base.body else {}
        path = ("data", "attributes", "refreshToken")
        yield (
            "a fresh refresh token",
            _replace(base, body=("json", _set_in(body, path, "{{glue.refreshToken}}"))),
        )
        yield (
            "a fresh refresh token and Accept: */*",
            _with_header(
                _replace(base, body=("json", _set_in(body, path, "{{glue.refreshToken}}"))),
                "Accept",
                "*/*",
            ),
        )
        yield (
            "the access token as refresh token",
            _replace(base, body=("json", _set_in(body, path, "{{glue.token}}"))),
        )
        yield (
            "a refresh token with a suffix",
            _replace(base, body=("json", _set_in(body, path, "{{glue.refreshToken}}x"))),
        )

    def _createReturn(self, base: Request) -> Iterator[Edge]:
        body = base.body[1] if base.body else {}
        items = ("data", "attributes", "returnItems")
        store = ("data", "attributes", "store")

        def returning(*uuids: str, reason: str | None = "Damaged") -> Any:
            entries = []
            for value in uuids:
                entry = {"salesOrderItemUuid": value}
                if reason is not None:
                    entry["reason"] = reason
                entries.append(entry)
            return _set_in(body, items, entries)

        many = [self.random_uuid() for _ in range(100)]
        yield "100 unknown items", _replace(base, body=("json", returning(*many)))
        yield (
            "the same unknown item twice",
            _replace(base, body=("json", returning(many[0], many[0]))),
        )
        yield (
            "the documented example items",
            _replace(
                base,
                body=(
                    "json",
                    returning(
                        "b39c7e1c-12ba-53d3-8d81-5c363d5307e9",
                        "b189d4f2-da12-59f3-8e05-dfb4d95b1781",
                    ),
                ),
            ),
        )
        yield (
            "an item that is not returnable",
            _replace(base, body=("json", returning("{{glue.nonReturnableItemUuid}}"))),
        )
        yield (
            "returnable items of two merchants",
            _replace(
                base,
                body=(
                    "json",
                    returning("{{glue.returnableItemUuid}}", "{{glue.otherMerchantItemUuid}}"),
                ),
            ),
        )
        yield (
            "a returnable item in another store",
            _replace(
                base, body=("json", _set_in(returning("{{glue.returnableItemUuid}}"), store, "ZZ"))
            ),
        )
        yield (
            "a returnable item with a suffix on the store",
            _replace(
                base,
                body=(
                    "json",
                    _set_in(returning("{{glue.returnableItemUuid}}"), store, "{{glue.store}}-x"),
                ),
            ),
        )
        # These consume returnable items: the generator puts them last.
        yield (
            "a returnable item",
            _replace(base, body=("json", returning("{{glue.returnableItemUuid}}"))),
        )
        yield (
            "a returnable item without a reason",
            _replace(base, body=("json", returning("{{glue.returnableItemUuid}}", reason=None))),
        )
        yield (
            "a returnable item with a unicode reason",
            _replace(
                base,
                body=(
                    "json",
                    returning("{{glue.returnableItemUuid}}", reason="Beschädigt \u2013 📦 zu spät"),
                ),
            ),
        )
        yield (
            "a returnable item with include=return-items,order-items",
            _replace(
                base,
                body=("json", returning("{{glue.returnableItemUuid}}")),
                query=[("include", "return-items,order-items")],
            ),
        )

    def sendcloud_business(self, op: Operation, base: Request) -> Iterator[Edge]:
        yield (
            "a JSON body on a GET",
            _replace(
                _with_header(base, "Content-Type", "application/json"), body=("json", {"x": 1})
            ),
        )
