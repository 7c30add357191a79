"""``mock_server.lint``: structure, examples against schemas, 3.1 hygiene, CLI contract."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, TEST_DATA

from mock_server import lint

GOOD = TEST_DATA / "lint-good.yaml"
BAD_EXAMPLE = TEST_DATA / "lint-bad-example.yaml"
NULLABLE = TEST_DATA / "lint-nullable.yaml"
INVALID = TEST_DATA / "lint-invalid.yaml"
UNPARSEABLE = TEST_DATA / "lint-unparseable.yaml"
CREATED = "/paths/~1returns/post/responses/201/content/application~1vnd.api+json/examples/created"


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m mock_server.lint ARGS`` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "mock_server.lint", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def good_document() -> dict[str, Any]:
    return copy.deepcopy(lint.load_document(GOOD))


def reasons(problems: list[lint.Problem]) -> list[str]:
    return [f"{p.pointer}: {p.reason}" for p in problems]


# ----------------------------------------------------------------------------- library


def test_good_spec_has_no_problems() -> None:
    assert lint.lint_file(GOOD) == []


def test_problem_str() -> None:
    assert str(lint.Problem("a.yaml", "/x/y", "why")) == "a.yaml:/x/y: why"


def test_bad_example_is_reported_with_file_pointer_and_reason() -> None:
    problems = lint.lint_file(BAD_EXAMPLE)
    assert problems == [
        lint.Problem(
            str(BAD_EXAMPLE),
            CREATED + "/value",
            "example does not match schema at /data/attributes/store: 1 is not of type 'string'",
        )
    ]


def test_nullable_in_31_spec_is_reported() -> None:
    (problem,) = lint.lint_file(NULLABLE)
    assert problem.pointer == (
        "/components/schemas/Rule/properties/modifications/items/properties/item_id/nullable"
    )
    assert "'nullable' has no meaning in OpenAPI 3.1" in problem.reason


def test_nullable_in_30_spec_is_fine() -> None:
    doc = lint.load_document(NULLABLE)
    doc["openapi"] = "3.0.3"
    assert lint.lint_document(doc, "x.yaml") == []


def test_structurally_invalid_spec_is_reported() -> None:
    found = reasons(lint.lint_file(INVALID))
    assert '/info: "version" is a required property' in found
    assert any("/responses/200" in r and '"description"' in r for r in found)
    assert any("Path parameter 'returnReference'" in r for r in found)


def test_missing_openapi_version_is_reported() -> None:
    doc = good_document()
    del doc["openapi"]
    assert [p.pointer for p in lint.lint_document(doc, "x.yaml")] == ["/openapi"]


@pytest.mark.parametrize(
    ("pointer", "value", "where", "message"),
    [
        # parameter example
        ("/paths/~1returns/post/parameters/0/example", 0, "/", "less than the minimum of 1"),
        # parameter examples map, in components
        ("/components/parameters/AcceptLanguage/examples/german/value", 7, "/", "not of type"),
        # response header example, with format checking
        ("/paths/~1returns/post/responses/201/headers/Location/example", "no uri", "/", "uri"),
        # media-type example, date-time format
        (
            "/paths/~1returns/post/requestBody/content/application~1vnd.api+json/example"
            "/data/attributes/createdAt",
            "yesterday",
            "/data/attributes/createdAt",
            "'date-time'",
        ),
        # schema-level example deep inside a schema
        ("/components/schemas/ReturnAttributes/properties/note/example", 5, "/", "not of type"),
        # schema-level examples (3.1 array)
        ("/components/schemas/ReturnAttributes/properties/store/examples/1", 1, "/", "not of"),
    ],
)
def test_every_kind_of_example_is_checked(
    pointer: str, value: Any, where: str, message: str
) -> None:
    doc = good_document()
    parent_ptr, key = pointer.rsplit("/", 1)
    parent = lint.resolve_pointer(doc, parent_ptr)
    parent[int(key) if isinstance(parent, list) else key] = value
    (problem,) = lint.lint_document(doc, "x.yaml")
    example_ptr = pointer.removesuffix("/data/attributes/createdAt")
    assert problem.pointer == example_ptr
    assert problem.reason.startswith(f"example does not match schema at {where}: ")
    assert message in problem.reason


def test_ref_example_is_checked_where_it_is_used() -> None:
    doc = good_document()
    doc["components"]["examples"]["Created"]["value"]["data"]["type"] = "orders"
    (problem,) = lint.lint_document(doc, "x.yaml")
    assert problem.pointer == CREATED.replace("/created", "/shared")
    assert "at /data/type: 'returns' was expected" in problem.reason
    assert "#/components/examples/Created" in problem.reason


def test_unresolvable_refs_are_problems_not_crashes() -> None:
    doc = good_document()
    data = lint.resolve_pointer(doc, "/components/schemas/ReturnDocument/properties/data")
    data["properties"]["attributes"] = {"$ref": "#/components/schemas/Nope"}
    examples = lint.resolve_pointer(doc, CREATED.removesuffix("/created"))
    examples["missing"] = {"$ref": "#/components/examples/Nope"}
    found = reasons(lint.lint_document(doc, "x.yaml"))
    assert any("cannot validate example" in r for r in found)
    assert any("unresolvable example reference" in r for r in found)


def test_schema_validator_resolves_refs_against_the_document() -> None:
    doc = good_document()
    validator = lint.schema_validator(doc, {"$ref": "#/components/schemas/ReturnDocument"})
    assert validator.is_valid({"data": {"type": "returns", "attributes": {"store": "DE"}}})
    assert not validator.is_valid({"data": {"type": "returns", "attributes": {}}})


def test_yaml_dates_stay_strings() -> None:
    doc = lint.parse_document("openapi: 3.1.0\nx-date: 2023-08-24\n200: ok\n")
    assert doc == {"openapi": "3.1.0", "x-date": "2023-08-24", "200": "ok"}


def test_json_documents_are_accepted(tmp_path: Path) -> None:
    import json

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(lint.load_document(GOOD)), encoding="utf-8")
    assert lint.lint_file(path) == []


# ----------------------------------------------------------------------------- CLI


def test_main_exit_0_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint.main([str(GOOD)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == "ok: 1 file(s), 0 problems"


def test_main_exit_1_lists_problems(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint.main([str(GOOD), str(BAD_EXAMPLE), str(NULLABLE)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{BAD_EXAMPLE}:{CREATED}/value: example does not match")
    assert lines[1].startswith(f"{NULLABLE}:/components/schemas/Rule/")
    assert err.strip() == "2 problem(s) in 2 file(s)"


@pytest.mark.parametrize("argv", [[], ["--bogus", str(GOOD)]])
def test_main_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert lint.main(argv) == 2
    assert "usage: lint SPEC [SPEC ...]" in capsys.readouterr().err


def test_cli_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = run_cli(missing)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"lint: error: {missing}: No such file or directory\n"


def test_cli_unparseable_yaml() -> None:
    result = run_cli(UNPARSEABLE)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"lint: error: {UNPARSEABLE}: invalid YAML at line 5")
