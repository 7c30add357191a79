"""Unit tests of the corpus oracle's rules: the answer a correct implementation gives to one
request, worked out from the contract and the documentation, without any server (issue 14
point 7). The sources are the ones the oracle cites in its ``why``."""

from __future__ import annotations

import pytest

from conformance.apis import load_contract, profile_for
from conformance.corpus.model import Expectation, Request
from conformance.corpus.oracle import integer_value

JSONAPI = "application/vnd.api+json"
GLUE = {"Accept": JSONAPI, "Authorization": "Bearer {{glue.token}}"}
GLUE_POST = {**GLUE, "Content-Type": JSONAPI}
SENDCLOUD = {"Accept": "application/json", "Authorization": "Basic {{sendcloud.basic}}"}


def expect(api: str, operation_id: str, request: Request) -> Expectation:
    contract = load_contract(api)
    operation = contract.by_id(operation_id)
    assert operation is not None, operation_id
    return profile_for(api).analyse(contract, operation, request).expectation


def outcomes(expectation: Expectation) -> set[tuple[int, str | None]]:
    found: set[tuple[int, str | None]] = set()
    for status in expectation.status:
        codes = expectation.codes.get(status)
        found |= {(status, code) for code in codes} if codes else {(status, None)}
    return found


def test_a_valid_read_succeeds() -> None:
    assert outcomes(expect("glue", "listReturns", Request("GET", "/returns", headers=GLUE))) == {
        (200, None)
    }


def test_glue_answers_an_undocumented_method_with_its_404() -> None:
    """Spryker: "Wrong request URL, type, or method" → 404 Not Found, no code and no 405
    (contract root `x-unsupported-method-status`; issue 10 point 6)."""
    found = expect("glue", "listReturns", Request("DELETE", "/returns", headers=GLUE))
    assert outcomes(found) == {(404, None)} and "the contract's" in found.why


def test_sendcloud_answers_an_undocumented_method_with_405() -> None:
    request = Request("DELETE", "/returns", headers=SENDCLOUD)
    assert outcomes(expect("sendcloud", "sc-public-v2-scp-get-all_returns", request)) == {
        (405, None)
    }


def test_no_token_on_a_protected_operation_is_403_002() -> None:
    """Spryker's AccessTokenValidator: a missing token is 403 with code 002 (domain-facts A3)."""
    request = Request("GET", "/returns", headers={"Accept": JSONAPI})
    assert outcomes(expect("glue", "listReturns", request)) == {(403, "002")}


def test_the_anonymous_customer_header_with_a_token_is_400_005() -> None:
    """SimultaneousAuthenticationRestRequestValidator: both headers → 400/005 (glue-F4)."""
    headers = {**GLUE, "X-Anonymous-Customer-Unique-Id": "guest-1"}
    request = Request("GET", "/returns/DE--1-R1", headers=headers)
    request.path_params["returnReference"] = "{{glue.returnReference}}"
    assert (400, "005") in outcomes(expect("glue", "getReturn", request))


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_anonymous_header_counts_as_not_sent(value: str) -> None:
    """PHP reads "" and "0" as false in Spryker's `if ($a && $b)` (glue-F4)."""
    headers = {**GLUE, "X-Anonymous-Customer-Unique-Id": value}
    request = Request("GET", "/returns", headers=headers)
    assert outcomes(expect("glue", "listReturns", request)) == {(200, None)}


def test_an_unknown_refresh_token_is_401_004() -> None:
    body = {"data": {"type": "refresh-tokens", "attributes": {"refreshToken": "def50200nope"}}}
    request = Request("POST", "/refresh-tokens", headers=GLUE_POST, body=("json", body))
    assert outcomes(expect("glue", "refreshAccessToken", request)) == {(401, "004")}


def test_revoking_a_refresh_token_is_204_whatever_the_token() -> None:
    """`DELETE /refresh-tokens/{token}` is 204 also for an unknown token (Spryker docs)."""
    request = Request("DELETE", "/refresh-tokens/whatever", headers=GLUE)
    request.path_params["refreshToken"] = "whatever"
    assert outcomes(expect("glue", "revokeRefreshToken", request)) == {(204, None)}


def test_a_page_value_that_is_not_plain_digits_is_400_without_a_code() -> None:
    """PaginationParametersHttpRequestValidator: "Pagination parameters are invalid." (A2b)."""
    request = Request(
        "GET", "/returns", query=[("page[offset]", "abc"), ("page[limit]", "2")], headers=GLUE
    )
    assert outcomes(expect("glue", "listReturns", request)) == {(400, None)}


def test_a_foreign_return_id_for_sendcloud_is_its_404() -> None:
    request = Request("GET", "/returns/abc", headers=SENDCLOUD)
    request.path_params["id"] = "abc"
    assert outcomes(expect("sendcloud", "sc-public-v2-scp-get-return_by_id", request)) == {
        (404, None)
    }


@pytest.mark.parametrize(
    ("digits", "value"),
    [("0", 0), ("42", 42), ("-7", -7), ("9" * 40, 2**64), ("-" + "9" * 40, -(2**64))],
)
def test_huge_integer_literals_are_clamped_not_parsed(digits: str, value: int) -> None:
    assert integer_value(digits) == value
