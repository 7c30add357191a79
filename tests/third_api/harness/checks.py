"""The third API's own checks: its error object on every error, and create-then-read."""

from __future__ import annotations

from api_contracts import Operation
from conformance.checks.base import (
    ScenarioContext,
    SkipCheck,
    describe,
    expect,
    response_check,
    scenario,
)
from conformance.model import Exchange

from .. import NAME

ENVELOPE_CONTRACT = (
    'Every error is `{"type", "status", "message"}` with `status` = the HTTP status (third-D1).'
)
CREATE_CONTRACT = (
    "POST /returns answers 201 with `Location`, which reads back the same return (third-D4)."
)


@response_check(NAME)
def third_error_envelope(exchange: Exchange, operation: Operation | None) -> None:
    """Every error of the third API is its flat `{type, status, message}` object."""
    if exchange.response.status < 400 or exchange.request.method in ("HEAD", "OPTIONS"):
        raise SkipCheck("not an error")
    try:
        document = exchange.json()
    except ValueError:
        document = None
    expect(
        isinstance(document, dict)
        and set(document) == {"type", "status", "message"}
        and document["status"] == exchange.response.status,
        "Error is not the third API's error object",
        f"{describe(exchange)}: {exchange.response.text(200)}",
        contract=ENVELOPE_CONTRACT,
    )


@scenario(NAME)
def third_create_then_read(ctx: ScenarioContext) -> None:
    """A return just created can be read at its Location."""
    body = {"orderNumber": "ORD-4242", "reason": "wrong_item"}
    with ctx.check("third_create_then_read", operation="POST /returns"):
        created = ctx.client.post("/returns", json=body)
        expect(
            created.response.status == 201,
            "Create did not answer 201",
            describe(created),
            contract=CREATE_CONTRACT,
            exchange=created,
        )
        location = created.response.header("location") or ""
        new_id = created.json()["id"]
        expect(
            location.endswith(f"/returns/{new_id}"),
            "Location does not name the new return",
            location,
            contract=CREATE_CONTRACT,
            exchange=created,
        )
        read = ctx.client.get(f"/returns/{new_id}")
        expect(
            read.response.status == 200 and read.json() == created.json(),
            "The new return does not read back",
            describe(read),
            contract=CREATE_CONTRACT,
            exchange=read,
        )
