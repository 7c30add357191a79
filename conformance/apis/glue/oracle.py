"""The oracle's expectations for the Spryker Glue Return Management API."""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema import Draft202012Validator

from api_contracts import Contract, Operation

from ...corpus.model import Request
from ...corpus.oracle import (
    DEEP_JSON,
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
from .media import JSONAPI
from .pagination import lone_page_parameter
from .profile import GlueProfile


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


def _glue_auth(verdict: Verdict, op: Operation, request: Request) -> None:
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


_ENVELOPE: set[Outcome] = {(400, None)}
_ENVELOPE_OR_901: set[Outcome] = {(400, None), (422, "901")}
_INVALID_901: set[Outcome] = {(422, "901")}


ANONYMOUS_HEADER = "x-anonymous-customer-unique-id"


def _glue_anonymous(verdict: Verdict, op: Operation, request: Request) -> None:
    """``X-Anonymous-Customer-Unique-Id`` with a token → 400/005 (declared or not; Spryker's
    SimultaneousAuthenticationRestRequestValidator)."""
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


def _glue_body(verdict: Verdict, op: Operation, request: Request) -> Any:
    """Check the body; returns the parsed JSON when it is schema-valid, else ``None``."""
    schema = body_schema(op, JSONAPI)
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
    method = undocumented_method(contract, op, request)
    if method is not None:
        return method
    verdict = Verdict()
    size_limits(verdict, request)
    state, reason = _accept_state(request.header("Accept"))
    verdict.mark("header Accept", state)
    if state == "invalid":
        verdict.fail({(406, None)}, f"{reason} → 406")
    elif state == "ambiguous":
        verdict.may_fail({(406, None)}, reason)
    if body_schema(op, JSONAPI) is not None:
        state, reason = _content_type_state(request.header("Content-Type"))
        verdict.mark("header Content-Type", state)
        if state == "invalid" and request.body is None:
            verdict.fail({(415, None), (400, None)}, f"{reason} and no body → 415 or 400")
        elif state == "invalid":
            verdict.fail({(415, None)}, f"{reason} → 415")
        elif state == "ambiguous":
            verdict.may_fail({(415, None)}, reason)
    else:
        bodiless_content_type(verdict, request)
    _glue_auth(verdict, op, request)
    _glue_anonymous(verdict, op, request)
    if request.header("Accept-Language") is not None:
        verdict.mark("header Accept-Language", "valid")
    for parameter in op.parameters("path"):
        name = parameter["name"]
        placeholder = GlueProfile.path_placeholders.get((op.operation_id, name))
        known = is_placeholder(request.path_params.get(name), placeholder or "")
        verdict.mark(f"path {name}", "valid" if known else "ambiguous")
    query_parameters(verdict, op, request, {(400, None)})
    lone = lone_page_parameter(name for name, _ in request.query)
    if lone is not None and op.has_query_parameters("page[offset]", "page[limit]"):
        verdict.may_fail(
            {(400, None)},
            f"a lone {lone} is ignored by one Spryker version and refused with 400 "
            '"Pagination parameters are invalid." by another: both are correct',
        )
    has_body = body_schema(op, JSONAPI) is not None
    body = _glue_body(verdict, op, request) if has_body else None
    if verdict.definite or (has_body and body is None):
        return verdict.finish(None)
    return verdict.finish(_glue_business(op, request, body))
