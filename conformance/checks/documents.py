"""Reading response documents, written once for both APIs: their links, and their schema.

``links_of`` finds every link a JSON body carries (JSON:API ``links`` objects, Sendcloud's
``next``/``previous``); ``schema_problems`` validates a body against the schema the contract
documents for its status, with formats checked, so pages reached through links are judged as
strictly as the ones Schemathesis requests itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

from api_contracts import Operation

MAX_SCHEMA_PROBLEMS = 3
# Characters real services write unencoded into link queries (Glue: `page[offset]`, a decoded
# query string; contract glue-A5): percent-encoded before a URI is judged, never a violation.
_LENIENT_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '[]{}|\\^`"<>')


def _lenient(uri_check: Any) -> Any:
    def check(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return bool(uri_check(quote(value, safe=_LENIENT_SAFE + "%")))

    return check


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    for name in ("uri", "uri-reference"):
        if name in checker.checkers:
            func, raises = checker.checkers[name]
            checker.checks(name, raises)(_lenient(func))
    return checker


FORMAT_CHECKER = _format_checker()


def links_of(document: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """``(where, url)`` for every JSON:API link (string or ``{"href"}``) in ``document``."""
    if isinstance(document, dict):
        for key, value in document.items():
            here = f"{where}.{key}" if where else key
            if key == "links" and isinstance(value, dict):
                for name, link in value.items():
                    href = link.get("href") if isinstance(link, dict) else link
                    if isinstance(href, str):
                        yield f"{here}.{name}", href
            else:
                yield from links_of(value, here)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from links_of(value, f"{where}[{index}]")


def response_schema(operation: Operation, status: int, media_type: str | None) -> Any:
    """The schema ``operation`` documents for ``status`` (and ``media_type``), or ``None``."""
    response = operation.response_for(status) or {}
    content = response.get("content") or {}
    media = content.get(media_type or "") or next(iter(content.values()), None)
    return (media or {}).get("schema") if isinstance(media, dict) else None


def schema_problems(document: Any, schema: Any) -> list[str]:
    """Where ``document`` breaks ``schema`` (types and formats), at most a few."""
    try:
        validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    except jsonschema.exceptions.SchemaError:  # the contract's fault, not the server's
        return []
    problems = []
    for error in errors[:MAX_SCHEMA_PROBLEMS]:
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        problems.append(f"{path}: {error.message[:200]}")
    return problems
