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

import json
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from ..contract import Contract, Operation
from .model import Expectation, Request, wire_path

JSONAPI = "application/vnd.api+json"
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
class _Verdict:
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


def _fmt(outcomes: set[Outcome]) -> str:
    return _expectation(outcomes, "").label()


def is_placeholder(value: Any, name: str) -> bool:
    return value == "{{" + name + "}}"


# --------------------------------------------------------------------------- shared parts


def _method(contract: Contract, op: Operation, request: Request) -> Analysis | None:
    documented = {o.method for o in contract.operations if o.path == op.path}
    if request.method in documented:
        return None
    allowed = ", ".join(sorted(documented))
    # A contract may name another status than 405 (Glue: 404, `x-unsupported-method-status`).
    unsupported = int(contract.raw.get("x-unsupported-method-status", 405))
    if unsupported != 405:
        outcomes = {(unsupported, None)}
        why = f"{request.method} is not documented for {op.path}: {unsupported} (the contract's)"
        return Analysis(_expectation(outcomes, why), {"method": "invalid"})
    if request.method == "OPTIONS":
        outcomes: set[Outcome] = {(405, None), (200, None), (204, None)}
        why = (
            f"OPTIONS is not documented for {op.path} (documented: {allowed}): "
            "405, or an OPTIONS/CORS answer"
        )
    elif request.method in STANDARD_METHODS:
        outcomes = {(405, None)}
        why = f"{request.method} is not documented for {op.path}: 405 with Allow: {allowed}"
    else:
        outcomes = {(405, None), (501, None), (400, None)}
        why = f"{request.method} is not a method of {op.path}: 405 (or 501, or 400 if unknown)"
    return Analysis(_expectation(outcomes, why), {"method": "invalid"})


def _number(digits: str) -> int:
    """The value of an ASCII integer literal, clamped beyond 64 bits (no huge ``int()``)."""
    if len(digits.lstrip("-")) > 19:
        return -(MAX_INT64 + 1) * 2 if digits.startswith("-") else (MAX_INT64 + 1) * 2
    return int(digits)


def _integer_state(value: str, minimum: int | None) -> tuple[str, str]:
    """(state, reason) of a query value for an ``integer`` parameter."""
    if re.fullmatch(r"-?(0|[1-9][0-9]*)", value):
        number = _number(value)
        if minimum is not None and number < minimum:
            return "invalid", f"{value[:20]} is below the minimum {minimum}"
        if abs(number) > MAX_INT64:
            return "ambiguous", "a schema-valid integer beyond 64 bits"
        return "valid", ""
    if re.fullmatch(r"\s*[+-]?[0-9]+(\.0+)?\s*", value, flags=re.ASCII):
        return "ambiguous", f"{value!r} is an integer only to a lenient parser"
    return "invalid", f"{value!r} is not an integer"


def _query(verdict: _Verdict, op: Operation, request: Request, invalid: set[Outcome]) -> None:
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
                    invalid, f"{name} given {len(values)} times, never valid → {_fmt(invalid)}"
                )
            else:
                verdict.may_fail(invalid | {(400, None)}, f"{name} given {len(values)} times")
            continue
        state, reason = states[0]
        verdict.mark(f"query {name}", state)
        if state == "invalid":
            verdict.fail(invalid, f"{name}: {reason} → {_fmt(invalid)}")
        elif state == "ambiguous":
            verdict.may_fail(invalid, f"{name}: {reason}, which may be refused")


def _limits(verdict: _Verdict, request: Request) -> None:
    """RFC 9110 asks servers to accept URIs of 8000 octets; beyond that 414 is fair (431 for
    header fields of that size)."""
    if len(wire_path(request)) > URI_LIMIT:
        verdict.may_fail({(414, None)}, f"a URL over {URI_LIMIT} bytes may be refused with 414")
    if sum(len(k) + len(v) for k, v in request.headers.items()) > URI_LIMIT:
        verdict.may_fail(
            {(431, None)}, f"header fields over {URI_LIMIT} bytes may be refused (431)"
        )


def _bodiless_content_type(verdict: _Verdict, request: Request) -> None:
    if request.body is None and request.header("Content-Type") is not None:
        verdict.mark("header Content-Type", "ambiguous")
        verdict.may_fail(
            {(400, None), (415, None)},
            "a Content-Type without a body means nothing, but a malformed one may be refused",
        )


# --------------------------------------------------------------------------- Glue


def _accept_state(value: str | None) -> tuple[str, str]:
    if value is None:
        return "invalid", "no Accept header"
    usable = False
    unusual = False
    for part in value.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        others = []
        for param in params:
            key, _, raw = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(raw)
                except ValueError:
                    weight = 0.0
            else:
                others.append(key.strip().lower())
        if media.lower() in (JSONAPI, "application/*", "*/*") and weight > 0:
            if any(key != "version" for key in others):
                unusual = True
            else:
                usable = True
    if usable:
        return "valid", ""
    if unusual:
        return "ambiguous", f"Accept {value!r} names JSON:API with unusual parameters"
    return "invalid", f"Accept {value!r} does not allow {JSONAPI}"


def _content_type_state(value: str | None) -> tuple[str, str]:
    if value is None:
        return "invalid", "no Content-Type"
    media, *params = (p.strip() for p in value.split(";"))
    if media.lower() != JSONAPI:
        return "invalid", f"Content-Type {value!r} is not {JSONAPI}"
    keys = [p.partition("=")[0].strip().lower() for p in params if p]
    if any(key != "version" for key in keys):
        return "ambiguous", f"Content-Type {value!r} carries parameters JSON:API may refuse"
    return "valid", ""


ANONYMOUS_HEADER = "x-anonymous-customer-unique-id"


def _glue_auth(verdict: _Verdict, op: Operation, request: Request) -> None:
    value = request.header("Authorization")
    valid = "Bearer {{glue.token}}"
    if not op.secured:
        if value is not None and value != valid:
            verdict.mark("header Authorization", "ambiguous")
            verdict.may_fail(
                {(401, "001")}, "public operation: an invalid token may be ignored or refused"
            )
        return
    if value is None:
        verdict.mark("header Authorization", "invalid")
        verdict.fail({(403, "002")}, "no Authorization on a protected operation → 403/002")
    elif value == valid:
        verdict.mark("header Authorization", "valid")
    elif value.lower() == valid.lower():
        verdict.mark("header Authorization", "ambiguous")
        verdict.may_fail({(401, "001")}, "auth scheme in another case (RFC 7235: case-insensitive)")
    elif re.match(r"Bearer [^ ]", value):
        verdict.mark("header Authorization", "invalid")
        verdict.fail({(401, "001")}, "invalid bearer token → 401/001")
    else:
        verdict.mark("header Authorization", "invalid")
        verdict.fail(
            {(401, "001"), (403, "002")},
            "no usable bearer token (other scheme or empty) → 401/001, or 403/002 as missing",
        )


def _body_schema(op: Operation) -> dict[str, Any] | None:
    content = (op.definition.get("requestBody") or {}).get("content") or {}
    media = content.get(JSONAPI) or next(iter(content.values()), None)
    return None if media is None else media.get("schema")


_ENVELOPE = {(400, None)}
_ENVELOPE_OR_901 = {(400, None), (422, "901")}
_INVALID_901 = {(422, "901")}


def _glue_body(verdict: _Verdict, op: Operation, request: Request) -> Any:
    """Check the body; returns the parsed JSON when it is schema-valid, else ``None``."""
    schema = _body_schema(op)
    if schema is None:
        return None
    if request.body is None:
        verdict.mark("body", "invalid")
        verdict.fail(_ENVELOPE, "no body → 400 (Post data is invalid.)")
        return None
    kind, value = request.body
    if kind == "text":
        try:
            value = json.loads(value)
        except ValueError:
            verdict.mark("body", "invalid")
            verdict.fail(_ENVELOPE, "the body is not JSON → 400 (Post data is invalid.)")
            return None
    if not isinstance(value, dict):
        verdict.mark("body", "invalid")
        verdict.fail(_ENVELOPE, "the body is not a JSON object → 400 (Post data is invalid.)")
        return None
    verdict.mark("body", "valid")
    if isinstance(value.get("data"), dict) and "id" in value["data"]:
        verdict.may_fail({(403, None)}, "JSON:API allows 403 for a client-generated id")
    if _depth(value) > DEEP_JSON:
        verdict.may_fail(
            {(400, None)}, f"JSON nested over {DEEP_JSON} levels may hit a parser limit"
        )
    for pointer in _present_pointers(value, schema):
        verdict.mark(f"body {pointer}", "valid")
    errors = list(Draft202012Validator(schema).iter_errors(value))
    for error in errors:
        path = [str(p) for p in error.absolute_path]
        missing = []
        if error.validator == "required":
            missing = [p for p in error.validator_value if p not in (error.instance or {})]
        pointers = ["/" + "/".join([*path, m]) for m in missing] or ["/" + "/".join(path)]
        for pointer in pointers:
            verdict.mark(f"body {_generic(pointer)}", "invalid")
        where = ", ".join(pointers)
        if path == [] or (path == ["data"] and (error.validator == "type" or "type" in missing)):
            verdict.fail(_ENVELOPE, f"{where}: {error.message[:80]} → 400 (Post data is invalid.)")
        elif path == ["data", "type"]:
            verdict.fail(_ENVELOPE, f"{where}: wrong resource type → 400 (Invalid type.)")
        elif path in (["data"], ["data", "attributes"]) and (
            error.validator == "type" or "attributes" in missing
        ):
            verdict.fail(_ENVELOPE_OR_901, f"{where}: {error.message[:80]} → 400 or 422/901")
        else:
            verdict.fail(_INVALID_901, f"{where}: {error.message[:80]} → 422/901")
    return None if errors else value


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _generic(pointer: str) -> str:
    """``/data/attributes/returnItems/0/reason`` → ``/data/attributes/returnItems/*/reason``."""
    return re.sub(r"/[0-9]+(?=/|$)", "/*", pointer)


def _present_pointers(value: Any, schema: dict[str, Any], prefix: str = "") -> list[str]:
    """Pointers of the schema's properties that ``value`` contains."""
    found = []
    if isinstance(value, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                pointer = f"{prefix}/{name}"
                found.append(pointer)
                found += _present_pointers(value[name], sub, pointer)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value[:1]:
            found += _present_pointers(item, schema["items"], f"{prefix}/*")
    return found


def _blank(value: Any) -> str:
    """``"empty"``, ``"whitespace"`` or ``""`` for a string value."""
    if value == "":
        return "empty"
    if isinstance(value, str) and not value.strip():
        return "whitespace"
    return ""


def _glue_business(op: Operation, request: Request, body: Any) -> tuple[set[Outcome], str]:
    operation = op.operation_id
    if operation == "createAccessToken":
        attributes = body["data"]["attributes"]
        username, password = attributes["username"], attributes["password"]
        if is_placeholder(username, "glue.username") and is_placeholder(password, "glue.password"):
            return {(201, None)}, "the customer's credentials → 201 with a token"
        blanks = {_blank(username), _blank(password)} - {""}
        if "empty" in blanks:
            return {(422, "901")}, "an empty username or password → 422/901 (should not be blank)"
        if blanks:
            return {(401, "003"), (422, "901")}, "a whitespace-only credential → 401/003 or 422/901"
        return {(401, "003")}, "credentials of no customer → 401/003"
    if operation == "refreshAccessToken":
        token = body["data"]["attributes"]["refreshToken"]
        if is_placeholder(token, "glue.refreshToken"):
            return {(201, None)}, "a fresh refresh token → 201 with new tokens"
        if _blank(token):
            return {(401, "004"), (422, "901")}, "a blank refresh token → 401/004 or 422/901"
        return {(401, "004")}, "an unknown refresh token → 401/004"
    if operation == "revokeRefreshToken":
        return {(204, None)}, "revoking (also an unknown or foreign token) → 204"
    if operation == "getOrder":
        if is_placeholder(request.path_params.get("orderReference"), "glue.orderReference"):
            return {(200, None)}, "the customer's order → 200"
        return {(404, "801")}, "no order of the customer has this reference → 404/801"
    if operation == "getReturn":
        if is_placeholder(request.path_params.get("returnReference"), "glue.returnReference"):
            return {(200, None)}, "the customer's return → 200"
        return {(404, "3602")}, "no return of the customer has this reference → 404/3602"
    if operation == "createReturn":
        attributes = body["data"]["attributes"]
        store = attributes["store"]
        uuids = [item["salesOrderItemUuid"] for item in attributes["returnItems"]]
        real_store = is_placeholder(store, "glue.store")
        if real_store and uuids == ["{{glue.returnableItemUuid}}"]:
            return {(201, None)}, "a returnable item of the customer → 201"
        if real_store and sorted(uuids) == [
            "{{glue.otherMerchantItemUuid}}",
            "{{glue.returnableItemUuid}}",
        ]:
            return {(422, "3603")}, "returnable items of two merchants → 422/3603"
        if _blank(store) or any(_blank(u) for u in uuids):
            return {(422, "3601"), (422, "901")}, "a blank store or item uuid → 422/3601 or 901"
        if not real_store:
            return {(422, "3601")}, f"store {store!r} is not the customer's store → 422/3601"
        return {
            (422, "3601")
        }, "items that are unknown, not returnable or not the customer's → 422/3601"
    return {(200, None)}, "a valid request → 200"


def glue(contract: Contract, op: Operation, request: Request) -> Analysis:
    """The expected answer of a correct Glue implementation to ``request`` (sent to ``op``)."""
    method = _method(contract, op, request)
    if method is not None:
        return method
    verdict = _Verdict()
    _limits(verdict, request)
    state, reason = _accept_state(request.header("Accept"))
    verdict.mark("header Accept", state)
    if state == "invalid":
        verdict.fail({(406, None)}, f"{reason} → 406")
    elif state == "ambiguous":
        verdict.may_fail({(406, None)}, reason)
    if _body_schema(op) is not None:
        state, reason = _content_type_state(request.header("Content-Type"))
        verdict.mark("header Content-Type", state)
        if state == "invalid" and request.body is None:
            verdict.fail({(415, None), (400, None)}, f"{reason} and no body → 415 or 400")
        elif state == "invalid":
            verdict.fail({(415, None)}, f"{reason} → 415")
        elif state == "ambiguous":
            verdict.may_fail({(415, None)}, reason)
    else:
        _bodiless_content_type(verdict, request)
    _glue_auth(verdict, op, request)
    _glue_anonymous(verdict, op, request)
    if request.header("Accept-Language") is not None:
        verdict.mark("header Accept-Language", "valid")
    for parameter in op.parameters("path"):
        name = parameter["name"]
        placeholder = PATH_PLACEHOLDERS.get((op.operation_id, name))
        known = is_placeholder(request.path_params.get(name), placeholder or "")
        verdict.mark(f"path {name}", "valid" if known else "ambiguous")
    _query(verdict, op, request, {(400, None)})
    has_body = _body_schema(op) is not None
    body = _glue_body(verdict, op, request) if has_body else None
    if verdict.definite or (has_body and body is None):
        return verdict.finish(None)
    return verdict.finish(_glue_business(op, request, body))


def _glue_anonymous(verdict: _Verdict, op: Operation, request: Request) -> None:
    """``X-Anonymous-Customer-Unique-Id`` with a token → 400/005 (declared or not)."""
    declared = any(p["name"].lower() == ANONYMOUS_HEADER for p in op.parameters("header"))
    value = request.header(ANONYMOUS_HEADER)
    if value is None:
        if declared:
            verdict.mark("header X-Anonymous-Customer-Unique-Id", "absent")
        return
    if declared:
        verdict.mark("header X-Anonymous-Customer-Unique-Id", "valid")
    # PHP truthiness, as Spryker tests both headers: "" and "0" count as not sent.
    token = request.header("Authorization")
    if value not in ("", "0") and token not in (None, "", "0"):
        verdict.fail({(400, "005")}, "X-Anonymous-Customer-Unique-Id with a token → 400/005")


PATH_PLACEHOLDERS = {
    ("getOrder", "orderReference"): "glue.orderReference",
    ("getReturn", "returnReference"): "glue.returnReference",
    ("revokeRefreshToken", "refreshToken"): "glue.refreshToken",
    ("sc-public-v2-scp-get-return_by_id", "id"): "sendcloud.returnId",
}


# --------------------------------------------------------------------------- Sendcloud

_BASE64ISH = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def _sendcloud_auth(verdict: _Verdict, request: Request) -> None:
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


def _sendcloud_accept(verdict: _Verdict, request: Request) -> None:
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


def _sendcloud_id(verdict: _Verdict, request: Request) -> tuple[set[Outcome], str]:
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
    number = _number(value)
    if len(value) > 1 and value.startswith("0"):
        return {(200, None), (404, None)}, "an id with leading zeros may be read as a number"
    if number == 0 or number > MAX_INT64:
        return {(404, None)}, f"no return has id {value[:40]} → 404"
    return {(200, None), (404, None)}, "an arbitrary id: 200 if such a return exists, else 404"


def _sendcloud_cursor(verdict: _Verdict, request: Request) -> tuple[set[Outcome], str]:
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
    method = _method(contract, op, request)
    if method is not None:
        return method
    verdict = _Verdict()
    _limits(verdict, request)
    _sendcloud_accept(verdict, request)
    _bodiless_content_type(verdict, request)
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


def analyse(contract: Contract, op: Operation, request: Request) -> Analysis:
    """The expected outcome of ``request`` for ``op`` of ``contract``."""
    if contract.api == "glue":
        return glue(contract, op, request)
    return sendcloud(contract, op, request)
