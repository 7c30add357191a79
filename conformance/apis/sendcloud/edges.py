"""Edge-case families of the Sendcloud API: Accept, HTTP Basic credentials, a body on a GET."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from api_contracts import Operation

from ...corpus.edges import LONG_URL_STRING, STRINGS, Edge, EdgeBuilder, replace, with_header
from ...corpus.model import Request
from ...profile import EdgeFamily

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


class SendcloudEdges:
    """The Sendcloud families over the shared builder."""

    def __init__(self, builder: EdgeBuilder) -> None:
        self.builder = builder

    def families(self) -> list[EdgeFamily]:
        b = self.builder
        return [self.accept, self.auth, b.query, b.path, self.business]

    def harmless_body(self, op: Operation) -> None:
        return None  # no operation takes a body

    def path_values(self, op: Operation, name: str, real: str) -> list[tuple[str, str]] | None:
        """Return ids are non-negative integers: numbers of every other shape, and injections."""
        return [
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

    def query_edges(self, op: Operation, base: Request, declared: dict[str, Any]) -> Iterator[Edge]:
        """Cursors: the real one, the documented example, made-up and hostile ones."""
        if "cursor" in declared:
            yield (
                "the cursor of the `next` link",
                replace(base, query=[("cursor", "{{sendcloud.cursor}}")]),
            )
            yield (
                "the documented example cursor",
                replace(base, query=[("cursor", "cj0xJnA9MzAw")]),
            )
            yield (
                "a base64 cursor of a far-away position",
                replace(base, query=[("cursor", "bz05OTk5OTk5")]),
            )
            for what, value in [*STRINGS, LONG_URL_STRING, ("not base64 (!!!)", "!!!")]:
                yield f"cursor = {what}", replace(base, query=[("cursor", value)])

    def accept(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in (
            ("Accept: application/json", "application/json"),
            ("Accept: */*", "*/*"),
            ("Accept: text/html", "text/html"),
            ("Accept: application/xml", "application/xml"),
        ):
            yield what, with_header(base, "Accept", value)

    def auth(self, op: Operation, base: Request) -> Iterator[Edge]:
        for what, value in SENDCLOUD_AUTH:
            yield what, with_header(base, "Authorization", value)

    def business(self, op: Operation, base: Request) -> Iterator[Edge]:
        yield (
            "a JSON body on a GET",
            replace(with_header(base, "Content-Type", "application/json"), body=("json", {"x": 1})),
        )
