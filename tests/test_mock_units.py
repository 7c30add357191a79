"""Unit tests of the mock's pure functions: fast feedback without a server.

Glue's collection links, Sendcloud's cursors, both error envelopes (exception → error →
body) and Glue's ``Accept`` / ``Accept-Language`` negotiation. The over-HTTP suites show the
same behaviour end to end; these pin the rules one input at a time.
"""

from __future__ import annotations

import base64

import pytest
from starlette.exceptions import HTTPException

from mock_server.apis.glue.envelope import GlueEnvelope
from mock_server.apis.glue.resources import collection_links
from mock_server.apis.glue.service import accepts_jsonapi, locale_for
from mock_server.apis.sendcloud.envelope import SendcloudEnvelope
from mock_server.apis.sendcloud.service import decode_cursor, encode_cursor
from mock_server.errors import (
    ApiError,
    MalformedBodyError,
    RequestBodyError,
    RequestParameterError,
)

BASE = "http://shop/glue"

# --------------------------------------------------------------------------- Glue links


def test_links_without_paging_are_only_self_with_the_query_as_sent() -> None:
    assert collection_links(BASE, "returns", [], 3, None) == {"self": f"{BASE}/returns"}
    links = collection_links(BASE, "returns", [("include", "return-items")], 3, None)
    assert links == {"self": f"{BASE}/returns?include=return-items"}


def test_links_of_an_empty_collection_are_only_self() -> None:
    query = [("page[offset]", "0"), ("page[limit]", "10")]
    links = collection_links(BASE, "orders", query, 0, (0, 10))
    assert links == {"self": f"{BASE}/orders?page[offset]=0&page[limit]=10"}


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0, {"next": 10}),
        (10, {"prev": 0, "next": 20}),
        (20, {"prev": 10}),
        (5, {"prev": 0, "next": 15}),  # prev never goes below 0
    ],
)
def test_page_links_first_last_prev_next(offset: int, expected: dict[str, int]) -> None:
    query = [("include", "x"), ("page[offset]", str(offset)), ("page[limit]", "10")]
    links = collection_links(BASE, "orders", query, 25, (offset, 10))

    def at(value: int) -> str:
        return f"{BASE}/orders?include=x&page[offset]={value}&page[limit]=10"

    assert links.pop("self") == f"{BASE}/orders?include=x&page[offset]={offset}&page[limit]=10"
    assert links == {"first": at(0), "last": at(20)} | {k: at(v) for k, v in expected.items()}


def test_last_link_of_an_exact_multiple_is_the_last_full_page() -> None:
    links = collection_links(BASE, "orders", [], 20, (0, 10))
    assert links["last"].endswith("page[offset]=10&page[limit]=10")


# --------------------------------------------------------------------------- Sendcloud cursors


@pytest.mark.parametrize("offset", [0, 1, 40, 99])
def test_cursor_round_trip(offset: int) -> None:
    assert decode_cursor(encode_cursor(offset), 100) == offset


def test_first_page_cursor_of_an_empty_world_is_valid() -> None:
    assert decode_cursor(encode_cursor(0), 0) == 0


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor(100),  # past the end
        _b64("o=-1"),
        _b64("o=+1"),
        _b64("x=1"),
        _b64("o="),
        _b64("o=1e3"),
        "!!!not-base64",
        "",
        "é",
        _b64("o=") + "\xff",
    ],
)
def test_invalid_cursors_are_sendclouds_404(cursor: str) -> None:
    with pytest.raises(ApiError) as raised:
        decode_cursor(cursor, 100)
    assert (raised.value.status, raised.value.detail) == (404, "Invalid cursor")


# --------------------------------------------------------------------------- envelopes

GLUE = GlueEnvelope()
SENDCLOUD = SendcloudEnvelope()


def _glue(exc: Exception) -> tuple[int, str | None, str]:
    error = GLUE.translate(exc, "/glue/returns")
    return error.status, error.code, error.detail


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (RequestBodyError("", "type", "not an object"), (400, None, "Post data is invalid.")),
        (RequestBodyError("/data", "required", "x"), (400, None, "Post data is invalid.")),
        (RequestBodyError("/data/type", "const", "x"), (400, None, "Invalid type.")),
        (
            RequestBodyError("/data/attributes/store", "required", "x"),
            (422, "901", "store => This value should not be blank."),
        ),
        (
            RequestBodyError("/data/attributes/returnItems", "minItems", "x"),
            (422, "901", "returnItems => This collection should contain 1 element or more."),
        ),
        (
            RequestBodyError("/data/attributes/returnItems/0/reason", "maxLength", "too long"),
            (422, "901", "returnItems.0.reason => too long"),
        ),
        (MalformedBodyError("not JSON"), (400, None, "Post data is invalid.")),
        (
            RequestParameterError("query", "page[limit]", "not an integer"),
            (400, None, "Pagination parameters are invalid."),
        ),
        (HTTPException(404), (404, None, "Not Found")),
        (HTTPException(405), (404, None, "Not Found")),  # Glue has no 405 (issue 10 pt 6)
        (ApiError(404, "kept as raised", "801"), (404, "801", "kept as raised")),
        (RuntimeError("boom"), (500, None, "Internal Server Error")),
    ],
)
def test_glue_translates_failures_to_its_errors(
    exc: Exception, expected: tuple[int, str | None, str]
) -> None:
    assert _glue(exc) == expected


def test_glue_renders_json_api_errors_with_and_without_code() -> None:
    with_code = GLUE.render(ApiError(404, "Not here.", "3602"), "/glue/returns/x")
    assert with_code == {"errors": [{"status": 404, "code": "3602", "detail": "Not here."}]}
    without = GLUE.render(ApiError(406, "Not acceptable."), "/glue/returns")
    assert without == {"errors": [{"status": 406, "detail": "Not acceptable."}]}
    assert list(with_code["errors"][0]) == ["status", "code", "detail"]


@pytest.mark.parametrize(
    ("path", "request_field"),
    [
        ("/sendcloud/api/v2/returns", "api/v2/returns"),
        ("/sendcloud/api/v2/returns/7", "api/v2/returns/7"),
        ("/elsewhere", "elsewhere"),
    ],
)
def test_sendcloud_renders_code_request_message(path: str, request_field: str) -> None:
    body = SENDCLOUD.render(ApiError(401, "Invalid username/password."), path)
    assert body == {
        "error": {"code": 401, "request": request_field, "message": "Invalid username/password."}
    }


@pytest.mark.parametrize(
    ("exc", "path", "expected"),
    [
        (
            HTTPException(404),
            "/sendcloud/api/v2/returns/abc",
            (404, "No Return matches the given query."),
        ),
        (HTTPException(404), "/sendcloud/api/v2/nothing", (404, "Not found.")),
        (HTTPException(405), "/sendcloud/api/v2/returns", (405, "Method not allowed.")),
        (
            RequestParameterError("path", "id", "not an integer"),
            "/sendcloud/api/v2/returns/x",
            (404, "No Return matches the given query."),
        ),
        (
            RequestParameterError("query", "cursor", "bad"),
            "/sendcloud/api/v2/returns",
            (400, "query parameter 'cursor': bad"),
        ),
        (RuntimeError("boom"), "/sendcloud/api/v2/returns", (500, "Internal Server Error")),
    ],
)
def test_sendcloud_translates_failures_to_its_errors(
    exc: Exception, path: str, expected: tuple[int, str]
) -> None:
    error = SENDCLOUD.translate(exc, path)
    assert (error.status, error.detail) == expected
    assert error.code is None


# --------------------------------------------------------------------------- Glue negotiation


@pytest.mark.parametrize(
    ("accept", "acceptable"),
    [
        (None, False),
        ("", False),
        ("application/vnd.api+json", True),
        ("Application/VND.API+JSON", True),
        ("application/json", False),
        ("*/*", True),
        ("application/*", True),
        ("text/html, application/vnd.api+json;q=0.5", True),
        ("application/vnd.api+json;q=0", False),
        ("application/vnd.api+json;q=zero", False),
        ("text/html;q=1, */*;q=0", False),
    ],
)
def test_accept_allows_json_api(accept: str | None, acceptable: bool) -> None:
    assert accepts_jsonapi(accept) is acceptable


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("de", "de"),
        ("de-DE", "de"),
        ("de_DE", "de"),
        ("DE", "de"),
        ("fr", "en"),
        ("de-DE, en;q=0.9", "de"),
        ("fr, de;q=0.2, en;q=0.8", "en"),
        ("en;q=0.1, de;q=0.9", "de"),
        ("de;q=oops, en;q=0.1", "en"),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    accept_language: str | None, language: str
) -> None:
    assert locale_for(accept_language) == language
