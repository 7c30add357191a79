"""Unit tests of the pure parts of the mock's control: ``Prefer`` parsing and negotiation.

No server, no HTTP: each function is called with hand-made inputs (issue 14 point 7).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from mock_server.control import MAX_DELAY_MS, NO_PREFERENCES, Preferences, parse_prefer
from mock_server.errors import ApiError
from mock_server.generator import SchemaFaker
from mock_server.negotiation import negotiate
from mock_server.runtime import Operation

# --------------------------------------------------------------------------- Prefer parsing


@pytest.mark.parametrize("header", [None, ""])
def test_no_prefer_header_asks_for_nothing(header: str | None) -> None:
    assert parse_prefer(header) is NO_PREFERENCES
    assert not NO_PREFERENCES.overrides_response


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("code=404", Preferences(code=404)),
        ("example=sample", Preferences(example="sample")),
        ("dynamic=true", Preferences(dynamic=True)),
        ("delay=250", Preferences(delay_ms=250)),
        # RFC 7240: several preferences, either separator, quoted values, any case of name
        ('Code=201; Example="first", DELAY=0', Preferences(code=201, example="first")),
        ("dynamic=TRUE, delay=60000", Preferences(dynamic=True, delay_ms=MAX_DELAY_MS)),
        ("respond-async, code=500", Preferences(code=500)),  # unknown preferences are ignored
    ],
)
def test_prefer_values(header: str, expected: Preferences) -> None:
    assert parse_prefer(header) == expected


def test_only_a_status_example_or_dynamic_data_overrides_the_response() -> None:
    assert Preferences(code=404).overrides_response
    assert Preferences(example="x").overrides_response
    assert Preferences(dynamic=True).overrides_response
    assert not Preferences(delay_ms=5).overrides_response


@pytest.mark.parametrize(
    "header",
    [
        "code=99",
        "code=600",
        "code=abc",
        "code=²⁰⁰",  # superscript digits pass str.isdigit() (issue 12 point 4)
        "code=" + "9" * 5000,  # longer than int() reads
        "code=٤٠٤",  # Arabic-Indic digits, which int() would read
        "delay=-1",
        "delay=²",
        "delay=60001",
        "delay=" + "1" * 5000,
        "dynamic=yes",
    ],
)
def test_bad_prefer_values_are_a_400_quoting_a_bounded_value(header: str) -> None:
    with pytest.raises(ApiError) as refused:
        parse_prefer(header)
    assert refused.value.status == 400
    assert refused.value.detail.startswith("Invalid Prefer header")
    assert len(refused.value.detail) < 120  # a 5,000-digit value is cut when quoted back


# --------------------------------------------------------------------------- negotiation

LIST_SPEC: dict[str, Any] = {
    "responses": {
        "200": {
            "content": {
                "application/vnd.api+json": {
                    "schema": {"type": "object", "properties": {"data": {"type": "array"}}},
                    "examples": {
                        "one": {"value": {"data": [1]}},
                        "two": {"value": {"data": [1, 2]}},
                    },
                }
            }
        },
        "401": {
            "headers": {
                "WWW-Authenticate": {"required": True, "schema": {"const": "Bearer realm=x"}},
                "X-Optional": {"schema": {"example": "not sent"}},
            },
            "content": {"application/vnd.api+json": {"example": {"errors": [{"status": 401}]}}},
        },
        "204": {"description": "no content"},
        "422": {
            "content": {
                "application/vnd.api+json": {
                    "schema": {
                        "type": "object",
                        "required": ["errors"],
                        "properties": {"errors": {"type": "array", "minItems": 1}},
                    }
                }
            }
        },
    }
}
OPERATION = Operation("listThings", "GET", LIST_SPEC, [])
RUNTIME: Any = SimpleNamespace(faker=SchemaFaker())


def test_without_preferences_the_first_success_and_its_first_example() -> None:
    status, media, body, headers = negotiate(OPERATION, Preferences(), RUNTIME, seed=1)
    assert (status, media, body, headers) == (200, "application/vnd.api+json", {"data": [1]}, {})


def test_a_named_example_is_found_in_its_response() -> None:
    status, _, body, _ = negotiate(OPERATION, Preferences(example="two"), RUNTIME, seed=1)
    assert (status, body) == (200, {"data": [1, 2]})


def test_a_status_brings_its_example_and_only_its_required_headers() -> None:
    status, _, body, headers = negotiate(OPERATION, Preferences(code=401), RUNTIME, seed=1)
    assert status == 401
    assert body == {"errors": [{"status": 401}]}
    assert headers == {"WWW-Authenticate": "Bearer realm=x"}


def test_a_status_without_content_has_no_body_and_no_media_type() -> None:
    assert negotiate(OPERATION, Preferences(code=204), RUNTIME, seed=1) == (204, None, None, {})


def test_a_status_without_examples_gets_generated_data_valid_for_its_schema() -> None:
    status, _, body, _ = negotiate(OPERATION, Preferences(code=422), RUNTIME, seed=1)
    assert status == 422 and isinstance(body["errors"], list) and body["errors"]


def test_dynamic_data_is_generated_and_the_same_seed_gives_the_same_body() -> None:
    first = negotiate(OPERATION, Preferences(dynamic=True), RUNTIME, seed=7)
    again = negotiate(OPERATION, Preferences(dynamic=True), RUNTIME, seed=7)
    assert first == again and isinstance(first[2]["data"], list)


@pytest.mark.parametrize(
    ("prefs", "says"),
    [
        (Preferences(code=404), "code=404 is not documented for listThings"),
        (Preferences(example="none"), "example=none is not an example of listThings"),
        (Preferences(code=401, example="one"), "not an example of the 401 response"),
    ],
)
def test_what_the_contract_does_not_document_is_a_400_naming_it(
    prefs: Preferences, says: str
) -> None:
    with pytest.raises(ApiError) as refused:
        negotiate(OPERATION, prefs, RUNTIME, seed=1)
    assert refused.value.status == 400 and says in refused.value.detail


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_simulated_on_any_operation(status: int) -> None:
    """``Prefer: code=500|503`` where the contract documents none (issue 13 point 5)."""
    with pytest.raises(ApiError) as simulated:
        negotiate(OPERATION, Preferences(code=status), RUNTIME, seed=1)
    assert simulated.value.status == status
