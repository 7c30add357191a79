"""Edge-case families of the Glue API: JSON:API media types, bearer tokens, JSON:API bodies
and the business cases of the login, the token refresh and the return creation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from api_contracts import Operation

from ...corpus.edges import (
    LONG_BODY_STRING,
    STRINGS,
    WRONG_TYPES,
    Edge,
    EdgeBuilder,
    reference_values,
    replace,
    set_in,
    with_header,
)
from ...corpus.model import Request
from ...profile import EdgeFamily
from .media import JSONAPI

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


class GlueEdges:
    """The Glue families over the shared builder (its seeded RNG, its query and path families)."""

    def __init__(self, builder: EdgeBuilder) -> None:
        self.builder = builder

    def families(self) -> list[EdgeFamily]:
        b = self.builder
        return [
            self.accept,
            self.languages,
            self.auth,
            self.content_types,
            self.raw_bodies,
            b.query,
            b.path,
            self.business,
        ]

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
                            {"salesOrderItemUuid": self.builder.random_uuid(), "reason": "Damaged"}
                        ],
                    },
                }
            },
        }.get(op.operation_id)

    # ------------------------------------------------------------------ families

    def path_values(self, op: Operation, name: str, real: str) -> list[tuple[str, str]] | None:
        """References: unknown, made up, hostile, and one of the other resource type."""
        other = {
            "{{glue.orderReference}}": "{{glue.returnReference}}",
            "{{glue.returnReference}}": "{{glue.orderReference}}",
        }.get(real)
        values = reference_values(real)
        if other:
            values.append(("a reference of another resource type", other))
        return values

    def query_edges(self, op: Operation, base: Request, declared: dict[str, Any]) -> Iterator[Edge]:
        """Values of the JSON:API `include` parameter."""
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
                yield f"include = {what}", replace(base, query=[("include", value)])

    def accept(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in ACCEPTS:
            yield what, with_header(base, "Accept", value)

    def languages(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in LANGUAGES:
            yield what, with_header(base, "Accept-Language", value)

    def auth(self, op: Operation, base: Request) -> Iterator[Edge]:
        if not op.secured:
            yield (
                "a made-up bearer token on a public operation",
                with_header(base, "Authorization", "Bearer not-a-valid-token"),
            )
            return
        for what, value in GLUE_AUTH:
            yield what, with_header(base, "Authorization", value)
        codes = op.error_codes(400)
        if codes is not None and "005" in codes.codes:  # the anonymous header with a token
            yield (
                "X-Anonymous-Customer-Unique-Id with a token",
                with_header(base, "X-Anonymous-Customer-Unique-Id", "guest-1"),
            )

    def content_types(self, op: Operation, base: Request) -> Iterator[Edge]:
        if base.body is None:
            yield (
                "a Content-Type on a request without a body",
                with_header(base, "Content-Type", "text/plain"),
            )
            return
        for what, value in CONTENT_TYPES:
            yield what, with_header(base, "Content-Type", value)

    def raw_bodies(self, op: Operation, base: Request) -> Iterator[Edge]:
        if base.body is None:
            return
        yield "no body at all", replace(base, body=None)
        for what, text in RAW_BODIES:
            yield f"body: {what}", replace(base, body=("text", text))
        body = base.body[1]
        yield "body: `data` is null", replace(base, body=("json", {"data": None}))
        yield "body: `data` is an array", replace(base, body=("json", {"data": [body["data"]]}))
        yield (
            "body: no `data.type`",
            replace(base, body=("json", set_in(body, ("data", "type"), None, delete=True))),
        )
        yield (
            "body: a wrong `data.type`",
            replace(base, body=("json", set_in(body, ("data", "type"), "orders"))),
        )
        yield (
            "body: `data.type` in upper case",
            replace(
                base, body=("json", set_in(body, ("data", "type"), body["data"]["type"].upper()))
            ),
        )
        yield (
            "body: no `data.attributes`",
            replace(base, body=("json", set_in(body, ("data", "attributes"), None, delete=True))),
        )
        yield (
            "body: `data.attributes` is an array",
            replace(base, body=("json", set_in(body, ("data", "attributes"), []))),
        )
        yield (
            "body: an extra top-level `meta` member",
            replace(base, body=("json", {**body, "meta": {"x": 1}})),
        )
        yield (
            "body: a client-generated `data.id`",
            replace(base, body=("json", set_in(body, ("data", "id"), "client-id"))),
        )
        yield (
            "body: an unknown attribute",
            replace(
                base, body=("json", set_in(body, ("data", "attributes", "unknownAttribute"), "x"))
            ),
        )
        deep: Any = "x"
        for _ in range(200):
            deep = [deep]
        first = next(iter(body["data"]["attributes"]))
        yield (
            f"body: `{first}` is an array nested 200 deep",
            replace(base, body=("json", set_in(body, ("data", "attributes", first), deep))),
        )

    def business(self, op: Operation, base: Request) -> Iterator[Edge]:
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
                yield f"{name} = {what}", replace(base, body=("json", set_in(body, path, value)))
            for what, value in WRONG_TYPES:
                yield f"{name} = {what}", replace(base, body=("json", set_in(body, path, value)))
            yield (
                f"no {name}",
                replace(base, body=("json", set_in(body, path, None, delete=True))),
            )
        yield from getattr(self, f"_{op.operation_id}", lambda base: iter(()))(base)

    def _createAccessToken(self, base: Request) -> Iterator[Edge]:
        body = base.body[1] if base.body else {}
        real = set_in(
            set_in(body, ("data", "attributes", "username"), "{{glue.username}}"),
            ("data", "attributes", "password"),
            "{{glue.password}}",
        )
        yield "the customer's credentials", replace(base, body=("json", real))
        yield (
            "the customer's credentials and Accept-Language: de",
            with_header(replace(base, body=("json", real)), "Accept-Language", "de"),
        )
        attrs = ("data", "attributes")
        for what, password in (
            ("a wrong password", "not-the-password"),
            ("the password with a null byte appended", "{{glue.password}}\u0000"),
            ("the password with a space appended", "{{glue.password}} "),
            ("the password in SQL injection", "' OR '1'='1' --"),
            ("an empty password", ""),
        ):
            changed = set_in(real, (*attrs, "password"), password)
            yield f"the customer's username with {what}", replace(base, body=("json", changed))
        changed = set_in(real, (*attrs, "username"), "{{glue.username}}\u0000")
        yield "the username with a null byte appended", replace(base, body=("json", changed))

    def _refreshAccessToken(self, base: Request) -> Iterator[Edge]:
        body = base.body[1] if base.body else {}
        path = ("data", "attributes", "refreshToken")
        yield (
            "a fresh refresh token",
            replace(base, body=("json", set_in(body, path, "{{glue.refreshToken}}"))),
        )
        yield (
            "a fresh refresh token and Accept: */*",
            with_header(
                replace(base, body=("json", set_in(body, path, "{{glue.refreshToken}}"))),
                "Accept",
                "*/*",
            ),
        )
        yield (
            "the access token as refresh token",
            replace(base, body=("json", set_in(body, path, "{{glue.token}}"))),
        )
        yield (
            "a refresh token with a suffix",
            replace(base, body=("json", set_in(body, path, "{{glue.refreshToken}}x"))),
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
            return set_in(body, items, entries)

        many = [self.builder.random_uuid() for _ in range(100)]
        yield "100 unknown items", replace(base, body=("json", returning(*many)))
        yield (
            "the same unknown item twice",
            replace(base, body=("json", returning(many[0], many[0]))),
        )
        yield (
            "the documented example items",
            replace(
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
            replace(base, body=("json", returning("{{glue.nonReturnableItemUuid}}"))),
        )
        yield (
            "returnable items of two merchants",
            replace(
                base,
                body=(
                    "json",
                    returning("{{glue.returnableItemUuid}}", "{{glue.otherMerchantItemUuid}}"),
                ),
            ),
        )
        yield (
            "a returnable item in another store",
            replace(
                base, body=("json", set_in(returning("{{glue.returnableItemUuid}}"), store, "ZZ"))
            ),
        )
        yield (
            "a returnable item with a suffix on the store",
            replace(
                base,
                body=(
                    "json",
                    set_in(returning("{{glue.returnableItemUuid}}"), store, "{{glue.store}}-x"),
                ),
            ),
        )
        # These consume returnable items: the generator puts them last.
        yield (
            "a returnable item",
            replace(base, body=("json", returning("{{glue.returnableItemUuid}}"))),
        )
        yield (
            "a returnable item without a reason",
            replace(base, body=("json", returning("{{glue.returnableItemUuid}}", reason=None))),
        )
        yield (
            "a returnable item with a unicode reason",
            replace(
                base,
                body=(
                    "json",
                    returning("{{glue.returnableItemUuid}}", reason="Beschädigt \u2013 📦 zu spät"),
                ),
            ),
        )
        yield (
            "a returnable item with include=return-items,order-items",
            replace(
                base,
                body=("json", returning("{{glue.returnableItemUuid}}")),
                query=[("include", "return-items,order-items")],
            ),
        )
