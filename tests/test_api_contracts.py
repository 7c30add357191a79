"""The one contract module: parsing, reading, pointers and ``$ref`` resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.contracts import SPECS

from api_contracts import (
    Contract,
    ContractError,
    load_document,
    parse_document,
    read_document,
    resolve_pointer,
    resolve_refs,
    spec_path,
)


def test_parsing_is_json_compatible() -> None:
    document = parse_document("when: 2025-11-22T10:00:00Z\nday: 2025-11-22\ncodes: {200: ok}\n")
    assert document == {"when": "2025-11-22T10:00:00Z", "day": "2025-11-22", "codes": {"200": "ok"}}


@pytest.mark.parametrize(
    ("text", "is_json", "reason"),
    [
        ("a: [1, 2\nb: 3\n", False, "invalid YAML at line 2, column 2"),
        ('{"a": }', True, "invalid JSON at line 1, column 7"),
        ("- a\n- b\n", False, "not an OpenAPI document (top level is not a mapping)"),
        ("a: !!binary aGVsbG8=\n", False, "YAML is not JSON-compatible"),
        ("a: !!python/object:os.system {}\n", False, "invalid YAML at line 1"),
    ],
)
def test_unparseable_text_is_a_one_line_reason(text: str, is_json: bool, reason: str) -> None:
    with pytest.raises(ContractError) as raised:
        parse_document(text, is_json=is_json)
    assert str(raised.value).startswith(reason)
    assert "\n" not in str(raised.value)


def test_reading_reports_why_without_the_path(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"^No such file or directory$"):
        read_document(tmp_path / "missing.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(ContractError, match=r"^not UTF-8 text$"):
        read_document(latin1)
    as_json = tmp_path / "doc.json"
    as_json.write_text("{'single': 'quotes'}")  # YAML would accept it; .json is strict
    with pytest.raises(ContractError, match=r"^invalid JSON"):
        read_document(as_json)


def test_loading_requires_an_openapi_3_document(tmp_path: Path) -> None:
    not_openapi = tmp_path / "x.yaml"
    not_openapi.write_text("title: nope\n")
    with pytest.raises(ContractError, match="is not an OpenAPI document"):
        load_document(not_openapi)
    swagger = tmp_path / "y.yaml"
    swagger.write_text("swagger: '2.0'\npaths: {}\n")
    with pytest.raises(ContractError, match=r"is not OpenAPI 3\.x"):
        load_document(swagger)
    with pytest.raises(ContractError, match=r"^cannot read the contract .*missing\.yaml: No such"):
        load_document(tmp_path / "missing.yaml")


def test_pointers_follow_rfc_6901() -> None:
    document = {"paths": {"/a/{b}": {"get": [10, 20]}}, "x~y": 1}
    assert resolve_pointer(document, "#/paths/~1a~1{b}/get/1") == 20
    assert resolve_pointer(document, "/x~0y") == 1
    assert resolve_pointer(document, "#") is document
    for missing in ("#/paths/nope", "#/paths/~1a~1{b}/get/2", "#/x~0y/deeper"):
        with pytest.raises(KeyError, match="unresolvable reference"):
            resolve_pointer(document, missing)


def test_refs_resolve_with_siblings_and_recursion_stays_a_ref() -> None:
    document = {
        "components": {
            "schemas": {
                "Leaf": {"type": "string"},
                "Tree": {
                    "type": "object",
                    "properties": {"child": {"$ref": "#/components/schemas/Tree"}},
                },
            }
        },
        "use": {"$ref": "#/components/schemas/Leaf", "description": "kept"},
        "tree": {"$ref": "#/components/schemas/Tree"},
    }
    resolved = resolve_refs(document)
    assert resolved["use"] == {"type": "string", "description": "kept"}
    assert resolved["tree"]["properties"]["child"] == {"$ref": "#/components/schemas/Tree"}
    assert document["use"] == {"$ref": "#/components/schemas/Leaf", "description": "kept"}


@pytest.mark.parametrize("api", sorted(SPECS))
def test_every_bundled_contract_loads_from_the_package(api: str) -> None:
    path = SPECS[api]
    assert path == spec_path(path.name) and path.is_file()
    contract = Contract.load(path, api)
    assert contract.operations and contract.name == api
    assert all(op.responses for op in contract.operations)
