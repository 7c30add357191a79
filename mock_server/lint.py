"""Spec lint: structural validity, examples against their schemas, OpenAPI 3.1 hygiene.

Usage: ``lint SPEC [SPEC ...]`` (wired as ``mock-server lint``; also ``python -m
mock_server.lint``). One line per problem on stdout, a summary on stderr. Exit status:
0 no problems, 1 problems, 2 usage error or unreadable/unparseable file.

Checks per document:

a. ``openapi-spec-validator`` (version auto-detected).
b. Every example against its schema with JSON Schema 2020-12 and format checking:
   media-type, parameter and header ``example``/``examples`` (``$ref`` examples resolved)
   and schema-level ``example``/``examples`` at any depth (against that sub-schema).
c. OpenAPI 3.1+: the 3.0-only ``nullable`` keyword anywhere inside a schema.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from api_contracts import ContractError, read_document, resolve_pointer
from api_contracts import parse_document as _parse_document

# jsonschema and openapi-spec-validator are imported where they are used: importing
# jsonschema with its format checkers costs seconds (rfc3987-syntax builds a grammar at import),
# which `lint` should not pay just to report a missing or unparseable file.
if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

__all__ = [
    "SPEC_URI",
    "LintError",
    "Problem",
    "build_registry",
    "iter_schemas",
    "lint_document",
    "lint_file",
    "load_document",
    "main",
    "parse_document",
    "pointer",
    "resolve_pointer",
    "schema_validator",
]

SPEC_URI = "urn:x-mock-server:spec"
"""Base URI under which a document is registered, so that ``#/...`` refs resolve in it."""

USAGE = "usage: lint SPEC [SPEC ...]"
_MAX_REASON = 300

# Keywords whose value is one sub-schema, a list of sub-schemas, or a name -> sub-schema map.
_SCHEMA_ONE = (
    "additionalProperties",
    "items",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
    "additionalItems",
)
_SCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
# Members of OpenAPI objects that hold example data or link expressions, never schemas.
_NOT_OPENAPI_OBJECTS = ("example", "examples", "links")


@dataclass(frozen=True)
class Problem:
    """One lint finding: the file, a JSON pointer into it, and why it is a problem."""

    file: str
    pointer: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.pointer}: {self.reason}"


class LintError(Exception):
    """A file could not be read or parsed as an OpenAPI document (exit status 2)."""


# --------------------------------------------------------------------------- helpers


def pointer(*parts: object) -> str:
    """Build a JSON pointer (RFC 6901) from path segments."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def load_document(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON document (:func:`api_contracts.read_document`, any content).

    Raises :class:`LintError` with a one-line reason (a syntax error's line and column).
    """
    try:
        return read_document(path)
    except ContractError as exc:
        raise LintError(str(exc)) from None


def parse_document(text: str, *, is_json: bool = False) -> dict[str, Any]:
    """Parse YAML (or strict JSON) text as :func:`api_contracts.parse_document` (``LintError``)."""
    try:
        return _parse_document(text, is_json=is_json)
    except ContractError as exc:
        raise LintError(str(exc)) from None


def _one_line(text: str) -> str:
    """Collapse whitespace and truncate, so every problem fits on one line."""
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def build_registry(spec: dict[str, Any]) -> Registry:
    """A registry holding the whole document at :data:`SPEC_URI`."""
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec))


def _anchor_refs(node: Any) -> Any:
    """Copy of a schema whose document-local ``#...`` refs point into :data:`SPEC_URI`."""
    if isinstance(node, dict):
        return {
            key: SPEC_URI + value
            if key == "$ref" and isinstance(value, str) and value.startswith("#")
            else _anchor_refs(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_anchor_refs(item) for item in node]
    return node


def schema_validator(
    spec: dict[str, Any], schema: Any, registry: Registry | None = None
) -> Draft202012Validator:
    """A 2020-12 validator (with format checking) for ``schema``, a schema inside ``spec``.

    ``$ref``s such as ``#/components/schemas/Return`` resolve against the whole document.
    Pass a prebuilt ``registry`` (see :func:`build_registry`) to reuse it across calls.
    """
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        _anchor_refs(schema),
        registry=registry if registry is not None else build_registry(spec),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


# --------------------------------------------------------------------------- walking


def _iter_subschemas(schema: Any, ptr: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(pointer, schema)`` for a schema and every schema nested in it."""
    yield ptr, schema
    if not isinstance(schema, dict):
        return
    for key in _SCHEMA_ONE:
        if isinstance(schema.get(key), dict | bool):
            yield from _iter_subschemas(schema[key], ptr + pointer(key))
    for key in _SCHEMA_LIST:
        if isinstance(schema.get(key), list):
            for i, sub in enumerate(schema[key]):
                yield from _iter_subschemas(sub, ptr + pointer(key, i))
    for key in _SCHEMA_MAP:
        if isinstance(schema.get(key), dict):
            for name, sub in schema[key].items():
                yield from _iter_subschemas(sub, ptr + pointer(key, name))


def _iter_schema_roots(node: Any, ptr: str = "") -> Iterator[tuple[str, Any]]:
    """Yield the top-level schemas of an OpenAPI document (``schema`` values and components)."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = ptr + pointer(key)
            if key in _NOT_OPENAPI_OBJECTS or str(key).startswith("x-"):
                continue
            if key == "schema" and isinstance(value, dict | bool):
                yield here, value
            elif key == "schemas" and ptr == "/components" and isinstance(value, dict):
                for name, schema in value.items():
                    yield here + pointer(name), schema
            else:
                yield from _iter_schema_roots(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _iter_schema_roots(item, ptr + pointer(i))


def iter_schemas(spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Yield ``(pointer, schema)`` for every schema in the document, at any depth."""
    for ptr, root in _iter_schema_roots(spec):
        yield from _iter_subschemas(root, ptr)


def _iter_example_holders(node: Any, ptr: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield media types, parameters and headers: objects with a ``schema`` and examples."""
    if isinstance(node, dict):
        if "schema" in node and ("example" in node or "examples" in node):
            yield ptr, node
        for key, value in node.items():
            if key == "schema" or key in _NOT_OPENAPI_OBJECTS or str(key).startswith("x-"):
                continue
            if key == "schemas" and ptr == "/components":
                continue
            yield from _iter_example_holders(value, ptr + pointer(key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _iter_example_holders(item, ptr + pointer(i))


# --------------------------------------------------------------------------- checks


def _structure_problems(spec: dict[str, Any], file: str) -> list[Problem]:
    """Problems reported by openapi-spec-validator."""
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import ValidatorDetectError

    try:
        validator = get_validator_cls(spec)(spec)
    except (ValidatorDetectError, TypeError):  # TypeError: a version that is not a string
        return [Problem(file, "/openapi", "cannot detect the OpenAPI version ('openapi' field)")]
    problems: list[Problem] = []
    try:
        # Errors against the OpenAPI meta-schema carry their location in the document ...
        for err in validator.schema_validator.iter_errors(spec):
            problems.append(Problem(file, pointer(*err.absolute_path), _first_line(err.message)))
        # ... the semantic checks (path parameters, operationIds, schemas) do not.
        for err in validator.root_validator(validator.schema_path):
            rel = pointer(*err.absolute_path)
            where = f" (at {rel} of the schema)" if rel else ""
            problems.append(Problem(file, "", _first_line(err.message) + where))
    except Exception as exc:  # a badly broken document can trip the validator itself
        problems.append(Problem(file, "", _one_line(f"openapi-spec-validator failed: {exc!r}")))
    return problems


def _first_line(message: str) -> str:
    """The first line of a (possibly multi-line) validator message."""
    return _one_line(message.strip().split("\n", 1)[0])


def _example_problems(
    spec: dict[str, Any],
    registry: Registry,
    schema: Any,
    value: Any,
    file: str,
    ptr: str,
    via: str = "",
) -> list[Problem]:
    """Validate one example value against a schema."""
    suffix = f" (example {via})" if via else ""
    try:
        validator = schema_validator(spec, schema, registry)
        errors = sorted(validator.iter_errors(value), key=lambda e: pointer(*e.absolute_path))
        return [
            Problem(
                file,
                ptr,
                _one_line(
                    f"example does not match schema at {pointer(*e.absolute_path) or '/'}: "
                    f"{e.message}{suffix}"
                ),
            )
            for e in errors
        ]
    except Unresolvable as exc:
        ref = str(exc.ref).removeprefix(SPEC_URI)
        reason = f"cannot validate example: unresolvable $ref {'#' * ref.startswith('/')}{ref}"
    except Exception as exc:  # an invalid schema (unknown type, wrong keyword shapes, ...)
        reason = f"cannot validate example: {type(exc).__name__}: {exc}"
    return [Problem(file, ptr, _one_line(reason + suffix))]


def _resolve_example(spec: dict[str, Any], example: Any) -> tuple[Any, str]:
    """Follow ``$ref`` chains of an Example Object; return it and the last ref followed.

    Raises ``KeyError(ref)`` for a missing target, a cycle or a non-local reference.
    """
    ref = ""
    seen: set[str] = set()
    while isinstance(example, dict) and isinstance(example.get("$ref"), str):
        ref = example["$ref"]
        if ref in seen or not ref.startswith("#"):
            raise KeyError(ref)
        seen.add(ref)
        try:
            example = resolve_pointer(spec, ref)
        except KeyError:
            raise KeyError(ref) from None
    return example, ref


def _holder_problems(spec: dict[str, Any], registry: Registry, file: str) -> list[Problem]:
    """Media-type, parameter and header ``example`` / ``examples`` against their schema."""
    problems: list[Problem] = []
    for ptr, holder in _iter_example_holders(spec):
        schema = holder["schema"]
        if "example" in holder:
            problems += _example_problems(
                spec, registry, schema, holder["example"], file, ptr + pointer("example")
            )
        examples = holder.get("examples")
        if not isinstance(examples, dict):
            continue
        for name, example in examples.items():
            here = ptr + pointer("examples", name)
            try:
                resolved, ref = _resolve_example(spec, example)
            except KeyError as exc:
                reason = f"unresolvable example reference {exc.args[0]!r}"
                problems.append(Problem(file, here, reason))
                continue
            if isinstance(resolved, dict) and "value" in resolved:
                at = here if ref else here + pointer("value")
                problems += _example_problems(
                    spec, registry, schema, resolved["value"], file, at, via=ref
                )
    return problems


def _schema_problems(
    spec: dict[str, Any], registry: Registry, file: str, is_31: bool
) -> list[Problem]:
    """Schema-level ``example`` / ``examples`` and (3.1+) ``nullable``."""
    problems: list[Problem] = []
    for ptr, schema in iter_schemas(spec):
        if not isinstance(schema, dict):
            continue
        if is_31 and "nullable" in schema:
            problems.append(
                Problem(
                    file,
                    ptr + pointer("nullable"),
                    "'nullable' has no meaning in OpenAPI 3.1; use type: [T, 'null']",
                )
            )
        if "example" in schema:
            problems += _example_problems(
                spec, registry, schema, schema["example"], file, ptr + pointer("example")
            )
        if isinstance(schema.get("examples"), list):
            for i, value in enumerate(schema["examples"]):
                problems += _example_problems(
                    spec, registry, schema, value, file, ptr + pointer("examples", i)
                )
    return problems


def lint_document(spec: dict[str, Any], file: str) -> list[Problem]:
    """Lint a parsed OpenAPI document; ``file`` is only used to label the problems."""
    if not isinstance(spec, dict):
        return [Problem(file, "", "not an OpenAPI document (top level is not a mapping)")]
    version = str(spec.get("openapi", ""))
    is_31 = version.startswith(("3.1", "3.2"))
    registry = build_registry(spec)
    return (
        _structure_problems(spec, file)
        + _holder_problems(spec, registry, file)
        + _schema_problems(spec, registry, file, is_31)
    )


def lint_file(path: str | Path) -> list[Problem]:
    """Lint a YAML or JSON file; raise :class:`LintError` if it cannot be read or parsed."""
    return lint_document(load_document(path), str(path))


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``lint SPEC [SPEC ...]``; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if args and args[0] == "--":
        args = args[1:]
    elif any(a.startswith("-") for a in args):
        bad = next(a for a in args if a.startswith("-"))
        print(f"{USAGE}\nlint: error: unknown option {bad}", file=sys.stderr)
        return 2
    if not args:
        print(f"{USAGE}\nlint: error: no SPEC given", file=sys.stderr)
        return 2

    problems: list[Problem] = []
    failed = False
    for path in args:
        try:
            problems += lint_file(path)
        except LintError as exc:
            print(f"lint: error: {path}: {exc}", file=sys.stderr)
            failed = True
    for problem in problems:
        print(problem)
    if failed:
        return 2
    if problems:
        files = len({p.file for p in problems})
        print(f"{len(problems)} problem(s) in {files} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(args)} file(s), 0 problems", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
