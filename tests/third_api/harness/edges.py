"""Edge-case families of the third API: the bearer token, pages, and the create body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from api_contracts import Operation
from conformance.corpus.edges import INTEGERS, Edge, EdgeBuilder, replace, with_header
from conformance.corpus.model import Request
from conformance.profile import EdgeFamily

VALID_BODY = {"orderNumber": "ORD-1001", "reason": "damaged", "note": "The box was crushed"}
AUTH: list[tuple[str, str | None]] = [
    ("no Authorization header", None),
    ("a made-up token", "Bearer not-the-token"),
    ("`Bearer` without a token", "Bearer"),
    ("Basic instead of Bearer", "Basic dGhpcmQ6dGhpcmQ="),
    ("the scheme in lower case", "bearer {{third.token}}"),
]


class ThirdEdges:
    def __init__(self, builder: EdgeBuilder) -> None:
        self.builder = builder

    def families(self) -> list[EdgeFamily]:
        return [self.auth, self.builder.query, self.builder.path, self.body]

    def harmless_body(self, op: Operation) -> Any:
        return dict(VALID_BODY) if op.method == "POST" else None

    def path_values(self, op: Operation, name: str, real: str) -> list[tuple[str, str]] | None:
        return None  # the shared catalogue of references

    def query_edges(self, op: Operation, base: Request, declared: dict[str, Any]) -> Iterator[Edge]:
        for name in ("limit", "offset"):
            if name in declared:
                for what, value in INTEGERS:
                    yield f"{name} = {what}", replace(base, query=[(name, value)])
        if "limit" in declared:
            yield "limit = 51 (above the maximum)", replace(base, query=[("limit", "51")])

    def auth(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in AUTH:
            yield what, with_header(base, "Authorization", value)

    def body(self, op: Operation, base: Request) -> Iterator[Edge]:
        if op.method != "POST":
            return
        yield "no body", replace(with_header(base, "Content-Type", None), body=None)
        yield "a body that is not JSON", replace(base, body=("text", "{not json"))
        yield (
            "text/plain",
            replace(with_header(base, "Content-Type", "text/plain"), body=("text", "x")),
        )
        yield "an unknown reason", replace(base, body=("json", {**VALID_BODY, "reason": "bored"}))
        yield "no reason", replace(base, body=("json", {"orderNumber": "ORD-1"}))
        yield "an extra property", replace(base, body=("json", {**VALID_BODY, "x": 1}))
        yield (
            "a 201-character note",
            replace(base, body=("json", {**VALID_BODY, "note": "n" * 201})),
        )
        yield (
            "orderNumber as a number",
            replace(base, body=("json", {**VALID_BODY, "orderNumber": 1})),
        )
        yield "a JSON array", replace(base, body=("json", [VALID_BODY]))
