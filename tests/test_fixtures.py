"""Documented samples validate against the specs; broken samples fail for the right reason."""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES
from support.contracts import (
    all_errors,
    load_json,
    load_spec,
    operation_ids,
    schema_for,
    validator_for,
)

from mock_server import lint

APIS = ("glue", "sendcloud")
# Fixtures whose schema is not the whole body of their operation's response.
SCHEMA_OVERRIDES = {
    "sendcloud/sc-public-v2-scp-get-return_by_id.response-200.customs-information.json": (
        "#/components/schemas/IncomingParcelCustomsInformation"
    ),
}
# Negative fixtures are classified by the keyword expected to reject them.
REASON_KINDS = {
    "missing-required": {"required"},
    "wrong-type": {"type"},
    "bad-enum": {"enum", "const"},
}


def _rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


POSITIVE = sorted(p for api in APIS for p in (FIXTURES / api).glob("*.json"))
NEGATIVE = sorted(p for api in APIS for p in (FIXTURES / api / "negative").glob("*.json"))


def _parse(path: Path) -> tuple[str, str, str]:
    """``(api, operationId, kind)`` from a fixture path."""
    api = path.relative_to(FIXTURES).parts[0]
    operation_id, kind = path.name.split(".")[:2]
    return api, operation_id, kind


def _schema(path: Path) -> Any:
    api, operation_id, kind = _parse(path)
    spec = load_spec(api)
    override = SCHEMA_OVERRIDES.get(_rel(path))
    return {"$ref": override} if override else schema_for(spec, operation_id, kind)


def test_fixtures_exist() -> None:
    assert len(POSITIVE) >= 11
    assert len(NEGATIVE) >= 3 * len({_parse(p)[:2] for p in POSITIVE})


@pytest.mark.parametrize("path", POSITIVE + NEGATIVE, ids=_rel)
def test_fixture_names_an_existing_operation(path: Path) -> None:
    api, operation_id, kind = _parse(path)
    assert operation_id in operation_ids(load_spec(api))
    assert kind == "request" or kind.removeprefix("response-").isdigit()


@pytest.mark.parametrize("path", POSITIVE, ids=_rel)
def test_positive_fixture_validates(path: Path) -> None:
    api = _parse(path)[0]
    errors = all_errors(validator_for(api, _schema(path)), load_json(path))
    assert not errors, "\n".join(
        f"{lint.pointer(*e.absolute_path) or '/'}: {e.message}" for e in errors
    )


@pytest.mark.parametrize("path", NEGATIVE, ids=_rel)
def test_negative_fixture_is_rejected_for_its_reason(path: Path) -> None:
    api = _parse(path)[0]
    fixture = load_json(path)
    expect = fixture["expect"]
    errors = all_errors(validator_for(api, _schema(path)), fixture["sample"])
    assert errors, "sample unexpectedly valid"
    found = {(e.validator, lint.pointer(*e.absolute_path)) for e in errors}
    assert (expect["validator"], expect["path"]) in found, sorted(found)


def test_every_operation_with_samples_has_each_negative_kind() -> None:
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in NEGATIVE:
        validator = load_json(path)["expect"]["validator"]
        for kind, validators in REASON_KINDS.items():
            if validator in validators:
                kinds[_parse(path)[:2]].add(kind)
    missing = {
        f"{api}/{op}": sorted(set(REASON_KINDS) - kinds[(api, op)])
        for api, op, _ in map(_parse, POSITIVE)
        if set(REASON_KINDS) - kinds[(api, op)]
    }
    assert not missing


def _load_extract() -> Any:
    spec = importlib.util.spec_from_file_location("fixtures_extract", FIXTURES / "extract.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def test_fixtures_are_reproducible_from_sources() -> None:
    """``fixtures/extract.py --check``: the files on disk are what the script generates."""
    extract = _load_extract()
    files = extract.build()
    assert set(files) == extract.existing(), "run: python fixtures/extract.py"
    for name, text in files.items():
        assert (FIXTURES / name).read_text(encoding="utf-8") == text, name
