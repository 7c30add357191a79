"""Schema-driven fake data for ``Prefer: dynamic=true``, seeded per request with Faker."""

from __future__ import annotations

import copy
import random
import re
import string
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker

from .request_context import base_url

MAX_DEPTH = 8
# Dates fall between 1970 and a fixed end (not *now*): one seed, one result, on any day.
LATEST = datetime(2026, 1, 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SPAN_SECONDS = int((LATEST.replace(tzinfo=UTC) - _EPOCH).total_seconds())
MAX_FLATTENED = 4096  # flattened allOf/oneOf/anyOf schemas remembered
POOL_SIZE = 256  # Faker-made values per provider, made once per process (same in every one)
_BY_NAME = {
    "email": "email",
    "city": "city",
    "name": "name",
    "firstName": "first_name",
    "lastName": "last_name",
    "phone": "phone_number",
    "message": "sentence",
    "description": "sentence",
    "sku": "ean8",
}


# Filler strings are slices of one fixed run of letters: same bytes in every process.
_FILLER = "".join(random.Random(0).choices(string.ascii_letters, k=4096))


class SchemaFaker:
    """Generates instances of (``$ref``-resolved) JSON Schemas; one seed, one result.

    The values a person reads (names, e-mails, cities, URLs, sentences) are Faker's, drawn from
    pools that Faker fills once per provider with a fixed seed (a Faker provider call costs
    50-300 µs; a body has about a hundred values). Everything else — which value, numbers,
    booleans, choices, dates, UUIDs, filler strings — comes from a ``random.Random`` seeded
    per request, so one seed still gives one result, in every process."""

    def __init__(self) -> None:
        self.fake = Faker()
        self.random = random.Random(0)
        self._pools: dict[str, list[str]] = {}
        self._flat: dict[int, tuple[dict, dict]] = {}  # id(schema) → (schema, flattened)

    def generate(self, schema: dict, seed: int) -> Any:
        self.random = random.Random(seed)
        return self._value(schema, "", 0)

    def _flattened(self, schema: dict) -> dict:
        """``schema`` with its ``allOf`` merged in, or its first non-null ``oneOf``/``anyOf``
        option; made once per schema object (the results are kept, so theirs are too)."""
        known = self._flat.get(id(schema))
        if known is None or known[0] is not schema:
            if len(self._flat) >= MAX_FLATTENED:
                self._flat.clear()
            known = self._flat[id(schema)] = (schema, _flatten(schema))
        return known[1]

    def _faker(self, provider: str) -> str:
        """A value of Faker's ``provider``, from its pool."""
        pool = self._pools.get(provider)
        if pool is None:
            self.fake.seed_instance(zlib.crc32(provider.encode()))
            make = getattr(self.fake, provider)
            pool = self._pools[provider] = [str(make()) for _ in range(POOL_SIZE)]
        return self.random.choice(pool)

    def _value(self, schema: Any, name: str, depth: int) -> Any:
        if not isinstance(schema, dict):
            return None
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.random.choice(schema["enum"])
        if "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
            return self._value(self._flattened(schema), name, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            concrete = [k for k in kind if k != "null"]
            kind = concrete[0] if concrete else "null"
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        if depth > MAX_DEPTH and kind in ("object", "array"):
            return {} if kind == "object" else []
        return getattr(self, f"_{kind}", self._null)(schema, name, depth)

    def _object(self, schema: dict, name: str, depth: int) -> dict:
        required = set(schema.get("required", ()))
        forbidden = _forbidden_properties(schema)
        result = {}
        for key, sub in schema.get("properties", {}).items():
            if key in forbidden:
                continue
            if key in required or self.random.random() < 0.8:
                result[key] = self._value(sub, key, depth + 1)
        return result

    def _array(self, schema: dict, name: str, depth: int) -> list:
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 3), low + 3)
        return [
            self._value(schema.get("items", {}), name, depth + 1)
            for _ in range(self.random.randint(low, high))
        ]

    def _string(self, schema: dict, name: str, depth: int) -> str:
        fmt = schema.get("format")
        if fmt in ("date-time", "date"):
            moment = _EPOCH + timedelta(seconds=self.random.randrange(_SPAN_SECONDS))
            value = moment.isoformat() if fmt == "date-time" else moment.date().isoformat()
        elif fmt == "email" or name == "email":
            value = self._faker("email")
        elif fmt in ("uri", "url") or name in ("self", "next", "prev", "first", "last"):
            value = self._faker("url") + self._faker("uri_path")
        elif fmt == "uuid" or name == "uuid":
            value = str(uuid.UUID(int=self.random.getrandbits(128), version=4))
        elif name in _BY_NAME:
            value = self._faker(_BY_NAME[name])
        else:
            low = schema.get("minLength", 1) or 1
            size = self.random.randint(low, max(low, 12))
            if size < len(_FILLER):
                start = self.random.randrange(len(_FILLER) - size)
                value = _FILLER[start : start + size]
            else:
                value = (_FILLER * (size // len(_FILLER) + 1))[:size]
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, value):
            value = next(
                (c for c in self._pattern_candidates(schema) if re.search(pattern, c)), value
            )
        return value[: schema.get("maxLength", len(value))]

    def _pattern_candidates(self, schema: dict) -> list[str]:
        examples = [schema.get("example"), *list(schema.get("examples", []))]
        return [str(e) for e in examples if e is not None] + [
            f"{self.random.randint(0, 99)}.00",
            f"https://{self._faker('domain_name')}/{self._faker('uri_path')}",
        ]

    def _integer(self, schema: dict, name: str, depth: int) -> int:
        low = schema.get(
            "minimum", 0 if "exclusiveMinimum" not in schema else schema["exclusiveMinimum"] + 1
        )
        high = schema.get("maximum", max(low, 0) + 100_000)
        return self.random.randint(int(low), int(high))

    def _number(self, schema: dict, name: str, depth: int) -> float:
        low = schema.get("minimum", 0)
        return round(self.random.uniform(low, low + 1000), 2)

    def _boolean(self, schema: dict, name: str, depth: int) -> bool:
        return self.random.random() < 0.5

    def _null(self, schema: dict, name: str, depth: int) -> None:
        return None


def _flatten(schema: dict) -> dict:
    if "allOf" in schema:
        return _merge(schema["allOf"]) | _without(schema, "allOf")
    key = "oneOf" if "oneOf" in schema else "anyOf"
    options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
    return options[0] | _without(schema, key)


def _merge(schemas: list[dict]) -> dict:
    """One schema that every member of an ``allOf`` accepts (members merged key by key)."""
    merged: dict = {}
    for sub in schemas:
        merged = _merge_two(merged, sub)
    return merged


def _merge_two(first: dict, second: dict) -> dict:
    merged = dict(first)
    for key, value in second.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties":
            merged[key] = {
                name: _merge_two(merged[key].get(name, {}), sub) if name in merged[key] else sub
                for name, sub in {**merged[key], **value}.items()
            }
        elif key == "required":
            merged[key] = [*merged[key], *(n for n in value if n not in merged[key])]
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            merged[key] = _merge_two(merged[key], value)
        elif key == "allOf":
            merged[key] = [*merged[key], *value]
        else:
            merged[key] = value
    return merged


def _forbidden_properties(schema: dict) -> set[str]:
    """Leaving out the first name of a ``not: {required: [...]}`` satisfies it."""
    negated = schema.get("not")
    if isinstance(negated, dict) and set(negated) == {"required"} and negated["required"]:
        return {negated["required"][0]}
    return set()


def _without(schema: dict, key: str) -> dict:
    return {k: v for k, v in schema.items() if k != key}


# ----------------------------------------------------------------------------- served bodies


@dataclass(frozen=True)
class ServedRequest:
    """What a per-API body shaper needs to know about the request a contract body answers."""

    path: str  # the request path, the API's base path included
    relative_path: str  # the path below the API's base path, e.g. ``/returns/DE--1-R3``
    query: str  # the raw query string, as sent
    base_url: str  # absolute URL of the API's base path as the client reached it
    dynamic: bool  # ``Prefer: dynamic=true``: the body was generated, not documented


BodyShaper = Callable[[Any, ServedRequest], Any]


def keep_body(body: Any, request: ServedRequest) -> Any:
    """The default shaper: the body as the contract gives it."""
    return body


def served_request(scope: Mapping[str, Any], base_path: str, dynamic: bool) -> ServedRequest:
    """A :class:`ServedRequest` from an ASGI ``scope`` of a request to the API at ``base_path``."""
    path = scope.get("path", "")
    return ServedRequest(
        path=path,
        relative_path=path[len(base_path) :] or "/",
        query=scope.get("query_string", b"").decode("latin-1"),
        base_url=base_url(scope, base_path),  # as handlers build links (session included)
        dynamic=dynamic,
    )


def shape_served_body(definition: Any, body: Any, scope: Mapping[str, Any], dynamic: bool) -> Any:
    """A contract body (example, ``code=`` or dynamic) made fit for this request by the API's
    own shaper: links to the mock itself, and for dynamic data plausible values (issue 10)."""
    if body is None:
        return None
    shaper: BodyShaper = getattr(definition, "shape_body", keep_body)
    return shaper(copy.deepcopy(body), served_request(scope, definition.base_path, dynamic))


def rebase_url(url: str, documented_base: str, base_url: str) -> str:
    """``url`` moved from the documented server to the mock's base URL (others unchanged)."""
    if url.startswith(documented_base):
        return base_url + url[len(documented_base) :]
    return url


def plausible_instant(token: str, earliest: datetime, span_days: int) -> datetime:
    """A fixed moment after ``earliest``, chosen by ``token`` (same token, same moment)."""
    seconds = zlib.crc32(token.encode()) % (span_days * 86_400)
    return earliest + timedelta(seconds=seconds)
