"""The oracle's expectations for the Sendcloud Returns API v2."""

from __future__ import annotations

import re

from api_contracts import Contract, Operation

from ...corpus.model import Request
from ...corpus.oracle import (
    MAX_INT64,
    Analysis,
    Outcome,
    Verdict,
    bodiless_content_type,
    integer_value,
    is_placeholder,
    size_limits,
    undocumented_method,
)

_BASE64ISH = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def _sendcloud_auth(verdict: Verdict, request: Request) -> None:
    value = request.header("Authorization")
    valid = "Basic {{sendcloud.basic}}"
    if value is None:
        verdict.mark("header Authorization", "invalid")
        verdict.fail({(401, None)}, "no credentials → 401")
    elif value.lower() == valid.lower():
        verdict.mark("header Authorization", "valid")
    else:
        verdict.mark("header Authorization", "invalid")
        verdict.fail({(401, None)}, "wrong or malformed credentials → 401")


def _sendcloud_accept(verdict: Verdict, request: Request) -> None:
    value = request.header("Accept")
    if value is None:
        verdict.mark("header Accept", "absent")
        return
    medias = {part.split(";")[0].strip().lower() for part in value.split(",")}
    if medias & {"application/json", "application/*", "*/*"}:
        verdict.mark("header Accept", "valid")
    else:
        verdict.mark("header Accept", "ambiguous")
        verdict.may_fail({(406, None)}, f"Accept {value!r} excludes JSON: may be refused with 406")


def _sendcloud_id(verdict: Verdict, request: Request) -> tuple[set[Outcome], str]:
    value = request.path_params.get("id", "")
    if is_placeholder(value, "sendcloud.returnId"):
        verdict.mark("path id", "valid")
        return {(200, None)}, "an existing return → 200"
    value = value.replace("{{sendcloud.returnId}}", "1")  # an existing id is digits
    if not re.fullmatch(r"[0-9]+", value, flags=re.ASCII):
        verdict.mark("path id", "invalid")
        verdict.fail({(404, None)}, f"id {value[:40]!r} is not a non-negative integer → 404")
        return set(), ""
    verdict.mark("path id", "ambiguous")
    number = integer_value(value)
    if len(value) > 1 and value.startswith("0"):
        return {(200, None), (404, None)}, "an id with leading zeros may be read as a number"
    if number == 0 or number > MAX_INT64:
        return {(404, None)}, f"no return has id {value[:40]} → 404"
    return {(200, None), (404, None)}, "an arbitrary id: 200 if such a return exists, else 404"


def _sendcloud_cursor(verdict: Verdict, request: Request) -> tuple[set[Outcome], str]:
    values = [v for k, v in request.query if k == "cursor"]
    if not values:
        verdict.mark("query cursor", "absent")
        return {(200, None)}, "the first page → 200"
    if len(values) > 1:
        verdict.mark("query cursor", "ambiguous")
        return {(200, None), (400, None), (404, None)}, "cursor given twice"
    value = values[0]
    if is_placeholder(value, "sendcloud.cursor"):
        verdict.mark("query cursor", "valid")
        return {(200, None)}, "the cursor of a `next` link → 200"
    if value == "" or _BASE64ISH.fullmatch(value):
        verdict.mark("query cursor", "ambiguous")
        return (
            {(200, None), (404, None)},
            "a base64-looking cursor the server did not issue: 200 if it decodes, else 404",
        )
    verdict.mark("query cursor", "invalid")
    return {(404, None)}, "an undecodable cursor → 404 (Invalid cursor)"


def sendcloud(contract: Contract, op: Operation, request: Request) -> Analysis:
    """The expected answer of a correct Sendcloud implementation to ``request``."""
    method = undocumented_method(contract, op, request)
    if method is not None:
        return method
    verdict = Verdict()
    size_limits(verdict, request)
    _sendcloud_accept(verdict, request)
    bodiless_content_type(verdict, request)
    _sendcloud_auth(verdict, request)
    declared = {p["name"] for p in op.parameters("query")}
    for name, _ in request.query:
        if name not in declared:
            verdict.mark("query (undeclared)", "ambiguous")
            verdict.may_fail(
                {(400, None)}, f"undeclared query parameter {name!r} may be ignored or rejected"
            )
    if op.parameters("path"):
        business = _sendcloud_id(verdict, request)
    else:
        business = _sendcloud_cursor(verdict, request)
    return verdict.finish(business if business[0] else None)
