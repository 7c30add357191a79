"""Schema-driven fake data for ``Prefer: dynamic=true``, seeded per request with Faker."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from faker import Faker

MAX_DEPTH = 8
# Faker draws dates between 1970 and *now* by default; a fixed end keeps one seed, one result.
LATEST = datetime(2026, 1, 1)
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


class SchemaFaker:
    """Generates instances of (``$ref``-resolved) JSON Schemas; one seed, one result."""

    def __init__(self) -> None:
        self.fake = Faker()

    def generate(self, schema: dict, seed: int) -> Any:
        self.fake.seed_instance(seed)
        return self._value(schema, "", 0)

    def _value(self, schema: Any, name: str, depth: int) -> Any:
        if not isinstance(schema, dict):
            return None
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.fake.random_element(schema["enum"])
        if "allOf" in schema:
            return self._value(_merge(schema["allOf"]) | _without(schema, "allOf"), name, depth)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
                return self._value(options[0] | _without(schema, key), name, depth)
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
        result = {}
        for key, sub in schema.get("properties", {}).items():
            if key in required or self.fake.pybool(truth_probability=80):
                result[key] = self._value(sub, key, depth + 1)
        return result

    def _array(self, schema: dict, name: str, depth: int) -> list:
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", low + 3), low + 3)
        return [
            self._value(schema.get("items", {}), name, depth + 1)
            for _ in range(self.fake.random_int(low, high))
        ]

    def _string(self, schema: dict, name: str, depth: int) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            value = self.fake.iso8601(tzinfo=None, end_datetime=LATEST) + "+00:00"
        elif fmt == "date":
            value = self.fake.date(end_datetime=LATEST)
        elif fmt == "email" or name == "email":
            value = self.fake.email()
        elif fmt in ("uri", "url") or name in ("self", "next", "prev", "first", "last"):
            value = self.fake.url() + self.fake.uri_path()
        elif fmt == "uuid" or name == "uuid":
            value = self.fake.uuid4()
        elif name in _BY_NAME:
            value = str(getattr(self.fake, _BY_NAME[name])())
        else:
            value = self.fake.pystr(min_chars=schema.get("minLength", 1) or 1, max_chars=12)
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, value):
            value = next(
                (c for c in _pattern_candidates(schema, self.fake) if re.search(pattern, c)), value
            )
        return value[: schema.get("maxLength", len(value))]

    def _integer(self, schema: dict, name: str, depth: int) -> int:
        low = schema.get(
            "minimum", 0 if "exclusiveMinimum" not in schema else schema["exclusiveMinimum"] + 1
        )
        high = schema.get("maximum", max(low, 0) + 100_000)
        return self.fake.random_int(int(low), int(high))

    def _number(self, schema: dict, name: str, depth: int) -> float:
        low = schema.get("minimum", 0)
        return round(self.fake.pyfloat(min_value=low, max_value=low + 1000), 2)

    def _boolean(self, schema: dict, name: str, depth: int) -> bool:
        return self.fake.pybool()

    def _null(self, schema: dict, name: str, depth: int) -> None:
        return None


def _merge(schemas: list[dict]) -> dict:
    merged: dict = {"properties": {}, "required": []}
    for sub in schemas:
        merged["properties"].update(sub.get("properties", {}))
        merged["required"] += sub.get("required", [])
        merged.update({k: v for k, v in sub.items() if k not in ("properties", "required")})
    return merged


def _without(schema: dict, key: str) -> dict:
    return {k: v for k, v in schema.items() if k != key}


def _pattern_candidates(schema: dict, fake: Faker) -> list[str]:
    examples = [schema.get("example"), *list(schema.get("examples", []))]
    return [str(e) for e in examples if e is not None] + [
        f"{fake.random_int(0, 99)}.00",
        f"https://{fake.domain_name()}/{fake.uri_path()}",
    ]
