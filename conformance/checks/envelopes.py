"""Envelope rules written once: JSON:API documents (any JSON:API API, Glue among them).

Each function returns a list of problems (empty = fine), so callers decide how to report them.
"""

from __future__ import annotations

from typing import Any

JSONAPI_MEDIA_TYPE = "application/vnd.api+json"
JSONAPI_TOP_LEVEL = frozenset({"data", "errors", "meta", "links", "included", "jsonapi"})
JSON_MEDIA_TYPE = "application/json"


def is_json_media_type(media_type: str | None) -> bool:
    """``application/json`` or any ``+json`` structured syntax suffix."""
    if not media_type:
        return False
    return media_type == JSON_MEDIA_TYPE or media_type.endswith("+json")


def _extension_member(name: str) -> bool:
    # JSON:API 1.1: extension members are namespaced ("ext:member"), @-members are ignored.
    return ":" in name or name.startswith("@")


def resource_problems(resource: Any, where: str, *, identifier_only: bool = False) -> list[str]:
    """Problems of one resource object (or resource identifier) at ``where``."""
    if not isinstance(resource, dict):
        return [f"{where} is not an object"]
    problems = []
    if not isinstance(resource.get("type"), str) or not resource.get("type"):
        problems.append(f"{where}.type is missing or not a non-empty string")
    if "id" not in resource and identifier_only:
        problems.append(f"{where}.id is missing")
    # Spryker sends "id": null for access-tokens and return-reasons (contract glue-C12).
    if "id" in resource and resource["id"] is not None and not isinstance(resource["id"], str):
        problems.append(f"{where}.id must be a string (got {type(resource['id']).__name__})")
    if identifier_only:
        return problems
    for member in ("attributes", "relationships", "links", "meta"):
        if member in resource and not isinstance(resource[member], dict):
            problems.append(f"{where}.{member} is not an object")
    for name, relationship in (resource.get("relationships") or {}).items():
        if not isinstance(relationship, dict):
            problems.append(f"{where}.relationships.{name} is not an object")
            continue
        linkage = relationship.get("data")
        items = linkage if isinstance(linkage, list) else [] if linkage is None else [linkage]
        for index, item in enumerate(items):
            problems += resource_problems(
                item, f"{where}.relationships.{name}.data[{index}]", identifier_only=True
            )
    return problems


def jsonapi_document_problems(document: Any, status: int) -> list[str]:
    """Problems of a JSON:API top-level document answered with HTTP ``status``."""
    if not isinstance(document, dict):
        return ["the body is not a JSON object"]
    problems = []
    unknown = sorted(k for k in document if k not in JSONAPI_TOP_LEVEL and not _extension_member(k))
    if unknown:
        problems.append(f"top-level members not allowed by JSON:API: {', '.join(unknown)}")
    if "data" in document and "errors" in document:
        problems.append("`data` and `errors` must not coexist")
    if status >= 400:
        errors = document.get("errors")
        if not isinstance(errors, list) or not errors:
            problems.append(f"an error response ({status}) needs a non-empty `errors` array")
        else:
            for index, error in enumerate(errors):
                if not isinstance(error, dict):
                    problems.append(f"errors[{index}] is not an object")
                    continue
                if "status" not in error:
                    problems.append(f"errors[{index}].status is missing")
                if "detail" in error and not isinstance(error["detail"], str):
                    problems.append(f"errors[{index}].detail is not a string")
                if "code" in error and not isinstance(error["code"], str):
                    problems.append(f"errors[{index}].code is not a string")
    elif 200 <= status < 300:
        if "data" not in document:
            problems.append(f"a success response ({status}) needs a top-level `data` member")
        data = document.get("data")
        resources = data if isinstance(data, list) else [] if data is None else [data]
        label = "data[{}]" if isinstance(data, list) else "data"
        for index, resource in enumerate(resources):
            problems += resource_problems(resource, label.format(index))
        if "included" in document:
            if "data" not in document:
                problems.append("`included` without `data`")
            included = document["included"]
            if not isinstance(included, list):
                problems.append("`included` is not an array")
            else:
                for index, resource in enumerate(included):
                    problems += resource_problems(resource, f"included[{index}]")
    if "links" in document and not isinstance(document["links"], dict):
        problems.append("top-level `links` is not an object")
    return problems


def jsonapi_errors(document: Any) -> list[dict[str, Any]]:
    """The error objects of a JSON:API error document (empty if there are none)."""
    if not isinstance(document, dict) or not isinstance(document.get("errors"), list):
        return []
    return [error for error in document["errors"] if isinstance(error, dict)]


def error_status_matches(value: Any, status: int) -> bool:
    """JSON:API writes ``status`` as a string, Spryker as an integer: accept both spellings."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == status
    return isinstance(value, str) and value.strip() == str(status)


def jsonapi_error_codes(document: Any) -> list[str | None]:
    """``errors[].code`` values (``None`` where an error has no code)."""
    return [error.get("code") for error in jsonapi_errors(document)]
