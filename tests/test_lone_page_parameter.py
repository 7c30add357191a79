"""Issue 11 pt 1 (FA-3): Spryker versions differ on a lone ``page[offset]``/``page[limit]``.

One ignores it (200, the mock), a later one refuses it with 400 "Pagination parameters are
invalid." without a code (the reference backend). The corpus oracle, Schemathesis'
``positive_data_acceptance`` (through the Glue profile) and the pagination rule accept both;
any other refusal of a schema-valid request stays a violation.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from support import SONIA, broken_impls
from support.broken_impls import VND, BrokenImpl, Request, Response

from conformance.apis import load_contract, profile_for
from conformance.apis.glue.pagination import LONE_PAGE_PARAMETER_RULE, lone_page_parameter
from conformance.cli import main
from conformance.corpus import Request as CorpusRequest
from conformance.corpus.oracle import analyse

TOKEN = {"Accept": VND, "Authorization": "Bearer {{glue.token}}"}
DETAIL = "Pagination parameters are invalid."
PAGINATION_400 = json.dumps(
    {"errors": [{"status": 400, "detail": "Pagination parameters are invalid."}]}
).encode()


def _label(operation_id: str, query: list[tuple[str, str]]) -> str:
    contract = load_contract("glue")
    op = contract.by_id(operation_id)
    assert op is not None
    request = CorpusRequest(op.method, op.path, headers=dict(TOKEN), query=query)
    return analyse(contract, op, request).expectation.label()


@pytest.mark.parametrize("operation", ["listOrders", "listReturns", "listReturnReasons"])
def test_the_oracle_accepts_both_answers_to_a_lone_page_parameter(operation: str) -> None:
    assert _label(operation, [("page[offset]", "1")]) == "200 or 400"
    assert _label(operation, [("page[limit]", "1")]) == "200 or 400"
    assert _label(operation, [("page[offset]", "0"), ("page[limit]", "1")]) == "200"
    assert _label(operation, []) == "200"


def test_lone_page_parameter_names_the_one_given() -> None:
    assert lone_page_parameter(iter(["page[limit]", "include"])) == "page[limit]"
    assert lone_page_parameter(["page[offset]"]) == "page[offset]"
    assert lone_page_parameter(["page[offset]", "page[limit]"]) is None
    assert lone_page_parameter([]) is None


def test_the_glue_profile_tolerates_only_the_documented_pagination_refusal() -> None:
    profile = profile_for("glue")
    contract = load_contract("glue")
    orders, order = contract.by_id("listOrders"), contract.by_id("getOrder")
    assert orders is not None and order is not None
    lone = {"page[limit]": "3"}
    assert profile.tolerated_refusal(orders, lone, 400, PAGINATION_400) == LONE_PAGE_PARAMETER_RULE
    coded = PAGINATION_400.replace(b'"status": 400', b'"status": 400, "code": "901"')
    assert profile.tolerated_refusal(orders, lone, 400, coded) is None
    assert profile.tolerated_refusal(orders, lone, 422, PAGINATION_400) is None
    both = {"page[limit]": "3", "page[offset]": "0"}
    assert profile.tolerated_refusal(orders, both, 400, PAGINATION_400) is None
    assert profile.tolerated_refusal(order, lone, 400, PAGINATION_400) is None
    assert profile_for("sendcloud").tolerated_refusal(orders, lone, 400, PAGINATION_400) is None
    assert "PaginationParametersHttpRequestValidator" in LONE_PAGE_PARAMETER_RULE


class GlueRefusesLonePageParameter(BrokenImpl):
    """The later Spryker version: a lone page parameter is 400 without a code (correct)."""

    NAME = "glue-lone-page-parameter-400"
    API = "glue"
    CODE: str | None = None

    async def handle(self, request: Request) -> Response:
        query = parse_qs(request.scope.get("query_string", b"").decode("latin-1"))
        if request.method == "GET" and lone_page_parameter(query) is not None:
            error: dict[str, object] = {
                "status": 400,
                "detail": "Pagination parameters are invalid.",
            }
            if self.CODE is not None:
                error["code"] = self.CODE
            response = Response(400, [(b"content-type", VND.encode())])
            response.set_json({"errors": [error]})
            return response
        return await self.forward(request)


class GlueLonePageParameterIs400WithCode(GlueRefusesLonePageParameter):
    """Not a Spryker behaviour: the pagination refusal carries a business code."""

    NAME = "glue-lone-page-parameter-400-with-code"
    CODE = "901"


@pytest.mark.parametrize(
    ("impl", "exit_code"),
    [(GlueRefusesLonePageParameter, 0), (GlueLonePageParameterIs400WithCode, 1)],
    ids=lambda x: getattr(x, "NAME", str(x)),
)
def test_positive_data_acceptance_accepts_the_pagination_refusal_only(
    impl: type[GlueRefusesLonePageParameter], exit_code: int, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setattr(broken_impls, "UNDER_TEST", impl(), raising=False)
    code = main([
        "run", "--api", "glue", "--app", "support.broken_impls:UNDER_TEST", "--base-url", "/glue",
        "--username", SONIA[0], "--password", SONIA[1], "--seed", "11", "--max-examples", "5",
        "--phases", "coverage", "--no-scenarios", "--checks", "positive_data_acceptance",
        "--report-dir", str(tmp_path),
    ])  # fmt: skip
    output = capsys.readouterr().out
    assert code == exit_code, output
    if exit_code:
        assert "✗ positive_data_acceptance" in output
