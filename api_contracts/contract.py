"""The contract of one API: its OpenAPI document, resolved, and what its users ask of it.

The one place that loads a contract, resolves its ``$ref``s and answers questions about it
(operations, documented statuses and error codes, security, base path). The mock, its linter,
the conformance harness, the tests and the benchmark all read contracts through here, so no
caller hard-codes what the document already says.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # the C loader when PyYAML was built with libyaml (about 10x faster)
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JsonCompatibleLoader(_SafeLoader):
    """Safe YAML loader (C when available) that keeps timestamps as strings, as JSON would."""


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class ContractError(Exception):
    """The contract file is missing or is not a usable OpenAPI document."""


def spec_path(file_name: str) -> Path:
    """Where a bundled contract lives: ``specs/<file_name>``, shipped inside this package.

    ``specs/`` at the top of the repository is the one source; the package reaches it through
    its ``specs`` link (a source checkout or an editable install), and a wheel carries a copy
    (found through :mod:`importlib.resources`, so an installed tool needs no repository).
    """
    root = resources.files(__package__) / "specs" / file_name
    return Path(str(root))


def parse_document(text: str, *, is_json: bool = False) -> dict[str, Any]:
    """Parse YAML (or strict JSON) text into a JSON-compatible mapping.

    Timestamps stay strings and non-string keys (an unquoted ``200``) become strings, as in
    JSON. Raises :class:`ContractError` with a one-line reason (line and column of a syntax
    error) when the text is not a mapping.
    """
    try:
        if is_json:
            data = json.loads(text)
        else:
            # JSON round trip: non-string keys become strings, non-JSON values are refused.
            data = json.loads(json.dumps(yaml.load(text, Loader=_JsonCompatibleLoader)))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ContractError(f"invalid JSON at {where}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        raise ContractError(_yaml_reason(exc)) from None
    except (TypeError, ValueError) as exc:
        raise ContractError(f"YAML is not JSON-compatible: {_one_line(str(exc))}") from None
    if not isinstance(data, dict):
        raise ContractError("not an OpenAPI document (top level is not a mapping)")
    return data


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """Condense a PyYAML error into one line (with its position when PyYAML knows it)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return f"invalid YAML: {_one_line(str(exc))}"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_document(path: Path | str) -> dict[str, Any]:
    """Read and parse a YAML or JSON file (``.json``: strict JSON) without judging its content.

    For tools that report on any document (the linter); :class:`ContractError` carries a
    one-line reason without the path.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContractError("not UTF-8 text") from None
    except OSError as exc:
        raise ContractError(exc.strerror or str(exc)) from None
    return parse_document(text, is_json=str(path).endswith(".json"))


def load_document(path: Path | str) -> dict[str, Any]:
    """Read an OpenAPI 3.x document (YAML or JSON) as :func:`parse_document` does.

    Raises :class:`ContractError` with a one-line reason for a missing, unreadable, malformed
    or non-OpenAPI file.
    """
    spec_file = Path(path)
    try:
        document = read_document(spec_file)
    except ContractError as exc:
        raise ContractError(f"cannot read the contract {spec_file}: {exc}") from None
    if not isinstance(document.get("paths"), dict):
        raise ContractError(f"the contract {spec_file} is not an OpenAPI document")
    if not str(document.get("openapi", "")).startswith("3."):
        raise ContractError(f"the contract {spec_file} is not OpenAPI 3.x")
    return document


def resolve_pointer(document: Any, ref: str) -> Any:
    """The node at a document-local reference (``#/a/b`` or ``/a/b``; RFC 6901 escapes).

    Raises ``KeyError`` naming ``ref`` when the target does not exist.
    """
    node = document
    path = ref.removeprefix("#")
    if not path:
        return node
    for raw in path.removeprefix("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(f"unresolvable reference {ref!r}")
    return node


def resolve_refs(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``document`` with every document-local ``$ref`` replaced by its target."""

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                if ref in seen:  # recursive schema: leave the reference in place
                    return dict(node)
                target = walk(resolve_pointer(document, ref), (*seen, ref))
                siblings = {k: walk(v, seen) for k, v in node.items() if k != "$ref"}
                return {**target, **siblings} if isinstance(target, dict) else target
            return {key: walk(value, seen) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item, seen) for item in node]
        return node

    return walk(copy.deepcopy(document), ())


def _schema_members(schema: Any) -> Iterator[dict[str, Any]]:
    """``schema`` and, recursively, its ``allOf`` members."""
    if not isinstance(schema, dict):
        return
    yield schema
    for member in schema.get("allOf", []):
        yield from _schema_members(member)


@dataclass(frozen=True)
class ErrorCodes:
    """What a documented error response says about ``errors[].code``.

    ``codes`` is the set of allowed codes; ``forbidden`` means the response documents errors
    without a code (framework errors); neither means the contract is silent.
    """

    codes: frozenset[str] = frozenset()
    forbidden: bool = False

    @property
    def is_business(self) -> bool:
        """A response with API error codes: the API understood the request and refused it."""
        return bool(self.codes)


def error_codes_of(response: dict[str, Any]) -> ErrorCodes:
    """Read the ``errors[].code`` restriction (``enum`` or ``not required``) of a response."""
    codes: set[str] = set()
    forbidden = False
    for media in (response.get("content") or {}).values():
        for member in _schema_members(media.get("schema")):
            items = (member.get("properties") or {}).get("errors", {}).get("items", {})
            for item in _schema_members(items):
                code = (item.get("properties") or {}).get("code", {})
                if isinstance(code.get("enum"), list):
                    codes.update(str(value) for value in code["enum"])
                if "const" in code:
                    codes.add(str(code["const"]))
                if "code" in (item.get("not") or {}).get("required", []):
                    forbidden = True
    return ErrorCodes(frozenset(codes), forbidden and not codes)


@dataclass(frozen=True)
class Operation:
    """One documented operation, with its ``$ref``-resolved definition."""

    method: str
    path: str
    definition: dict[str, Any] = field(repr=False, compare=False)
    secured: bool = False

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def operation_id(self) -> str:
        return str(self.definition.get("operationId", self.label))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Regex matching a concrete path of this operation (parameters match one segment)."""
        parts = re.split(r"(\{[^/{}]+\})", self.path)
        regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts if p)
        return re.compile(regex)

    @cached_property
    def responses(self) -> dict[str, dict[str, Any]]:
        return {str(status): r for status, r in (self.definition.get("responses") or {}).items()}

    def response_for(self, status: int) -> dict[str, Any] | None:
        """The documented response for ``status`` (exact, then ``4XX`` style, then default)."""
        for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if key in self.responses:
                return self.responses[key]
        return None

    def documents(self, status: int) -> bool:
        """Whether ``status`` is documented explicitly (or by a range) for this operation."""
        return any(key in self.responses for key in (str(status), f"{str(status)[0]}XX"))

    def error_codes(self, status: int) -> ErrorCodes | None:
        """The code restriction of the documented ``status`` response, ``None`` if undocumented."""
        response = self.response_for(status)
        return None if response is None else error_codes_of(response)

    def business_error_statuses(self) -> list[int]:
        """Documented error statuses that carry API error codes (the API's own refusals)."""
        return sorted(
            int(status)
            for status, response in self.responses.items()
            if status.isdigit() and int(status) >= 400 and error_codes_of(response).is_business
        )

    def statuses_with_code(self, code: str) -> list[int]:
        """Documented statuses whose responses allow the error ``code``."""
        return sorted(
            int(status)
            for status, response in self.responses.items()
            if status.isdigit() and code in error_codes_of(response).codes
        )

    def documented_header(self, status: int, name: str) -> dict[str, Any] | None:
        """The documented response header ``name`` of ``status`` (case-insensitive)."""
        response = self.response_for(status) or {}
        for header, definition in (response.get("headers") or {}).items():
            if header.lower() == name.lower():
                return definition
        return None

    def parameters(self, location: str) -> list[dict[str, Any]]:
        return [p for p in self.definition.get("parameters", []) if p.get("in") == location]

    def has_query_parameters(self, *names: str) -> bool:
        declared = {p.get("name") for p in self.parameters("query")}
        return all(name in declared for name in names)

    def example_path_parameters(self) -> dict[str, str]:
        """A documented example value for every path parameter (``example`` or schema example)."""
        values = {}
        for parameter in self.parameters("path"):
            schema = parameter.get("schema") or {}
            value = parameter.get("example", schema.get("example", "1"))
            values[parameter["name"]] = str(value)
        return values

    def concrete_path(self, **values: str) -> str:
        """The path with ``{name}`` replaced by ``values`` (documented examples by default)."""
        merged = {**self.example_path_parameters(), **values}
        return re.sub(r"\{([^/{}]+)\}", lambda m: merged.get(m.group(1), "1"), self.path)

    def request_example(self) -> Any:
        """The first documented request body example, if any."""
        content = (self.definition.get("requestBody") or {}).get("content") or {}
        for media in content.values():
            for example in (media.get("examples") or {}).values():
                if isinstance(example, dict) and "value" in example:
                    return example["value"]
            if "example" in media:
                return media["example"]
        return None


@dataclass
class Contract:
    """The OpenAPI contract of one API."""

    name: str
    path: Path
    raw: dict[str, Any] = field(repr=False)
    resolved: dict[str, Any] = field(repr=False)
    operations: list[Operation] = field(repr=False)

    @classmethod
    def load(cls, path: Path | str, name: str | None = None) -> Contract:
        """Load and resolve the contract at ``path`` (:class:`ContractError` if unusable)."""
        spec_file = Path(path)
        return cls.from_document(load_document(spec_file), spec_file, name)

    @classmethod
    def from_document(
        cls, raw: dict[str, Any], path: Path | str = "<memory>", name: str | None = None
    ) -> Contract:
        """The contract of an already parsed document."""
        resolved = resolve_refs(raw)
        root_security = resolved.get("security") or []
        operations = []
        for template, item in resolved["paths"].items():
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                definition = item.get(method)
                if not isinstance(definition, dict):
                    continue
                names = {(p.get("in"), p.get("name")) for p in definition.get("parameters", [])}
                inherited = [p for p in shared if (p.get("in"), p.get("name")) not in names]
                definition = {
                    **definition,
                    "parameters": [*definition.get("parameters", []), *inherited],
                }
                requirements = definition.get("security", root_security)
                secured = bool(requirements) and all(bool(r) for r in requirements)
                operations.append(Operation(method.upper(), template, definition, secured))
        spec_file = Path(path)
        return cls(name or spec_file.stem, spec_file, raw, resolved, operations)

    @property
    def title(self) -> str:
        return str((self.raw.get("info") or {}).get("title", self.name))

    @property
    def server_base_path(self) -> str:
        """Path of the first documented server URL (``/api/v2``), ``""`` when at the root."""
        servers = self.raw.get("servers") or [{}]
        return urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")

    @property
    def unsupported_method_status(self) -> int:
        """Status of a request with an undocumented method: 405, unless the contract's root
        ``x-unsupported-method-status`` names the API's own (Glue: 404, no ``Allow``)."""
        value = self.raw.get("x-unsupported-method-status", 405)
        return value if isinstance(value, int) and 400 <= value <= 599 else 405

    def methods_of(self, template: str) -> list[str]:
        """Documented methods of a path template, upper case, in document order."""
        return [op.method for op in self.operations if op.path == template]

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation for a concrete ``path`` relative to the API root (templates last)."""
        method = method.upper()
        candidates = [op for op in self.operations if op.method == method]
        for op in candidates:
            if op.path == path:
                return op
        for op in candidates:
            if op.pattern.fullmatch(path):
                return op
        return None

    def by_label(self, label: str) -> Operation | None:
        return next((op for op in self.operations if op.label == label), None)

    def by_id(self, operation_id: str) -> Operation | None:
        return next((op for op in self.operations if op.operation_id == operation_id), None)

    @property
    def secured_operations(self) -> list[Operation]:
        return [op for op in self.operations if op.secured]
