"""Issue 10 points 7, 9, 12: the contracts accept what the real services send and refuse what
they refuse (checked with JSON Schema 2020-12 and format checking, as the harness validates)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from support.contracts import (
    all_errors,
    find_response,
    load_spec,
    media_examples,
    schema_for,
    validator_for,
)

BASE = "https://glue.mysprykershop.com"


def glue_errors(operation_id: str, kind: str, instance: Any) -> list[str]:
    validator = validator_for("glue", schema_for(load_spec("glue"), operation_id, kind))
    return [f"{list(e.absolute_path)}: {e.message}" for e in all_errors(validator, instance)]


def documented(operation_id: str, status: int, name: str) -> Any:
    spec = load_spec("glue")
    media = find_response(spec, operation_id, status)["content"]["application/vnd.api+json"]
    return copy.deepcopy(media_examples(spec, media)[name])


def test_self_links_with_the_request_query_and_literal_brackets_are_accepted() -> None:
    """Real Glue writes the query into the requested resource's self link with brackets
    unencoded (domain-facts A2b; orders sample `…/orders?page[offset]=2&page[limit]=2`):
    no `format: uri` may reject it (issue 10 pt 7/12, contract glue-F7)."""
    document = documented("getReturn", 200, "documented")
    document["data"]["links"]["self"] = f"{BASE}/returns/DE--1-R3?include=return-items&x[y]=1"
    assert glue_errors("getReturn", "response-200", document) == []
    page = documented("listReturns", 200, "paginated")
    page["data"][0]["links"]["self"] = f"{BASE}/returns/DE--1-R1?page[offset]=2&page[limit]=2"
    assert glue_errors("listReturns", "response-200", page) == []


@pytest.mark.parametrize(
    ("operation_id", "attributes", "field"),
    [
        ("createAccessToken", {"username": "", "password": "x"}, "username"),
        ("createAccessToken", {"username": "a@b.c", "password": ""}, "password"),
        ("refreshAccessToken", {"refreshToken": ""}, "refreshToken"),
        ("createReturn", {"store": "", "returnItems": [{"salesOrderItemUuid": "u"}]}, "store"),
    ],
)
def test_blank_fields_the_real_service_refuses_are_invalid(
    operation_id: str, attributes: dict, field: str
) -> None:
    """NotBlank fields (422/901 in Spryker: access-tokens.validation.yml, returns.validation.yml,
    domain-facts A2/A4) have minLength 1, so a schema-valid request is one Glue accepts
    (issue 10 pt 12, contract glue-F8/F12)."""
    kind = {"createAccessToken": "access-tokens", "refreshAccessToken": "refresh-tokens"}
    body = {"data": {"type": kind.get(operation_id, "returns"), "attributes": attributes}}
    errors = glue_errors(operation_id, "request", body)
    assert any(field in e and "non-empty" in e for e in errors), errors


def test_super_attributes_declares_items_and_accepts_both_shapes() -> None:
    """`superAttributes` is `[]` in return samples and `{"color":"Blue"}` in order samples
    (domain-facts C8); declared as object-or-empty-array with `items` (Spectral array-items)."""
    order = documented("getOrder", 200, "order")
    item = order["data"]["attributes"]["items"][0]
    for shape in ({"color": "Blue"}, []):
        item["metadata"]["superAttributes"] = shape
        assert glue_errors("getOrder", "response-200", order) == []


def test_total_refund_accepts_the_documented_quoted_value_and_a_plain_decimal() -> None:
    """The contract keeps accepting the doc example `'"10.00"'` (seed 004; domain-facts
    C-Sendcloud 1) and the mock's plain "43.31" (issue 10 pt 9, sendcloud-C1/F9)."""
    spec = load_spec("sendcloud")
    schema = schema_for(spec, "sc-public-v2-scp-get-return_by_id", "response-200")
    validator = validator_for("sendcloud", schema)
    for value in ('"10.00"', "43.31"):
        assert not all_errors(validator, {"id": 1, "refund": {"total_refund": value}})
