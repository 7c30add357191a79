"""Dynamic data (``Prefer: dynamic=true``): valid for every documented response, one seed one
result in every process, Faker-made where a person reads it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator

from mock_server.app import create_app
from mock_server.generator import SchemaFaker

SEEDS = range(40)


def documented_json_schemas() -> list[tuple[str, dict]]:
    runtime = create_app().runtime
    found = []
    for mounted in runtime.apis.values():
        for operation in mounted.operations.values():
            for status, response in operation.spec.get("responses", {}).items():
                for media, content in response.get("content", {}).items():
                    if "json" in media and "schema" in content:
                        found.append((f"{operation.operation_id} {status}", content["schema"]))
    return found


SCHEMAS = documented_json_schemas()


@pytest.mark.parametrize(("label", "schema"), SCHEMAS, ids=[label for label, _ in SCHEMAS])
def test_every_documented_response_is_generated_valid(label: str, schema: dict) -> None:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    faker = SchemaFaker()
    for seed in SEEDS:
        errors = [e.message for e in validator.iter_errors(faker.generate(schema, seed))]
        assert not errors, (label, seed, errors[:3])


def test_one_seed_one_result_and_seeds_differ() -> None:
    _, schema = next((label, s) for label, s in SCHEMAS if label.startswith("getReturn 200"))
    first, second = SchemaFaker(), SchemaFaker()
    assert first.generate(schema, 5) == second.generate(schema, 5) == first.generate(schema, 5)
    assert len({repr(first.generate(schema, seed)) for seed in SEEDS}) == len(SEEDS)


def test_another_process_generates_the_same_bytes() -> None:
    code = (
        "import json; from mock_server.generator import SchemaFaker; "
        "s = {'type': 'object', 'required': ['email', 'city', 'at', 'id'], 'properties': {"
        "'email': {'type': 'string'}, 'city': {'type': 'string'}, "
        "'at': {'type': 'string', 'format': 'date-time'}, "
        "'id': {'type': 'string', 'format': 'uuid'}}}; "
        "print(json.dumps([SchemaFaker().generate(s, n) for n in range(5)]))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(runs) == 1 and "@" in runs.pop()


def test_readable_values_come_from_faker() -> None:
    schema = {
        "type": "object",
        "required": ["email", "city", "lastName"],
        "properties": {n: {"type": "string"} for n in ("email", "city", "lastName")},
    }
    faker = SchemaFaker()
    values = [faker.generate(schema, seed) for seed in SEEDS]
    assert all("@" in v["email"] and "." in v["email"].split("@")[1] for v in values)
    assert all(v["lastName"][:1].isupper() for v in values)
    assert len({v["city"] for v in values}) > 20


def test_long_minimum_lengths_and_allof_memo_stay_bounded() -> None:
    faker = SchemaFaker()
    long = faker.generate({"type": "string", "minLength": 5000}, 1)
    assert len(long) >= 5000
    for seed in range(5000):
        faker.generate({"allOf": [{"type": "object", "required": ["a"],
                                   "properties": {"a": {"const": seed}}}]}, seed)  # fmt: skip
    assert len(faker._flat) <= 4096
