"""The two contracts: valid, lint-clean, complete against their seeds, faithful error codes."""

from __future__ import annotations

import re
from typing import Any

import openapi_spec_validator
import pytest
from support import SOURCES
from support.contracts import (
    SPECS,
    branches,
    find_response,
    has_property_path,
    load_spec,
    media_examples,
    only_media_type,
    operation_ids,
)

from mock_server import lint

SEED_GLUE = SOURCES / "001_3a8b3e38a21a9f75.txt"
SEED_SENDCLOUD = SOURCES / "004_2bff2c6e7679f4c5.txt"
GLUE_MEDIA = "application/vnd.api+json"

# ----------------------------------------------------------------------------- (a) validity


@pytest.mark.parametrize("api", sorted(SPECS))
def test_spec_passes_openapi_spec_validator(api: str) -> None:
    openapi_spec_validator.validate(load_spec(api))


@pytest.mark.parametrize("api", sorted(SPECS))
def test_spec_is_lint_clean(api: str) -> None:
    problems = lint.lint_file(SPECS[api])
    assert not problems, "\n".join(map(str, problems))


# ----------------------------------------------------------------------------- (b) coverage


def seed_attribute_names(text: str) -> set[str]:
    """First-column names of every ``| ATTRIBUTE | TYPE |...`` table of a markdown text."""
    names: set[str] = set()
    in_table = False
    for line in text.splitlines():
        if line.startswith("| ATTRIBUTE"):
            in_table = True
        elif in_table and line.startswith("|"):
            cell = line.strip("|").split("|")[0].strip()
            if cell and not set(cell) <= {"-", ":"}:
                names.add(cell)
        else:
            in_table = False
    return names


def spec_property_names(spec: dict[str, Any]) -> set[str]:
    """Every property name declared by any schema of a spec."""
    return {
        name
        for _, schema in lint.iter_schemas(spec)
        if isinstance(schema, dict) and isinstance(schema.get("properties"), dict)
        for name in schema["properties"]
    }


def seed_yaml_document(text: str) -> dict[str, Any]:
    """The OpenAPI document in the ```` ```yaml ```` block of a seed."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"^`{3,}yaml\b", line))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    return lint.parse_document("\n".join(lines[start + 1 : end]))


def property_paths(schema: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Property paths of a schema (``[]`` = array items), through properties/items/allOf.

    ``$ref``s are not followed: the referenced component is checked under its own name.
    """
    if not isinstance(schema, dict) or "$ref" in schema:
        return []
    paths: list[tuple[str, ...]] = []
    for sub in schema.get("allOf", []):
        paths += property_paths(sub, prefix)
    if isinstance(schema.get("items"), dict):
        paths += property_paths(schema["items"], (*prefix, "[]"))
    for name, sub in schema.get("properties", {}).items():
        paths.append((*prefix, name))
        paths += property_paths(sub, (*prefix, name))
    return paths


def test_seed_attribute_tables_are_parsed() -> None:
    names = seed_attribute_names(SEED_GLUE.read_text(encoding="utf-8"))
    assert {"store", "returnItems", "salesOrderItemUuid", "orderItem", "isReturnable"} <= names
    assert not names & {"ATTRIBUTE", "---", "HEADER KEY"}


def test_glue_spec_covers_every_documented_attribute() -> None:
    names = seed_attribute_names(SEED_GLUE.read_text(encoding="utf-8"))
    missing = sorted(names - spec_property_names(load_spec("glue")))
    assert not missing, f"attributes of seed 001 not declared in the Glue spec: {missing}"


def test_sendcloud_spec_covers_every_seed_schema_property() -> None:
    seed = seed_yaml_document(SEED_SENDCLOUD.read_text(encoding="utf-8"))
    spec = load_spec("sendcloud")
    ours = spec["components"]["schemas"]
    expected = [
        (name, path)
        for name, schema in seed["components"]["schemas"].items()
        for path in property_paths(schema)
    ]
    # the walk really went deep, and the lookup really can fail
    assert ("Return", ("rule_modifications", "[]", "item_id")) in expected
    assert ("ReturnParcel", ("rules", "[]", "modifications", "[]", "value")) in expected
    assert ("Return", ("incoming_parcel_data", "customs_information")) in expected
    assert not has_property_path(spec, ours["Return"], ("refund", "no_such_property"))
    missing = [
        f"{name}: {'.'.join(path)}"
        for name, path in expected
        if name not in ours or not has_property_path(spec, ours[name], path)
    ]
    assert not missing, f"seed 004 properties missing from the Sendcloud spec: {missing}"


# ----------------------------------------------------------------------------- (c) error codes

PROTECTED = ("createReturn", "listReturns", "getReturn", "listOrders", "getOrder")
GLUE_OPERATIONS = (
    "createAccessToken",
    "refreshAccessToken",
    "listReturnReasons",
    "listOrders",
    "getOrder",
    "createReturn",
    "listReturns",
    "getReturn",
)
CODED: list[tuple[str, int, str]] = [
    *((op, 401, "001") for op in PROTECTED),
    *((op, 403, "002") for op in PROTECTED),
    ("createAccessToken", 401, "003"),
    ("createAccessToken", 422, "901"),
    ("createReturn", 422, "901"),
    ("createReturn", 422, "3601"),
    ("createReturn", 422, "3603"),
    ("getReturn", 404, "3602"),
    ("getOrder", 404, "801"),
]
UNCODED: list[tuple[str, int]] = [
    ("listReturns", 400),
    ("listOrders", 400),
    *((op, 406) for op in GLUE_OPERATIONS),
    *((op, 415) for op in ("createAccessToken", "refreshAccessToken", "createReturn")),
]
SENDCLOUD_ERRORS = [
    (op, status)
    for op in ("sc-public-v2-scp-get-return_by_id", "sc-public-v2-scp-get-all_returns")
    for status in (401, 404)
]


def error_code_enum(spec: dict[str, Any], schema: Any) -> set[str]:
    """Codes allowed for ``errors[].code``: every enum/const found through allOf/$ref."""
    codes: set[str] = set()
    for doc in branches(spec, schema):
        for errors in branches(spec, doc.get("properties", {}).get("errors")):
            for item in branches(spec, errors.get("items")):
                for code in branches(spec, item.get("properties", {}).get("code")):
                    codes.update(code.get("enum", []))
                    if "const" in code:
                        codes.add(code["const"])
    return codes


def test_glue_operation_list_matches_spec() -> None:
    assert set(GLUE_OPERATIONS) <= operation_ids(load_spec("glue"))


@pytest.mark.parametrize(("operation_id", "status", "code"), CODED)
def test_glue_error_code_is_declared(operation_id: str, status: int, code: str) -> None:
    spec = load_spec("glue")
    response = find_response(spec, operation_id, status)
    media_type, media = only_media_type(response)
    assert media_type == GLUE_MEDIA
    assert code in error_code_enum(spec, media["schema"]), "code missing from errors[].code enum"
    examples = media_examples(spec, media)
    matching = [
        value
        for value in examples.values()
        if value["errors"][0].get("code") == code and value["errors"][0]["status"] == status
    ]
    assert matching, f"no example with errors[0] = {{code: {code!r}, status: {status}}}"
    if code == "001":
        headers = {name.lower() for name in response.get("headers", {})}
        assert "www-authenticate" in headers


@pytest.mark.parametrize(("operation_id", "status"), UNCODED)
def test_glue_framework_error_has_no_code(operation_id: str, status: int) -> None:
    spec = load_spec("glue")
    media_type, media = only_media_type(find_response(spec, operation_id, status))
    assert media_type == GLUE_MEDIA
    examples = media_examples(spec, media)
    assert examples, "no examples"
    for name, value in examples.items():
        for error in value["errors"]:
            assert "code" not in error, f"example {name} carries a code"
            assert error["status"] == status, f"example {name} has status {error['status']}"


@pytest.mark.parametrize(("operation_id", "status"), SENDCLOUD_ERRORS)
def test_sendcloud_error_envelope(operation_id: str, status: int) -> None:
    spec = load_spec("sendcloud")
    media_type, media = only_media_type(find_response(spec, operation_id, status))
    assert media_type == "application/json"
    for field in ("code", "request", "message"):
        assert has_property_path(spec, media["schema"], ("error", field))
    examples = media_examples(spec, media)
    assert examples, "no examples"
    for name, value in examples.items():
        assert set(value) == {"error"}, name
        assert {"code", "request", "message"} <= set(value["error"]), name
        assert value["error"]["code"] == status, name


# ----------------------------------------------------------------------------- (d) decisions


@pytest.mark.parametrize(("api", "count"), [("glue", 14), ("sendcloud", 10)])
def test_seed_decisions_cover_every_inconsistency(api: str, count: int) -> None:
    decisions = load_spec(api).get("x-seed-decisions")
    assert isinstance(decisions, list) and decisions
    ids = {d["id"] if isinstance(d, dict) else str(d) for d in decisions}
    expected = {f"{api}-C{i}" for i in range(1, count + 1)}
    assert expected <= ids, f"missing: {sorted(expected - ids)}"
