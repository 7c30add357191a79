"""Business checks of the Sendcloud Returns API v2 that no schema can express.

Response checks: ``sendcloud_error_envelope``, ``sendcloud_cursor_links_same_origin``.
Scenarios: ``sendcloud_auth_required``, ``sendcloud_unknown_id_is_404``, the cursor chain both
ways (``sendcloud_cursor_chain``, ``sendcloud_cursor_previous_walk``), the schema of every page
(``sendcloud_pages_match_schema``) and ``sendcloud_list_matches_detail``.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote, urlsplit

from api_contracts import Operation

from ...checks.base import (
    SAME_ORIGIN_RULE,
    CheckFailed,
    ScenarioContext,
    SkipCheck,
    describe,
    expect,
    foreign_links,
    response_check,
    scenario,
)
from ...checks.documents import response_schema, schema_problems
from ...checks.envelopes import is_json_media_type
from ...model import Exchange
from .envelope import sendcloud_error_problems

API = "sendcloud"
LIST_PATH = "/returns"
MAX_PAGES = 500
MAX_DETAIL_READS = 100  # every return of a small collection, a sample of a big one
ENVELOPE_CONTRACT = (
    'Every error is `{"error": {"code": <HTTP status>, "request": "<path without the leading '
    'slash>", "message": "<text>"}}` as `application/json`.'
)
PREVIOUS_WALK_CONTRACT = (
    "GET /returns is cursor-paginated both ways: from the last page, following `previous` "
    "until it is null visits every return the `next` chain visited, each once, page by page "
    "back to the first (seed 004 / domain-facts B1b: `next` and `previous` cursor URLs, "
    "Django REST framework CursorPagination)."
)
PAGE_SCHEMA_CONTRACT = (
    "Every page of GET /returns, not only the first, matches the documented 200 schema, types "
    "and formats included (seed 004 `Return`: `created_at` date-time, `tracking_url` uri, "
    "`from_email` email, …)."
)
CURSOR_CONTRACT = (
    "GET /returns is cursor-paginated, oldest first: following `next` until it is null visits "
    "every return exactly once, and `previous` of a page leads back to the page before it."
)


def _envelope_problems(exchange: Exchange) -> list[str]:
    response = exchange.response
    if not is_json_media_type(response.media_type):
        return [f"Content-Type is {response.media_type or 'missing'}, not application/json"]
    try:
        document = exchange.json()
    except ValueError:
        return ["the body is not JSON"]
    path = urlsplit(exchange.request.url).path
    problems = sendcloud_error_problems(document, response.status, unquote(path))
    return problems and sendcloud_error_problems(document, response.status, path)


@response_check(API)
def sendcloud_error_envelope(exchange: Exchange, operation: Operation | None) -> None:
    """Every Sendcloud error is the `{"error": {code, request, message}}` envelope."""
    if exchange.response.status < 400 or exchange.request.method in ("HEAD", "OPTIONS"):
        raise SkipCheck("not an error")
    problems = _envelope_problems(exchange)
    expect(
        not problems,
        "Error is not in the Sendcloud error envelope",
        f"{describe(exchange)}: " + "; ".join(problems) + f" — {exchange.response.text(200)}",
        contract=ENVELOPE_CONTRACT,
        exchange=exchange,
    )


@response_check(API)
def sendcloud_cursor_links_same_origin(exchange: Exchange, operation: Operation | None) -> None:
    """The `next`/`previous` cursor URLs point at the API's own scheme, host and port."""
    if exchange.response.status != 200 or exchange.request.method != "GET":
        raise SkipCheck("not a list page")
    try:
        document = exchange.json()
    except ValueError:
        raise SkipCheck("not JSON") from None
    if not isinstance(document, dict):
        raise SkipCheck("not a list page")
    links = [
        (k, str(document[k])) for k in ("next", "previous") if isinstance(document.get(k), str)
    ]
    if not links:
        raise SkipCheck("no cursor links")
    foreign = foreign_links(exchange, links)
    expect(
        not foreign,
        "A cursor link points at another origin",
        f"{describe(exchange)}: " + "; ".join(foreign),
        contract=SAME_ORIGIN_RULE,
        exchange=exchange,
    )


def _expect_error(exchange: Exchange, status: int, title: str, contract: str) -> None:
    got = exchange.response
    expect(
        got.status == status,
        f"{title}: got {got.status}",
        f"{describe(exchange)}: {got.text(300)}",
        contract=contract,
        exchange=exchange,
    )
    problems = _envelope_problems(exchange)
    expect(
        not problems,
        f"{title}: not in the error envelope",
        f"{describe(exchange)}: " + "; ".join(problems),
        contract=contract,
        exchange=exchange,
    )


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@scenario(API)
def sendcloud_auth_required(ctx: ScenarioContext) -> None:
    """No or wrong credentials are 401 in the error envelope, with a challenge."""
    name = "sendcloud_auth_required"
    with ctx.check(name):
        operations = [op for op in ctx.contract.secured_operations if op.documents(401)]
        if not operations:
            raise SkipCheck("the contract documents no 401")
        username = str(ctx.credentials.get("username") or "conformance")
        attempts: list[tuple[str, bool | str]] = [
            ("no credentials", False),
            ("a wrong secret key", _basic(username, "conformance-wrong-secret")),
            ("an unknown public key", _basic("conformance-unknown-key", "secret")),
            ("a malformed Authorization header", "Basic !!not-base64!!"),
        ]
        for operation in operations:
            for what, auth in attempts:
                exchange = ctx.client.request(
                    operation.method, operation.concrete_path(), auth=auth
                )
                header = operation.documented_header(401, "WWW-Authenticate")
                contract = f"{operation.label} with {what} answers 401 in the error envelope" + (
                    " with a `WWW-Authenticate` challenge." if header else "."
                )
                _expect_error(exchange, 401, f"{operation.label} with {what}", contract)
                if header is not None and header.get("required"):
                    expect(
                        exchange.response.header("www-authenticate") is not None,
                        "401 without a WWW-Authenticate header",
                        describe(exchange),
                        contract=contract,
                        exchange=exchange,
                    )


def _page(ctx: ScenarioContext, url: str) -> tuple[Exchange, dict[str, Any]]:
    exchange = ctx.client.get(url)
    contract = "GET /returns answers 200 with `{next, previous, returns}`."
    expect(
        exchange.response.status == 200,
        f"GET {url} failed: {exchange.response.status}",
        f"{describe(exchange)}: {exchange.response.text(300)}",
        contract=contract,
        exchange=exchange,
    )
    try:
        document = exchange.json()
    except ValueError:
        raise CheckFailed(
            "A returns page is not JSON", describe(exchange), contract=contract, exchange=exchange
        ) from None
    expect(
        isinstance(document, dict) and isinstance(document.get("returns"), list),
        "A returns page has no `returns` array",
        describe(exchange),
        contract=contract,
        exchange=exchange,
    )
    return exchange, document


def _ids(document: dict[str, Any]) -> list[Any]:
    return [r.get("id") if isinstance(r, dict) else None for r in document["returns"]]


@scenario(
    API,
    reports={
        "sendcloud_cursor_chain": "Following `next` visits every return exactly once",
        "sendcloud_list_matches_detail": "Each listed return equals GET /returns/{id}",
        "sendcloud_cursor_previous_walk": "Following `previous` from the last page visits every "
        "return once, back to the first page",
        "sendcloud_pages_match_schema": "Every page reached through cursors matches the "
        "documented schema, types and formats",
    },
)
def sendcloud_list(ctx: ScenarioContext) -> None:
    """Walk the cursor chain of GET /returns and compare listed returns with their details."""
    pages: list[tuple[Exchange, dict[str, Any]]] = []
    with ctx.check("sendcloud_cursor_chain", operation=f"GET {LIST_PATH}"):
        url: str | None = LIST_PATH
        seen_urls: set[str] = set()
        while url is not None:
            last = pages[-1][0] if pages else None
            expect(
                url not in seen_urls,
                "The `next` cursor loops",
                f"`next` repeats {url}",
                contract=CURSOR_CONTRACT,
                exchange=last,
            )
            expect(
                len(pages) < MAX_PAGES,
                "The `next` chain does not end",
                f"more than {MAX_PAGES} pages",
                contract=CURSOR_CONTRACT,
                exchange=last,
            )
            seen_urls.add(url)
            pages.append(_page(ctx, url))
            following = pages[-1][1].get("next")
            expect(
                following is None or isinstance(following, str),
                "`next` is not a URL",
                repr(following),
                contract=CURSOR_CONTRACT,
                exchange=pages[-1][0],
            )
            url = following
        first = pages[0][1]
        expect(
            first.get("previous") is None,
            "The first page has a `previous` link",
            repr(first.get("previous")),
            contract=CURSOR_CONTRACT,
            exchange=pages[0][0],
        )
        ids = [i for _, document in pages for i in _ids(document)]
        duplicates = sorted({i for i in ids if ids.count(i) > 1}, key=str)
        expect(
            not duplicates,
            "Following `next` visits returns twice",
            f"ids seen twice: {duplicates[:5]}",
            contract=CURSOR_CONTRACT,
            exchange=pages[-1][0],
        )
        for index in range(1, len(pages)):
            sizes = len(pages[index - 1][1]["returns"])
            expect(
                index == len(pages) - 1 or len(pages[index][1]["returns"]) == sizes,
                "Pages before the last differ in size",
                f"page {index + 1} has {len(pages[index][1]['returns'])} returns, page "
                f"{index} has {sizes}",
                contract=CURSOR_CONTRACT,
                exchange=pages[index][0],
            )
            previous = pages[index][1].get("previous")
            expect(
                isinstance(previous, str),
                f"Page {index + 1} has no `previous` link",
                repr(previous),
                contract=CURSOR_CONTRACT,
                exchange=pages[index][0],
            )
            back, document = _page(ctx, str(previous))  # a str: expect() raised otherwise
            expect(
                _ids(document) == _ids(pages[index - 1][1]),
                f"`previous` of page {index + 1} is not page {index}: the chain skipped or "
                "repeated returns",
                f"page {index} holds ids {_ids(pages[index - 1][1])[:5]}…, `previous` of "
                f"page {index + 1} holds {_ids(document)[:5]}…",
                contract=CURSOR_CONTRACT,
                exchange=back,
            )
            if index >= 3:
                break  # the first pages prove the links; the rest only cost time
        stamps = [
            r.get("created_at") for _, d in pages for r in d["returns"] if isinstance(r, dict)
        ]
        if all(isinstance(s, str) for s in stamps):
            from datetime import datetime

            try:
                parsed = [datetime.fromisoformat(s) for s in stamps if isinstance(s, str)]
            except ValueError:
                parsed = []
            out_of_order = [i for i in range(1, len(parsed)) if parsed[i] < parsed[i - 1]]
            expect(
                not out_of_order,
                "Returns are not ordered oldest first",
                f"return {ids[out_of_order[0]] if out_of_order else ''} is older than the "
                "one before it",
                contract=CURSOR_CONTRACT,
                exchange=pages[-1][0],
            )
    if not pages:
        for name in (
            "sendcloud_list_matches_detail",
            "sendcloud_cursor_previous_walk",
            "sendcloud_pages_match_schema",
        ):
            ctx.skip(name, "GET /returns could not be read (see sendcloud_cursor_chain)")
        return
    with ctx.check("sendcloud_cursor_previous_walk", operation=f"GET {LIST_PATH}"):
        _check_previous_walk(ctx, pages)
    with ctx.check("sendcloud_pages_match_schema", operation=f"GET {LIST_PATH}"):
        operation = ctx.contract.operation("GET", LIST_PATH)
        if operation is None:
            raise SkipCheck("the contract has no GET /returns")
        for exchange, document in pages:
            schema = response_schema(operation, 200, exchange.response.media_type)
            problems = schema_problems(document, schema) if schema is not None else []
            expect(
                not problems,
                "A page of GET /returns does not match its schema",
                f"{describe(exchange)}: " + "; ".join(problems),
                contract=PAGE_SCHEMA_CONTRACT,
                exchange=exchange,
            )
    with ctx.check("sendcloud_list_matches_detail", operation="GET /returns/{id}"):
        listed = [
            r
            for _, d in pages
            for r in d["returns"]
            if isinstance(r, dict) and r.get("id") is not None
        ]
        if not listed:
            raise SkipCheck("GET /returns lists no return")
        sample = (
            listed
            if len(listed) <= MAX_DETAIL_READS
            else sorted(ctx.rng.sample(listed, MAX_DETAIL_READS), key=lambda r: str(r["id"]))
        )
        contract = "GET /returns/{id} answers 200 with exactly the return that GET /returns lists."
        for listed_return in sample:
            exchange = ctx.client.get(f"{LIST_PATH}/{listed_return['id']}")
            expect(
                exchange.response.status == 200,
                f"Listed return {listed_return['id']} cannot be read",
                f"{describe(exchange)}: {exchange.response.text(200)}",
                contract=contract,
                exchange=exchange,
            )
            try:
                detail = exchange.json()
            except ValueError:
                detail = None
            differences = sorted(
                key
                for key in set(listed_return) | set(detail if isinstance(detail, dict) else {})
                if not isinstance(detail, dict) or listed_return.get(key) != detail.get(key)
            )
            expect(
                not differences,
                f"Return {listed_return['id']} differs from its listing",
                f"different fields: {', '.join(differences[:8])}",
                contract=contract,
                exchange=exchange,
            )


@scenario(API)
def sendcloud_unknown_id_is_404(ctx: ScenarioContext) -> None:
    """An unknown return id is 404 in the envelope, `request` naming the path."""
    name = "sendcloud_unknown_id_is_404"
    operation = ctx.contract.operation("GET", f"{LIST_PATH}/1")
    if operation is None or not operation.documents(404):
        ctx.skip(name, "the contract documents no 404 for GET /returns/{id}")
        return
    with ctx.check(name, operation=operation.label):
        known: set[int] = set()
        first = ctx.client.get(LIST_PATH)
        if first.response.status == 200:
            try:
                known = {r["id"] for r in first.json()["returns"] if isinstance(r.get("id"), int)}
            except (ValueError, KeyError, TypeError, AttributeError):
                known = set()
        unknown = (max(known) if known else 0) + 1_000_000 + ctx.rng.randrange(1000)
        exchange = ctx.client.get(f"{LIST_PATH}/{unknown}")
        _expect_error(
            exchange,
            404,
            f"Unknown return {unknown}",
            "GET /returns/{id} with an unknown id answers 404 in the error "
            "envelope; `error.request` is the request path without the leading "
            "slash (e.g. `api/v2/returns/1`).",
        )


def _check_previous_walk(
    ctx: ScenarioContext, pages: list[tuple[Exchange, dict[str, Any]]]
) -> None:
    """From the last page, `previous` back to the first: every return once, in order."""
    forward = [i for _, document in pages for i in _ids(document)]
    collected = list(_ids(pages[-1][1]))
    url = pages[-1][1].get("previous")
    visited: set[str] = set()
    last = pages[-1][0]
    while isinstance(url, str):
        expect(
            url not in visited and len(visited) <= len(pages),
            "The `previous` links loop or never end",
            f"`previous` leads back to {url}",
            contract=PREVIOUS_WALK_CONTRACT,
            exchange=last,
        )
        visited.add(url)
        last, document = _page(ctx, url)
        collected = _ids(document) + collected
        url = document.get("previous")
    expect(
        collected == forward,
        "Following `previous` from the last page does not visit the same returns",
        f"{len(collected)} returns backwards ({len(visited)} `previous` links) vs "
        f"{len(forward)} forwards; missing {[i for i in forward if i not in collected][:3]}, "
        f"repeated {sorted({i for i in collected if collected.count(i) > 1}, key=str)[:3]}",
        contract=PREVIOUS_WALK_CONTRACT,
        exchange=last,
    )
