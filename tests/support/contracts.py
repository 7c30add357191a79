"""The contracts as the tests read them: through :mod:`api_contracts`, never by file name.

Which file holds an API's contract is the per-API package's business
(``mock_server/apis/<api>/``); the tests ask :data:`SPECS` (built from those packages).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry

from api_contracts import HTTP_METHODS, load_document, resolve_pointer
from mock_server import lint
from mock_server.apis import ALL_APIS

SPECS: dict[str, Path] = {api.name: Path(api.spec_file) for api in ALL_APIS}
"""The contract file of every mocked API, by API name."""


@cache
def load_spec(api: str) -> dict[str, Any]:
    """The parsed (unresolved) contract of ``api``; cached, do not mutate."""
    return load_document(SPECS[api])


@cache
def _registry(api: str) -> Registry:
    return lint.build_registry(load_spec(api))


def load_json(path: Path) -> Any:
    """Parse a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def deref(spec: dict[str, Any], node: Any) -> Any:
    """Follow ``$ref`` chains (document-local) until a node without ``$ref``."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        assert ref not in seen, f"$ref cycle at {ref}"
        seen.add(ref)
        node = resolve_pointer(spec, ref)
    return node


def iter_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield ``(path, method, operation)`` for every operation."""
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


def operation_ids(spec: dict[str, Any]) -> set[str]:
    """All operationIds of a spec."""
    return {op["operationId"] for _, _, op in iter_operations(spec) if "operationId" in op}


def find_operation(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    """The operation object with this operationId (``KeyError`` if absent)."""
    for _, _, op in iter_operations(spec):
        if op.get("operationId") == operation_id:
            return op
    raise KeyError(f"no operation {operation_id!r}")


def find_response(spec: dict[str, Any], operation_id: str, status: int | str) -> dict[str, Any]:
    """The (dereferenced) response object of an operation for an HTTP status."""
    responses = find_operation(spec, operation_id).get("responses", {})
    if str(status) not in responses:
        raise KeyError(f"{operation_id} declares no {status} response")
    response: dict[str, Any] = deref(spec, responses[str(status)])
    return response


def only_media_type(holder: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The single ``(media type, media type object)`` of a request body or response."""
    content = holder.get("content", {})
    assert len(content) == 1, f"expected exactly one media type, got {sorted(content)}"
    media_type, media = next(iter(content.items()))
    return media_type, media


def schema_for(spec: dict[str, Any], operation_id: str, kind: str) -> Any:
    """Schema of a fixture kind: ``request`` or ``response-<status>``."""
    if kind == "request":
        body = deref(spec, find_operation(spec, operation_id).get("requestBody"))
        assert isinstance(body, dict), f"{operation_id} has no requestBody"
        return only_media_type(body)[1]["schema"]
    status = kind.removeprefix("response-")
    assert status != kind, f"unknown fixture kind {kind!r}"
    return only_media_type(find_response(spec, operation_id, status))[1]["schema"]


def validator_for(api: str, schema: Any) -> Draft202012Validator:
    """A 2020-12 validator (formats checked, refs resolved in the spec) for a schema of ``api``."""
    return lint.schema_validator(load_spec(api), schema, _registry(api))


def response_validator(api: str, operation_id: str, status: int) -> Draft202012Validator:
    """Validator of an operation's documented response body (its first media type)."""
    spec = load_spec(api)
    response = find_response(spec, operation_id, status)
    return validator_for(api, next(iter(response["content"].values()))["schema"])


def all_errors(validator: Draft202012Validator, instance: Any) -> list[ValidationError]:
    """Every validation error, including those nested in anyOf/oneOf contexts."""
    out: list[ValidationError] = []
    stack = list(validator.iter_errors(instance))
    while stack:
        err = stack.pop()
        out.append(err)
        stack.extend(err.context or [])
    return out


def media_examples(spec: dict[str, Any], media: dict[str, Any]) -> dict[str, Any]:
    """Example values of a media type object by name (``$ref`` examples resolved)."""
    values: dict[str, Any] = {}
    if "example" in media:
        values["example"] = media["example"]
    for name, example in media.get("examples", {}).items():
        resolved = deref(spec, example)
        if "value" in resolved:
            values[name] = resolved["value"]
    return values


def branches(spec: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    """A schema and everything it combines: ``$ref`` followed, allOf/anyOf/oneOf expanded."""
    schema = deref(spec, schema)
    if not isinstance(schema, dict):
        return []
    out = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            out += branches(spec, sub)
    return out


def has_property_path(spec: dict[str, Any], schema: Any, path: tuple[str, ...]) -> bool:
    """Whether ``path`` (property names, ``[]`` for array items) exists in ``schema``."""
    if not path:
        return True
    head, rest = path[0], path[1:]
    for branch in branches(spec, schema):
        child = branch.get("items") if head == "[]" else branch.get("properties", {}).get(head)
        if child is not None and has_property_path(spec, child, rest):
            return True
    return False


def sub_schemas(spec: dict[str, Any], schema: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """All schema branches reached by following ``path`` (as in :func:`has_property_path`)."""
    current = branches(spec, schema)
    for head in path:
        nxt: list[dict[str, Any]] = []
        for branch in current:
            if head == "[]" and "items" in branch:
                nxt += branches(spec, branch["items"])
            elif head in branch.get("properties", {}):
                nxt += branches(spec, branch["properties"][head])
        current = nxt
    return current
