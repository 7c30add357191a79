"""The corpus file: cases (a request plus its expected outcome), placeholders and the wire form.

A corpus is plain JSON (``"format": "returns-harness/corpus@1"``). Requests are stored the way
a reviewer reads them (path template, decoded path parameters, query pairs, headers, a JSON or
text body); :func:`wire_url` and :func:`wire_body` turn them into bytes the same way for
``replay``, the curl script and the HAR export. Values that only the target knows (a token, an
existing order) are ``{{api.name}}`` placeholders, listed in :data:`PLACEHOLDERS`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..apis import api_names, placeholders
from ..apis import placeholder_pattern as _registry_pattern
from ..profile import Placeholder

FORMAT = "returns-harness/corpus@1"
VERSION = 1
# A corpus of the default --count is a few MiB; a file past this is refused unread.
MAX_CORPUS_BYTES = 64 * 1024 * 1024


class _Placeholders(Mapping[str, Placeholder]):
    """Every placeholder of every registered API, by name (read from the registry)."""

    def __getitem__(self, name: str) -> Placeholder:
        return placeholders()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(placeholders())

    def __len__(self) -> int:
        return len(placeholders())


PLACEHOLDERS: Mapping[str, Placeholder] = _Placeholders()


def placeholder_pattern() -> re.Pattern[str]:
    """``{{api.name}}`` of the registered APIs (group 1 is ``api.name``)."""
    return _registry_pattern()


class CorpusError(Exception):
    """The corpus file is unreadable, not a corpus, or of an unknown version."""


# --------------------------------------------------------------------------- field types
# A corpus may come from anyone: a field of the wrong type is refused, not turned into a string.


def shown(value: Any, limit: int = 60) -> str:
    """``value`` for a one-line message: ``repr`` (control characters escaped), shortened."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def _text(data: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default) if default is not None else data[key]
    if not isinstance(value, str):
        raise ValueError(f"`{key}` must be a string, not {type(value).__name__}")
    return value


def _strings(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"`{what}` must map strings to strings")
    return dict(value)


@dataclass
class Request:
    """One HTTP request relative to the API root.

    ``body`` is ``("json", value)``, ``("text", str)`` or ``None`` (no body at all).
    """

    method: str
    path: str
    path_params: dict[str, str] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: tuple[str, Any] | None = None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def without_header(self, name: str) -> dict[str, str]:
        return {k: v for k, v in self.headers.items() if k.lower() != name.lower()}

    def placeholders(self) -> list[str]:
        """Names of the placeholders this request uses, in order of first use."""
        found: dict[str, None] = {}
        for text in self._strings():
            for match in placeholder_pattern().finditer(text):
                found.setdefault(match.group(1))
        return list(found)

    def _strings(self) -> Iterator[str]:
        yield from self.path_params.values()
        for name, value in self.query:
            yield name
            yield value
        yield from self.headers.values()
        if self.body is not None:
            yield from _json_strings(self.body[1])

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.path_params:
            data["pathParams"] = dict(self.path_params)
        if self.query:
            data["query"] = [[k, v] for k, v in self.query]
        data["headers"] = dict(self.headers)
        if self.body is not None:
            data[self.body[0]] = self.body[1]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Request:
        data = _object(data, "`request`")
        body: tuple[str, Any] | None = None
        if "json" in data:
            body = ("json", data["json"])
        elif "text" in data:
            if not isinstance(data["text"], str):
                raise ValueError("`text` must be a string")
            body = ("text", data["text"])
        query = data.get("query") or []
        if not isinstance(query, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in query
        ):
            raise ValueError("`query` must be a list of [name, value] string pairs")
        return cls(
            method=_text(data, "method").upper(),
            path=_text(data, "path"),
            path_params=_strings(data.get("pathParams"), "pathParams"),
            query=[(k, v) for k, v in query],
            headers=_strings(data.get("headers"), "headers"),
            body=body,
        )


@dataclass
class Expectation:
    """The outcome a correct implementation gives: one of ``status``; for a status listed in
    ``codes`` the error code of the response must be one of those codes."""

    status: list[int]
    codes: dict[int, list[str]] = field(default_factory=dict)
    why: str = ""

    @property
    def outcome(self) -> str:
        if all(s < 400 for s in self.status):
            return "accepted"
        if all(s >= 400 for s in self.status):
            return "rejected"
        return "accepted or rejected"

    def matches(self, status: int, codes: list[str]) -> bool:
        """Whether a response with ``status`` and error ``codes`` is what was expected."""
        if status not in self.status:
            return False
        allowed = self.codes.get(status)
        return not allowed or (bool(codes) and all(code in allowed for code in codes))

    def label(self) -> str:
        """``404/801``, ``200|404``, ``422/3601|901``."""
        parts = []
        for status in self.status:
            codes = self.codes.get(status)
            parts.append(f"{status}/{'|'.join(codes)}" if codes else str(status))
        return " or ".join(parts)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"outcome": self.outcome, "status": list(self.status)}
        if self.codes:
            data["codes"] = {str(k): list(v) for k, v in sorted(self.codes.items())}
        data["why"] = self.why
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Expectation:
        data = _object(data, "`expect`")
        status = data["status"]
        if (
            not isinstance(status, list)
            or not status
            or not all(type(s) is int and 100 <= s <= 599 for s in status)
        ):
            raise ValueError("`status` must list HTTP statuses")
        codes = data.get("codes") or {}
        if not isinstance(codes, dict) or not all(
            k.isascii() and k.isdigit() and isinstance(v, list) for k, v in codes.items()
        ):
            raise ValueError("`codes` must map statuses to lists of code strings")
        if not all(isinstance(c, str) for v in codes.values() for c in v):
            raise ValueError("`codes` must map statuses to lists of code strings")
        why = _text(data, "why", "")
        return cls(list(status), {int(k): list(v) for k, v in codes.items()}, why)


@dataclass
class Case:
    """One edge case: what is sent, and what a correct implementation answers."""

    id: str
    operation: str
    endpoint: str
    title: str
    source: str
    request: Request
    expect: Expectation

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "operation": self.operation,
            "endpoint": self.endpoint,
            "title": self.title,
            "source": self.source,
            "request": self.request.to_json(),
            "expect": self.expect.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Case:
        data = _object(data, "a case")
        return cls(
            id=_text(data, "id"),
            operation=_text(data, "operation"),
            endpoint=_text(data, "endpoint", ""),
            title=_text(data, "title", ""),
            source=_text(data, "source", ""),
            request=Request.from_json(data["request"]),
            expect=Expectation.from_json(data["expect"]),
        )


@dataclass
class Corpus:
    """A list of cases for one API, with how it was made."""

    api: str
    cases: list[Case]
    seed: int | None = None
    generator: dict[str, Any] = field(default_factory=dict)
    contract: dict[str, Any] = field(default_factory=dict)

    def placeholders_used(self) -> list[str]:
        used: dict[str, None] = {}
        for case in self.cases:
            for name in case.request.placeholders():
                used.setdefault(name)
        return [name for name in PLACEHOLDERS if name in used]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "api": self.api,
            "seed": self.seed,
            "generator": self.generator,
            "contract": self.contract,
            "placeholders": {
                name: PLACEHOLDERS[name].description for name in self.placeholders_used()
            },
            "cases": [case.to_json() for case in self.cases],
        }

    def dumps(self) -> str:
        """The JSON text of the corpus (stable: same corpus, same bytes)."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def load_corpus(path: Path | str) -> Corpus:
    """Read a corpus file; :class:`CorpusError` with a one-line reason when it is not one."""
    path = Path(path)
    try:
        with path.open("rb") as file:  # bounded: a device or a huge file is not read whole
            raw = file.read(MAX_CORPUS_BYTES + 1)
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_CORPUS_BYTES:
        limit = MAX_CORPUS_BYTES
        size = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit} bytes"
        raise CorpusError(f"{path} is over {size}: not a corpus")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CorpusError(f"{path} is not UTF-8 text") from None
    except RecursionError:
        raise CorpusError(f"{path} is not a corpus: JSON nested too deeply") from None
    except ValueError as exc:
        raise CorpusError(f"{path} is not JSON: {exc}") from None
    return corpus_from_json(data, str(path))


def corpus_from_json(data: Any, where: str = "corpus") -> Corpus:
    """Validate and load the JSON document of a corpus."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise CorpusError(
            f'{where} is not a corpus (expected "format": "{FORMAT}", found {shown(found)})'
        )
    if data.get("version") != VERSION:
        raise CorpusError(f"{where}: unsupported corpus version {shown(data.get('version'))}")
    if data.get("api") not in api_names():
        raise CorpusError(
            f"{where}: unknown api {shown(data.get('api'))} (choose from {api_names()})"
        )
    if not isinstance(data.get("cases"), list):
        raise CorpusError(f"{where}: `cases` must be a list")
    seed = data.get("seed")
    if seed is not None and type(seed) is not int:
        raise CorpusError(f"{where}: `seed` must be an integer or null")
    for key in ("generator", "contract"):
        if not isinstance(data.get(key) or {}, dict):
            raise CorpusError(f"{where}: `{key}` must be a JSON object")
    cases = []
    seen: set[str] = set()
    for index, item in enumerate(data["cases"]):
        try:
            case = Case.from_json(item)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            reason = f"missing {shown(exc.args[0])}" if isinstance(exc, KeyError) else str(exc)
            raise CorpusError(f"{where}: case #{index + 1} is invalid: {reason}") from None
        if case.id in seen:
            raise CorpusError(f"{where}: duplicate case id {shown(case.id)}")
        seen.add(case.id)
        cases.append(case)
    return Corpus(
        api=data["api"],
        cases=cases,
        seed=seed,
        generator=dict(data.get("generator") or {}),
        contract=dict(data.get("contract") or {}),
    )


# --------------------------------------------------------------------------- wire form


def substitute(text: str, resolve: Callable[[str], str]) -> str:
    """``text`` with every placeholder replaced by ``resolve(name)``."""
    return placeholder_pattern().sub(lambda m: resolve(m.group(1)), text)


def substitute_json(value: Any, resolve: Callable[[str], str]) -> Any:
    """A JSON value with placeholders replaced in every string (keys included)."""
    if isinstance(value, str):
        return substitute(value, resolve)
    if isinstance(value, list):
        return [substitute_json(v, resolve) for v in value]
    if isinstance(value, dict):
        return {substitute(k, resolve): substitute_json(v, resolve) for k, v in value.items()}
    return value


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)


def quote_component(value: str) -> str:
    """Percent-encode one path segment or query component (everything but unreserved)."""
    return quote(value, safe="")


def wire_path(request: Request, resolve: Callable[[str], str] | None = None) -> str:
    """The encoded path (and query string) of ``request`` relative to the API root."""

    def value(name: str) -> str:
        raw = request.path_params.get(name, "")
        return quote_component(substitute(raw, resolve) if resolve else raw)

    path = re.sub(r"\{([^/{}]+)\}", lambda m: value(m.group(1)), request.path)
    if request.query:
        pairs = [
            (substitute(k, resolve), substitute(v, resolve)) if resolve else (k, v)
            for k, v in request.query
        ]
        path += "?" + "&".join(f"{quote_component(k)}={quote_component(v)}" for k, v in pairs)
    return path


def json_text(value: Any) -> str:
    """The JSON text sent for a JSON body (compact, UTF-8, no NaN)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def wire_body(request: Request, resolve: Callable[[str], str] | None = None) -> bytes | None:
    """The body bytes of ``request`` (placeholders resolved when ``resolve`` is given)."""
    if request.body is None:
        return None
    kind, value = request.body
    if kind == "json":
        value = substitute_json(value, resolve) if resolve else value
        return json_text(value).encode("utf-8")
    text = substitute(value, resolve) if resolve else value
    return text.encode("utf-8")
