"""The oracle of the third API: what a correct implementation answers to a corpus request."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from api_contracts import Contract, Operation
from conformance.corpus.model import Request
from conformance.corpus.oracle import (
    Analysis,
    Outcome,
    Verdict,
    bodiless_content_type,
    body_schema,
    is_placeholder,
    query_parameters,
    size_limits,
    undocumented_method,
)

BAD: set[Outcome] = {(400, None)}
MAX_ID = 40


def _auth(verdict: Verdict, request: Request) -> None:
    """third-D3: the token is checked first; anything but ``Bearer <token>`` is 401."""
    scheme, _, token = (request.header("Authorization") or "").strip().partition(" ")
    if scheme.lower() == "bearer" and is_placeholder(token.strip(), "third.token"):
        verdict.mark("header Authorization", "valid")
    else:
        verdict.mark("header Authorization", "invalid")
        verdict.fail({(401, None)}, "no token or a wrong one → 401")


def _limit_maximum(verdict: Verdict, op: Operation, request: Request) -> None:
    for parameter in op.parameters("query"):
        maximum = (parameter.get("schema") or {}).get("maximum")
        if maximum is None:
            continue
        for name, value in request.query:
            digits = value.strip().lstrip("+")
            above = digits.isascii() and digits.isdigit() and int(digits[:20]) > maximum
            if name == parameter["name"] and above:
                verdict.fail(BAD, f"{name} {value[:20]} is above the maximum {maximum} → 400")


def _body(verdict: Verdict, op: Operation, request: Request) -> None:
    media = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if request.body is None:
        verdict.mark("body", "invalid")
        verdict.fail(BAD | {(415, None)}, "the body is required → 400 (415 if no Content-Type)")
        return
    if media != "application/json":
        verdict.mark("header Content-Type", "invalid")
        verdict.fail({(415, None)}, f"Content-Type {media or 'missing'!r} is not JSON → 415")
        return
    verdict.mark("header Content-Type", "valid")
    kind, value = request.body
    if kind != "json":
        verdict.mark("body", "invalid")
        verdict.fail(BAD, "the body is not JSON → 400")
        return
    schema = body_schema(op, "application/json") or {}
    errors = list(Draft202012Validator(schema).iter_errors(value))
    wrong = {str(error.path[0]) for error in errors if error.path}
    if isinstance(value, dict):
        for name in schema.get("properties", {}):
            if name in value:
                verdict.mark(f"body /{name}", "invalid" if name in wrong else "valid")
    if errors:
        verdict.mark("body", "invalid")
        verdict.fail(BAD, f"the body does not match NewReturn ({errors[0].message[:80]}) → 400")
    else:
        verdict.mark("body", "valid")


def _return_id(verdict: Verdict, request: Request) -> tuple[set[Outcome], str]:
    value = request.path_params.get("returnId", "")
    if is_placeholder(value, "third.returnId"):
        verdict.mark("path returnId", "valid")
        return {(200, None)}, "an existing return → 200"
    if len(value) > MAX_ID or not value:
        verdict.mark("path returnId", "invalid")
        verdict.fail(BAD, f"an id of {len(value)} characters is outside 1..{MAX_ID} → 400")
        return set(), ""
    verdict.mark("path returnId", "ambiguous")
    return {(404, None)}, "no return has this id → 404"


def analyse(contract: Contract, op: Operation, request: Request) -> Analysis:
    """The expected answer of a correct implementation of the third API to ``request``."""
    method = undocumented_method(contract, op, request)
    if method is not None:
        return method
    verdict = Verdict()
    size_limits(verdict, request)
    _auth(verdict, request)
    query_parameters(verdict, op, request, BAD)
    _limit_maximum(verdict, op, request)
    if op.method == "POST":
        _body(verdict, op, request)
        # 409 only past 500 returns (third-D4): a replay from a reset world never gets there
        return verdict.finish(({(201, None)}, "a valid return request → 201"))
    bodiless_content_type(verdict, request)
    if op.parameters("path"):
        business = _return_id(verdict, request)
        return verdict.finish(business if business[0] else None)
    return verdict.finish(({(200, None)}, "a page of returns → 200"))
