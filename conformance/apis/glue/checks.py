"""Business checks of the Spryker Glue Return Management API that no schema can express.

One rule per registered function; the table in ``conformance/README.md`` maps each rule to its
check and source. Response checks (every response, from Schemathesis and from the scenarios):
media type, envelope, error status and code, compound-document linkage and uniqueness, self
links, links on the API's own origin, item sums. Scenarios: the create flow with read-after-write
and return totals, refusals (3601/3603) and what they leave unchanged, pagination both ways and
the schema of every page, the token lifecycle (login, 003, refresh rotation, revocation), auth
errors (002/001/005), unknown and foreign returns (3602), unknown orders (801) and the public
return reasons.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

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
from ...checks.documents import links_of, response_schema, schema_problems
from ...checks.envelopes import (
    JSONAPI_MEDIA_TYPE,
    error_status_matches,
    jsonapi_document_problems,
    jsonapi_error_codes,
    jsonapi_errors,
)
from ...client import ForeignOriginError
from ...model import Exchange
from .pagination import LONE_PAGE_PARAMETER_RULE

API = "glue"
MISSING_TOKEN_CODE = "002"
INVALID_TOKEN_CODE = "001"
RETURN_CANT_BE_CREATED = "3601"
RETURN_NOT_FOUND = "3602"
ORDER_NOT_FOUND = "801"
MAX_PAGES = 100
MAX_ORDERS_SCANNED = 30
PAGINATION_CONTRACT = (
    "Collections take `page[offset]` and `page[limit]` together; with a page requested the "
    "links carry `self`, `first`, `last`, `prev` (offset > 0) and `next` (more to come), each "
    "page holds at most `page[limit]` items, and following `next` visits the whole collection "
    "once, in order. " + LONE_PAGE_PARAMETER_RULE
)


def _skip_without_body(exchange: Exchange) -> None:
    response = exchange.response
    if exchange.request.method in ("HEAD", "OPTIONS") or response.status in (204, 304):
        raise SkipCheck("no body to judge")


def _document(exchange: Exchange) -> Any:
    try:
        return exchange.json()
    except ValueError:
        raise CheckFailed(
            "Body is not JSON",
            f"{describe(exchange)}: {exchange.response.text(200)!r}",
            contract="Every Glue response body is a JSON:API document.",
            exchange=exchange,
        ) from None


# --------------------------------------------------------------------------- response checks


@response_check(API)
def glue_jsonapi_media_type(exchange: Exchange, operation: Operation | None) -> None:
    """Every Glue response is `application/vnd.api+json`."""
    _skip_without_body(exchange)
    media_type = exchange.response.media_type
    expect(
        media_type == JSONAPI_MEDIA_TYPE,
        f"Content-Type is {media_type or 'missing'}, not {JSONAPI_MEDIA_TYPE}",
        f"{describe(exchange)}",
        contract=f"Every Glue request and response body is `{JSONAPI_MEDIA_TYPE}` (JSON:API), "
        "errors included.",
        exchange=exchange,
    )


@response_check(API)
def glue_jsonapi_envelope(exchange: Exchange, operation: Operation | None) -> None:
    """Every Glue body is a JSON:API document: `data` on success, `errors[]` on failure."""
    _skip_without_body(exchange)
    document = _document(exchange)
    problems = jsonapi_document_problems(document, exchange.response.status)
    expect(
        not problems,
        "Not a valid JSON:API document",
        f"{describe(exchange)}: " + "; ".join(problems),
        contract="JSON:API envelope: success responses carry `data` (resource objects with "
        '`type`, `id`, `attributes`, `links`); errors are `{"errors": [{"status", "code", '
        '"detail"}]}`.',
        exchange=exchange,
    )


@response_check(API)
def glue_error_status_and_code(exchange: Exchange, operation: Operation | None) -> None:
    """Every error's `status` is the HTTP status and its `code` is documented for that status."""
    status = exchange.response.status
    if status < 400:
        raise SkipCheck("not an error")
    try:
        document = exchange.json()
    except ValueError:
        raise SkipCheck("not JSON (the envelope check reports it)") from None
    errors = jsonapi_errors(document)
    if not errors:
        raise SkipCheck("no errors[] (the envelope check reports it)")
    wrong = [e.get("status") for e in errors if not error_status_matches(e.get("status"), status)]
    expect(
        not wrong,
        f"errors[].status {wrong[0] if wrong else ''!r} differs from the HTTP status {status}",
        f"{describe(exchange)}: {exchange.response.text(300)}",
        contract="`errors[].status` repeats the HTTP status of the response.",
        exchange=exchange,
    )
    if operation is None or exchange.request.method.upper() != operation.method.upper():
        return  # no operation, or a probe with an undocumented method (Glue's code-less 404)
    codes = [c for c in jsonapi_error_codes(document) if c is not None]
    documented = operation.error_codes(status)
    label = operation.label
    if documented is None or not operation.documents(status):
        expect(
            not codes,
            f"Error code {codes[0] if codes else ''} on undocumented status {status}",
            f"{describe(exchange)}: {exchange.response.text(300)}",
            contract=f"{label} documents {', '.join(operation.responses)}; status {status} and "
            "its error codes are not part of the contract.",
            exchange=exchange,
        )
        return
    if documented.codes:
        missing = [e for e in errors if "code" not in e]
        undocumented = sorted({str(c) for c in codes} - documented.codes)
        allowed = ", ".join(sorted(documented.codes))
        expect(
            not missing and not undocumented,
            f"Error code {undocumented[0] if undocumented else '(none)'} is not documented for "
            f"{status}",
            f"{describe(exchange)}: {exchange.response.text(300)}",
            contract=f"{label} answers {status} only with errors[].code in {{{allowed}}}.",
            exchange=exchange,
        )
    elif documented.forbidden:
        expect(
            not codes,
            f"Framework error {status} carries code {codes[0] if codes else ''}",
            f"{describe(exchange)}: {exchange.response.text(300)}",
            contract=f"{label} documents {status} as a framework error without `code`.",
            exchange=exchange,
        )


# --------------------------------------------------------------------------- helpers


def _data(
    exchange: Exchange, expected_status: int | tuple[int, ...], title: str, contract: str
) -> Any:
    """The `data` of a successful response, or a violation explaining what came instead."""
    statuses = expected_status if isinstance(expected_status, tuple) else (expected_status,)
    expect(
        exchange.response.status in statuses,
        f"{title}: got {exchange.response.status}",
        f"{describe(exchange)}: {exchange.response.text(300)}",
        contract=contract,
        exchange=exchange,
    )
    document = _document(exchange)
    expect(
        isinstance(document, dict) and "data" in document,
        f"{title}: no `data` in the response",
        f"{describe(exchange)}",
        contract=contract,
        exchange=exchange,
    )
    return document["data"]


def _walk(
    ctx: ScenarioContext,
    path: str,
    *,
    anonymous: bool = False,
    title: str = "Collection read failed",
) -> list[dict[str, Any]]:
    """Every resource of a collection, following `links.next` when the server paginates."""
    client = ctx.anonymous if anonymous else ctx.client
    resources: list[dict[str, Any]] = []
    url: str | None = path
    seen: set[str] = set()
    while url and len(seen) < MAX_PAGES:
        seen.add(url)
        exchange = client.get(url)
        data = _data(exchange, 200, title, f"GET {path} answers 200 with a `data` array.")
        expect(
            isinstance(data, list),
            f"{title}: `data` is not an array",
            describe(exchange),
            exchange=exchange,
        )
        resources += [r for r in data if isinstance(r, dict)]
        links = (exchange.json().get("links") or {}) if isinstance(exchange.json(), dict) else {}
        url = links.get("next") if isinstance(links, dict) else None
        if url in seen:
            break
    return resources


def _key(resource: dict[str, Any]) -> str:
    """Identity of a resource; resources without an id (return-reasons) by their attributes."""
    if resource.get("id") is not None:
        return f"{resource.get('type')}:{resource['id']}"
    return f"{resource.get('type')}:{json.dumps(resource.get('attributes'), sort_keys=True)}"


def _order_items(
    ctx: ScenarioContext, reference: str, client: Any = None
) -> tuple[Exchange, list[dict]]:
    exchange = (client or ctx.client).get(f"/orders/{reference}")
    data = _data(
        exchange,
        200,
        f"GET /orders/{reference} failed",
        "GET /orders/{orderReference} answers 200 with the order and its items.",
    )
    items = ((data or {}).get("attributes") or {}).get("items") or []
    return exchange, [item for item in items if isinstance(item, dict)]


def _scan_items(ctx: ScenarioContext, client: Any = None) -> list[tuple[str, dict[str, Any]]]:
    """``(order reference, item)`` for the items of the client's orders (the first orders)."""
    client = client or ctx.client
    orders = _walk(ctx.with_client(client), "/orders", title="GET /orders failed")
    found = []
    for order in orders[:MAX_ORDERS_SCANNED]:
        reference = order.get("id")
        if isinstance(reference, str):
            _, items = _order_items(ctx, reference, client)
            found += [(reference, item) for item in items if isinstance(item.get("uuid"), str)]
    return found


def _returnable(items: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [(order, item) for order, item in items if item.get("isReturnable") is True]


def _find_returnable_item(ctx: ScenarioContext, client: Any = None) -> tuple[str, str] | None:
    """(order reference, sales order item uuid) of a returnable item of the client's orders."""
    found = _returnable(_scan_items(ctx, client))
    return (found[0][0], found[0][1]["uuid"]) if found else None


NO_RETURNABLE_ITEM = (
    "no returnable item left (no order item with isReturnable: true in GET /orders): reset the "
    "target or pass another account (--username/--password)"
)
TOTALS_CONTRACT = (
    "`returnTotals` are the sums over the return's items: `remunerationTotal` ('Total sum of "
    "remuneration') is the sum of the returned items' amount to pay back (`refundableAmount`, "
    "equal to `sumPriceToPayAggregation` in the documented sample: 23026 + 26772 = 49798), and "
    "`refundTotal` ('Total sum of refunds') is 0 on a new return, nothing being refunded yet "
    "(seed 001 create sample and attribute table; Spryker's ReturnTotalCalculator)."
)


def _check_created_totals(created: Exchange, items: list[dict[str, Any]]) -> None:
    """`returnTotals` of a just-created return against the items it returns (read before)."""
    data = created.json().get("data") or {}
    totals = (data.get("attributes") or {}).get("returnTotals")
    expect(
        isinstance(totals, dict),
        "The created return has no returnTotals",
        describe(created),
        contract=TOTALS_CONTRACT,
        exchange=created,
    )
    assert isinstance(totals, dict)  # expect() raised otherwise
    candidates: dict[str, int] = {}
    for member in ("refundableAmount", "sumPriceToPayAggregation"):
        amounts = [item.get(member) for item in items]
        if all(_integer(a) for a in amounts):
            candidates[member] = sum(int(a) for a in amounts if a is not None)
    if not candidates:
        raise SkipCheck("the returned items show neither refundableAmount nor a price to pay")
    remuneration = totals.get("remunerationTotal")
    expect(
        remuneration in candidates.values(),
        f"remunerationTotal {remuneration!r} is not the sum of the items' amounts",
        "sums of the returned items, read from GET /orders/{ref} before the return: "
        + ", ".join(f"{k} {v}" for k, v in candidates.items()),
        contract=TOTALS_CONTRACT,
        exchange=created,
    )
    canceled = [item.get("canceledAmount") or 0 for item in items]
    refund = totals.get("refundTotal")
    allowed = {0} | ({sum(canceled)} if all(_integer(c) for c in canceled) else set())
    expect(
        refund in allowed,
        f"refundTotal {refund!r} on a return that was just created",
        f"expected {' or '.join(map(str, sorted(allowed)))} (nothing refunded yet)",
        contract=TOTALS_CONTRACT,
        exchange=created,
    )


def _store(ctx: ScenarioContext) -> str:
    if ctx.credentials.get("store"):
        return str(ctx.credentials["store"])
    create = ctx.contract.by_id("createReturn")
    example = create.request_example() if create else None
    if not isinstance(example, dict):
        return "DE"
    try:
        return str(example["data"]["attributes"]["store"])
    except (TypeError, KeyError):
        return "DE"


def _return_body(store: str, uuid: str) -> dict[str, Any]:
    return {
        "data": {
            "type": "returns",
            "attributes": {
                "store": store,
                "returnItems": [{"salesOrderItemUuid": uuid, "reason": "conformance check"}],
            },
        }
    }


def _statuses(ctx: ScenarioContext, operation_id: str, code: str, default: int) -> tuple[int, ...]:
    operation = ctx.contract.by_id(operation_id)
    found = operation.statuses_with_code(code) if operation else []
    return tuple(found or [default])


def _has_code(exchange: Exchange, code: str) -> bool:
    try:
        return code in jsonapi_error_codes(exchange.json())
    except ValueError:
        return False


def _expect_error(
    exchange: Exchange, statuses: tuple[int, ...], code: str, title: str, contract: str
) -> None:
    got = exchange.response
    codes: list[str | None] = []
    with contextlib.suppress(ValueError):
        codes = jsonapi_error_codes(exchange.json())
    expect(
        got.status in statuses and code in codes,
        f"{title}: got {got.status} with codes {codes or '(none)'}",
        f"{describe(exchange)}: {got.text(300)}",
        contract=contract,
        exchange=exchange,
    )


# --------------------------------------------------------------------------- scenarios


@scenario(
    API,
    reports={
        "glue_create_return_flow": "A returnable item can be returned: 201, then readable and "
        "listed as created",
        "glue_returned_item_not_returnable": "After its return the item is no longer returnable",
        "glue_duplicate_return_is_422_3601": "Returning the same item again is refused with "
        "422/3601",
        "glue_created_return_totals": "A new return's totals are the sums of its items' amounts",
    },
)
def glue_create_return(ctx: ScenarioContext) -> None:
    """Create a return for a returnable item and follow it through the API."""
    flow = "glue_create_return_flow"
    state: dict[str, Any] = {}
    with ctx.check(flow, operation="POST /returns"):
        found = _returnable(_scan_items(ctx))
        if not found:
            raise SkipCheck(NO_RETURNABLE_ITEM)
        order_reference, item = found[0]
        uuid = item["uuid"]
        state["item"] = item
        body = _return_body(_store(ctx), uuid)
        created = ctx.client.post("/returns", json=body)
        contract = (
            "POST /returns with returnable items of the customer answers 201 with the "
            "return; GET /returns/{returnReference} and GET /returns then show it."
        )
        if created.response.status == 422:
            contract += (
                f" (The request named store {body['data']['attributes']['store']!r}; pass "
                "--store if the customer's orders belong to another store.)"
            )
        data = _data(created, 201, "Creating a return of a returnable item failed", contract)
        expect(
            isinstance(data, dict)
            and data.get("type") == "returns"
            and isinstance(data.get("id"), str),
            "The created resource is not a `returns` resource with an id",
            describe(created),
            contract=contract,
            exchange=created,
        )
        reference = data["id"]
        read = ctx.client.get(f"/returns/{reference}")
        again = _data(read, 200, "The created return cannot be read", contract)
        differences = [
            member
            for member in ("type", "id", "attributes")
            if (again or {}).get(member) != data.get(member)
        ]
        if not differences:
            created_attributes = data.get("attributes") or {}
            read_attributes = (again or {}).get("attributes") or {}
            differences = sorted(
                k
                for k in set(created_attributes) | set(read_attributes)
                if created_attributes.get(k) != read_attributes.get(k)
            )
        expect(
            not differences,
            f"GET /returns/{reference} differs from the created return",
            f"different members: {', '.join(differences)}",
            contract=contract,
            exchange=read,
        )
        listed = {_key(r) for r in _walk(ctx, "/returns", title="GET /returns failed")}
        expect(
            f"returns:{reference}" in listed,
            "The created return is not listed",
            f"GET /returns (all pages) does not contain {reference}",
            contract=contract,
            exchange=ctx.client.exchanges[-1],
        )
        state.update(
            order=order_reference, uuid=uuid, body=body, reference=reference, created=created
        )
    if not ctx.ok(flow):
        for name in (
            "glue_returned_item_not_returnable",
            "glue_duplicate_return_is_422_3601",
            "glue_created_return_totals",
        ):
            ctx.skip(name, f"needs a created return ({flow} did not pass; see its note)")
        return
    with ctx.check("glue_created_return_totals", operation="POST /returns"):
        _check_created_totals(state["created"], [state["item"]])
    with ctx.check("glue_returned_item_not_returnable", operation="GET /orders/{orderReference}"):
        exchange, items = _order_items(ctx, state["order"])
        returned = [i for i in items if i.get("uuid") == state["uuid"]]
        contract = (
            "An item in a return is no longer returnable: `isReturnable` is false in "
            "GET /orders/{orderReference}."
        )
        expect(
            bool(returned),
            "The returned item vanished from its order",
            f"order {state['order']} no longer lists item {state['uuid']}",
            contract=contract,
            exchange=exchange,
        )
        item = returned[0]
        expect(
            item.get("isReturnable") is False,
            "The returned item is still returnable",
            f"item {state['uuid']} of order {state['order']} has isReturnable="
            f"{item.get('isReturnable')!r} after return {state['reference']}",
            contract=contract,
            exchange=exchange,
        )
    with ctx.check("glue_duplicate_return_is_422_3601", operation="POST /returns"):
        statuses = _statuses(ctx, "createReturn", RETURN_CANT_BE_CREATED, 422)
        second = ctx.client.post("/returns", json=state["body"])
        _expect_error(
            second,
            statuses,
            RETURN_CANT_BE_CREATED,
            "A second return of an already returned item was not refused",
            f"POST /returns with an item that is already in a return answers "
            f"{'/'.join(map(str, statuses))} with code {RETURN_CANT_BE_CREATED}.",
        )


PREV_WALK_CONTRACT = (
    "Pagination works both ways: from the last page, following `prev` until the first page "
    "(which has none) visits the same items as `next` did, with no gaps or repeats "
    "(domain-facts A2b: `prev` if offset > 0, `next` if more follow; contract `CollectionLinks`)."
)
PAGE_SCHEMA_CONTRACT = (
    "Every page of a collection, not only the first, matches the documented 200 schema, types "
    "and formats included"
)


@scenario(
    API,
    reports={
        "glue_pagination_links": "Pagination links are consistent: `next` reaches the next "
        "page, no duplicates or gaps",
        "glue_pagination_prev_walk": "Following `prev` from the last page visits the same items",
        "glue_pages_match_schema": "Every page reached through links matches the documented "
        "schema, types and formats",
    },
)
def glue_pagination_links(ctx: ScenarioContext) -> None:
    """Pagination links are consistent: `next` reaches the next page, no duplicates or gaps."""
    name = "glue_pagination_links"
    collections = [
        op
        for op in ctx.contract.operations
        if op.method == "GET"
        and "{" not in op.path
        and op.has_query_parameters("page[offset]", "page[limit]")
    ]
    followers = ("glue_pagination_prev_walk", "glue_pages_match_schema")
    if not collections:
        for each in (name, *followers):
            ctx.skip(each, "the contract declares no paginated collection")
        return
    walked: list[tuple[Operation, list[tuple[Exchange, list[str], dict[str, Any]]]]] = []
    with ctx.check(name):
        for operation in collections:
            pages = _check_collection_pages(ctx, operation)
            if pages:
                walked.append((operation, pages))
        if not walked:
            raise SkipCheck(
                "no collection has two items or more to page through: create returns first "
                "or pass a customer with two orders or more"
            )
    if not walked:
        for each in followers:
            ctx.skip(each, f"needs pages ({name} did not walk any; see its note)")
        return
    with ctx.check("glue_pagination_prev_walk"):
        for operation, pages in walked:
            _check_prev_walk(ctx, operation, pages)
    with ctx.check("glue_pages_match_schema"):
        for operation, pages in walked:
            for exchange, _, _ in pages:
                _check_page_schema(operation, exchange)


def _page_keys(exchange: Exchange) -> list[str]:
    try:
        data = exchange.json().get("data")
    except (ValueError, AttributeError):
        data = None
    return [_key(r) for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def _check_prev_walk(
    ctx: ScenarioContext,
    operation: Operation,
    pages: list[tuple[Exchange, list[str], dict[str, Any]]],
) -> None:
    """From the last page, `prev` back to the first: the same items, in the same order."""
    client = ctx.client if operation.secured else ctx.anonymous
    where = f"GET {operation.path}"
    forward = [key for _, keys, _ in pages for key in keys]
    collected = list(pages[-1][1])
    url = pages[-1][2].get("prev")
    visited: set[str] = set()
    last = pages[-1][0]
    while isinstance(url, str):
        expect(
            url not in visited and len(visited) <= len(pages),
            f"{where}: the `prev` links loop or never end",
            f"`prev` leads back to {url}",
            contract=PREV_WALK_CONTRACT,
            exchange=last,
        )
        visited.add(url)
        last = client.get(url)
        _data(last, 200, f"{where}: a `prev` link fails", PREV_WALK_CONTRACT)
        collected = _page_keys(last) + collected
        links = last.json().get("links")
        url = links.get("prev") if isinstance(links, dict) else None
    expect(
        collected == forward,
        f"{where}: following `prev` from the last page does not visit the same items",
        f"{len(collected)} items backwards ({len(visited)} `prev` links) vs {len(forward)} "
        f"forwards; missing {[k for k in forward if k not in collected][:3]}, repeated "
        f"{sorted({k for k in collected if collected.count(k) > 1})[:3]}",
        contract=PREV_WALK_CONTRACT,
        exchange=last,
    )


def _check_page_schema(operation: Operation, exchange: Exchange) -> None:
    schema = response_schema(operation, exchange.response.status, exchange.response.media_type)
    if schema is None:
        return
    problems = schema_problems(exchange.json(), schema)
    expect(
        not problems,
        f"GET {operation.path}: a page does not match its schema",
        f"{describe(exchange)}: " + "; ".join(problems),
        contract=f"{PAGE_SCHEMA_CONTRACT}: {operation.label} → 200 "
        f"({', '.join((operation.response_for(200) or {}).get('content') or {})}).",
        exchange=exchange,
    )


def _check_collection_pages(
    ctx: ScenarioContext, operation: Operation
) -> list[tuple[Exchange, list[str], dict[str, Any]]] | None:
    anonymous = not operation.secured
    client = ctx.anonymous if anonymous else ctx.client
    full = [
        _key(r)
        for r in _walk(
            ctx, operation.path, anonymous=anonymous, title=f"GET {operation.path} failed"
        )
    ]
    if len(full) < 2:
        return None
    limit = 2 if len(full) >= 3 else 1
    query = urlencode({"page[offset]": 0, "page[limit]": limit}, safe="[]")
    url: str | None = f"{operation.path}?{query}"
    pages: list[tuple[Exchange, list[str], dict[str, Any]]] = []
    visited: set[str] = set()
    where = f"GET {operation.path}"
    while url:
        last = pages[-1][0] if pages else None
        expect(
            url not in visited,
            f"{where}: the `next` links loop",
            f"`next` points back to {url}",
            contract=PAGINATION_CONTRACT,
            exchange=last,
        )
        expect(
            len(pages) <= len(full),
            f"{where}: `next` never ends",
            f"more pages than the {len(full)} items of the collection",
            contract=PAGINATION_CONTRACT,
            exchange=last,
        )
        visited.add(url)
        exchange = client.get(url)
        data = _data(exchange, 200, f"{where}: a page failed", PAGINATION_CONTRACT)
        expect(
            isinstance(data, list),
            f"{where}: `data` is not an array",
            describe(exchange),
            exchange=exchange,
        )
        links = exchange.json().get("links") or {}
        keys = [_key(r) for r in data if isinstance(r, dict)]
        expect(
            len(keys) <= limit,
            f"{where}: page[limit]={limit} not honoured",
            f"{len(keys)} items on page {len(pages) + 1}",
            contract=PAGINATION_CONTRACT,
            exchange=exchange,
        )
        pages.append((exchange, keys, links if isinstance(links, dict) else {}))
        url = pages[-1][2].get("next")
    for index, (exchange, keys, links) in enumerate(pages):
        number = index + 1
        if index < len(pages) - 1:
            expect(
                len(keys) == limit,
                f"{where}: page {number} is short but has a `next` link",
                f"{len(keys)} of {limit} items",
                contract=PAGINATION_CONTRACT,
                exchange=exchange,
            )
        for member in ("first", "last"):
            expect(
                isinstance(links.get(member), str),
                f"{where}: no `{member}` link",
                f"page {number} of a paged request has no links.{member}",
                contract=PAGINATION_CONTRACT,
                exchange=exchange,
            )
        expect(
            (index == 0) == ("prev" not in links),
            f"{where}: `prev` link {'present on the first' if index == 0 else 'missing on'} "
            f"page {number}",
            f"links: {sorted(links)}",
            contract=PAGINATION_CONTRACT,
            exchange=exchange,
        )
    walked = [key for _, keys, _ in pages for key in keys]
    chain = " → ".join(
        f"{exchange.request.url.split('?', 1)[-1]} ({len(keys)} items)"
        for exchange, keys, _ in pages
    )
    duplicates = sorted({k for k in walked if walked.count(k) > 1})
    expect(
        not duplicates,
        f"{where}: following `next` repeats items",
        f"seen twice: {', '.join(duplicates[:5])}; pages visited: {chain}",
        contract=PAGINATION_CONTRACT,
        exchange=pages[-1][0],
    )
    missing = [k for k in full if k not in walked]
    expect(
        not missing,
        f"{where}: following `next` skips items",
        f"{len(missing)} of {len(full)} items never appear, e.g. {', '.join(missing[:3])}; "
        f"pages visited through `next`: {chain}",
        contract=PAGINATION_CONTRACT,
        exchange=pages[-1][0],
    )
    expect(
        walked == full,
        f"{where}: pages are not in collection order",
        f"paged order {walked[:6]}… vs unpaged {full[:6]}…",
        contract=PAGINATION_CONTRACT,
        exchange=pages[-1][0],
    )
    first_page, last_page = pages[0], pages[-1]
    for member, page in (("first", first_page), ("last", last_page)):
        exchange = client.get(page[2][member])
        data = _data(exchange, 200, f"{where}: the `{member}` link fails", PAGINATION_CONTRACT)
        keys = [_key(r) for r in data if isinstance(r, dict)] if isinstance(data, list) else []
        expect(
            keys == page[1],
            f"{where}: the `{member}` link is not the {member} page",
            f"{keys} vs {page[1]}",
            contract=PAGINATION_CONTRACT,
            exchange=exchange,
        )
    if len(pages) > 1:
        exchange = client.get(pages[1][2]["prev"])
        data = _data(exchange, 200, f"{where}: the `prev` link fails", PAGINATION_CONTRACT)
        keys = [_key(r) for r in data if isinstance(r, dict)] if isinstance(data, list) else []
        expect(
            keys == first_page[1],
            f"{where}: `prev` of page 2 is not page 1",
            f"{keys} vs {first_page[1]}",
            contract=PAGINATION_CONTRACT,
            exchange=exchange,
        )
    return pages


@scenario(
    API,
    reports={
        "glue_missing_token_is_403_002": "A protected resource without a token is 403/002",
        "glue_bad_token_is_401_001": "A bad token is 401/001 with WWW-Authenticate",
    },
)
def glue_auth_errors(ctx: ScenarioContext) -> None:
    """Protected operations refuse missing and bad tokens with the documented errors."""
    operations = ctx.contract.secured_operations
    with ctx.check("glue_missing_token_is_403_002"):
        if not operations:
            raise SkipCheck("the contract has no protected operation")
        for operation in operations:
            statuses = operation.statuses_with_code(MISSING_TOKEN_CODE)
            if not statuses:
                continue
            exchange = _call(ctx, operation, auth=False)
            _expect_error(
                exchange,
                tuple(statuses),
                MISSING_TOKEN_CODE,
                f"{operation.label} without a token",
                f"{operation.label} without `Authorization` answers "
                f"{'/'.join(map(str, statuses))} with code {MISSING_TOKEN_CODE}.",
            )
    with ctx.check("glue_bad_token_is_401_001"):
        _check_public_bad_token(ctx)
        if not operations:
            raise SkipCheck("the contract has no protected operation")
        tokens = ["Bearer conformance-invalid-token"]
        real = ctx.client.auth_header or ""
        if real.lower().startswith("bearer ") and len(real) > 12:
            flipped = "A" if real[-2] != "A" else "B"
            tokens.append(real[:-2] + flipped + real[-1])  # a tampered signature
        for operation in operations:
            statuses = operation.statuses_with_code(INVALID_TOKEN_CODE)
            if not statuses:
                continue
            header = operation.documented_header(statuses[0], "WWW-Authenticate")
            sent, tokens = tokens, tokens[:1]  # the tampered token once is enough
            for token in sent:
                exchange = _call(ctx, operation, auth=token)
                contract = (
                    f"{operation.label} with an invalid or expired token answers "
                    f"{'/'.join(map(str, statuses))} with code {INVALID_TOKEN_CODE}"
                )
                _expect_error(
                    exchange,
                    tuple(statuses),
                    INVALID_TOKEN_CODE,
                    f"{operation.label} with a bad token",
                    contract + ".",
                )
                if header is None:
                    continue
                value = exchange.response.header("www-authenticate")
                documented = (header.get("schema") or {}).get("const")
                contract += " and `WWW-Authenticate" + (f": {documented}`." if documented else "`.")
                expect(
                    value is not None,
                    "401 without a WWW-Authenticate header",
                    describe(exchange),
                    contract=contract,
                    exchange=exchange,
                )
                assert value is not None  # expect() raised otherwise
                expect(
                    value.lower().startswith("bearer"),
                    f"WWW-Authenticate is {value!r}, not a Bearer challenge",
                    describe(exchange),
                    contract=contract,
                    exchange=exchange,
                )
                expect(
                    documented is None or value == documented,
                    f"WWW-Authenticate is {value!r}, not {documented!r}",
                    describe(exchange),
                    contract=contract,
                    exchange=exchange,
                )


PUBLIC_BAD_TOKEN_CONTRACT = (
    "An invalid or expired token is refused on every resource, public ones included, with 401, "
    'code 001 and `WWW-Authenticate: Bearer realm="Access to shop API"` (domain-facts A3, '
    "A4: present but invalid → 001/401). A Spryker version may instead ignore a token on a "
    "public route (`AccessTokenValidator` returns early there), so a success is accepted; any "
    "other refusal is not."
)


def _check_public_bad_token(ctx: ScenarioContext) -> None:
    """A bad token on a public GET resource: ignored (2xx) or 401/001 with the challenge."""
    public = [
        op
        for op in ctx.contract.operations
        if not op.secured and op.method == "GET" and "{" not in op.path
    ]
    for operation in public:
        exchange = ctx.client.request(  # judged here: the contract may not list this 401
            "GET", operation.path, auth="Bearer conformance-invalid-token", check=False
        )
        if 200 <= exchange.response.status < 300:
            continue
        _expect_error(
            exchange,
            (401,),
            INVALID_TOKEN_CODE,
            f"{operation.label} (public) with a bad token",
            PUBLIC_BAD_TOKEN_CONTRACT,
        )
        value = exchange.response.header("www-authenticate") or ""
        expect(
            value.lower().startswith("bearer"),
            f"{operation.label} (public): 401/001 without a Bearer WWW-Authenticate",
            describe(exchange),
            contract=PUBLIC_BAD_TOKEN_CONTRACT,
            exchange=exchange,
        )


def _call(ctx: ScenarioContext, operation: Operation, *, auth: bool | str) -> Exchange:
    """Call ``operation`` with documented example parameters and body."""
    body = operation.request_example() if operation.method in ("POST", "PATCH", "PUT") else None
    return ctx.client.request(operation.method, operation.concrete_path(), json=body, auth=auth)


@scenario(API)
def glue_unknown_return_is_404_3602(ctx: ScenarioContext) -> None:
    """An unknown return reference is 404 with code 3602."""
    name = "glue_unknown_return_is_404_3602"
    with ctx.check(name, operation="GET /returns/{returnReference}"):
        statuses = _statuses(ctx, "getReturn", RETURN_NOT_FOUND, 404)
        mine = _walk(ctx, "/returns", title="GET /returns failed")
        customer = next(
            (
                ((r.get("attributes") or {}).get("customerReference"))
                for r in mine
                if isinstance(r.get("attributes"), dict)
            ),
            None,
        )
        references = [f"CONFORMANCE-{ctx.rng.randrange(16**8):08x}"]
        if isinstance(customer, str):
            references.append(f"{customer}-R{ctx.rng.randrange(10**6, 10**7)}")
        for reference in references:
            exchange = ctx.client.get(f"/returns/{reference}")
            _expect_error(
                exchange,
                statuses,
                RETURN_NOT_FOUND,
                f"Unknown return {reference}",
                f"GET /returns/{{returnReference}} with an unknown reference answers "
                f"{'/'.join(map(str, statuses))} with code {RETURN_NOT_FOUND}.",
            )


@scenario(API)
def glue_unknown_order_is_404_801(ctx: ScenarioContext) -> None:
    """An unknown order reference is 404 with code 801."""
    name = "glue_unknown_order_is_404_801"
    operation = ctx.contract.by_id("getOrder")
    if operation is None:
        ctx.skip(name, "the contract has no getOrder operation")
        return
    with ctx.check(name, operation=operation.label):
        statuses = _statuses(ctx, "getOrder", ORDER_NOT_FOUND, 404)
        reference = f"CONFORMANCE-{ctx.rng.randrange(16**8):08x}"
        exchange = ctx.client.get(operation.concrete_path(orderReference=reference))
        _expect_error(
            exchange,
            statuses,
            ORDER_NOT_FOUND,
            f"Unknown order {reference}",
            f"GET /orders/{{orderReference}} with an unknown reference answers "
            f"{'/'.join(map(str, statuses))} with code {ORDER_NOT_FOUND}.",
        )


@scenario(API)
def glue_foreign_return_is_404_3602(ctx: ScenarioContext) -> None:
    """Another customer's return is answered exactly like an unknown one (404/3602)."""
    name = "glue_foreign_return_is_404_3602"
    if ctx.other is None:
        ctx.skip(name, "needs a second customer (--other-username/--other-password)")
        return
    with ctx.check(name, operation="GET /returns/{returnReference}"):
        statuses = _statuses(ctx, "getReturn", RETURN_NOT_FOUND, 404)
        contract = (
            "A return of another customer is answered exactly like an unknown one: "
            f"{'/'.join(map(str, statuses))} with code {RETURN_NOT_FOUND}, and it is "
            "never listed in GET /returns."
        )
        other = ctx.with_client(ctx.other)
        listed_for_them = _walk(other, "/returns", title="GET /returns (second customer) failed")
        theirs: list[str] = [r["id"] for r in listed_for_them if isinstance(r.get("id"), str)]
        if not theirs:
            found = _find_returnable_item(ctx, ctx.other)
            if found is not None:
                created = ctx.other.post("/returns", json=_return_body(_store(ctx), found[1]))
                data = _data(
                    created,
                    201,
                    "Creating a return for the second customer failed",
                    "POST /returns with a returnable item answers 201.",
                )
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    theirs.append(data["id"])
        if not theirs:
            raise SkipCheck("the second customer has no return and no returnable item")
        listed = _walk(ctx, "/returns", title="GET /returns failed")
        mine = {r["id"] for r in listed if isinstance(r.get("id"), str)}
        shared = sorted(set(theirs) & mine)
        expect(
            not shared,
            "Another customer's return is listed",
            f"GET /returns lists {', '.join(shared)} of the second customer",
            contract=contract,
            exchange=ctx.client.exchanges[-1],
        )
        for reference in theirs[:2]:
            exchange = ctx.client.get(f"/returns/{reference}")
            _expect_error(
                exchange,
                statuses,
                RETURN_NOT_FOUND,
                f"Another customer's return {reference} is not hidden",
                contract,
            )
        for reference in sorted(r for r in mine if isinstance(r, str))[:1]:
            exchange = ctx.other.get(f"/returns/{reference}")
            _expect_error(
                exchange,
                statuses,
                RETURN_NOT_FOUND,
                f"Return {reference} is visible to another customer",
                contract,
            )


@scenario(API)
def glue_return_reasons_public(ctx: ScenarioContext) -> None:
    """`/return-reasons` works without a token and lists return-reasons."""
    name = "glue_return_reasons_public"
    operation = ctx.contract.operation("GET", "/return-reasons")
    if operation is None:
        ctx.skip(name, "the contract has no GET /return-reasons")
        return
    with ctx.check(name, operation=operation.label):
        contract = "GET /return-reasons is public: 200 with `return-reasons` resources, no token."
        exchange = ctx.anonymous.get(operation.path)
        data = _data(exchange, 200, "GET /return-reasons without a token failed", contract)
        expect(
            isinstance(data, list) and bool(data),
            "No return reasons listed",
            describe(exchange),
            contract=contract,
            exchange=exchange,
        )
        wrong = [
            r.get("type")
            for r in data
            if not isinstance(r, dict) or r.get("type") != "return-reasons"
        ]
        expect(
            not wrong,
            f"Resources of type {wrong[0] if wrong else ''!r} listed",
            describe(exchange),
            contract=contract,
            exchange=exchange,
        )


# --------------------------------------------------------------------------- documents and links

INCLUDED_CONTRACT = (
    "JSON:API compound documents: every resource in `included` is reached from the primary data "
    "through relationship linkage (full linkage), and each relationship named in `include` has "
    "its linked resources in `included` (JSON:API 1.1 'Compound Documents'; contract glue-A2: "
    "`include=return-items,order-items` adds `relationships` and a compound `included` array)."
)
UNIQUE_CONTRACT = (
    "A compound document MUST NOT include more than one resource object for each `type` and "
    "`id` pair (JSON:API 1.1 'Compound Documents')."
)
SELF_LINK_CONTRACT = (
    "Each resource object links to itself: `links.self` is `{glueDomain}/{type}/{id}` "
    "(`{glueDomain}/{type}` for the id-less `return-reasons` and tokens; "
    "`returns/{ref}/return-items/{uuid}` and `orders/{ref}/order-items/{uuid}` for included "
    "items), plus the request's query string on the requested type (domain-facts A2b, A1; "
    "contract `SelfLink`)."
)
TOP_SELF_CONTRACT = (
    "A collection document has a top-level `links.self` naming the requested collection, "
    "`{glueDomain}/{type}{?query}` (domain-facts A2b; contract `CollectionLinks`, required `self`)."
)
SUMS_CONTRACT = (
    "Money is integer cents and adds up: `sumPrice` ('Sum of the prices') is `unitPrice` "
    "('Single item price') * `quantity`, likewise `sumGrossPrice`/`unitGrossPrice` and "
    "`sumNetPrice`/`unitNetPrice` (seed 001 attribute table and samples; contract `OrderItem`)."
)
SUM_PAIRS = (
    ("unitPrice", "sumPrice"),
    ("unitGrossPrice", "sumGrossPrice"),
    ("unitNetPrice", "sumNetPrice"),
)


def _success_document(exchange: Exchange) -> dict[str, Any]:
    """The JSON object of a 2xx response, or a skip (other checks judge the rest)."""
    _skip_without_body(exchange)
    if not 200 <= exchange.response.status < 300:
        raise SkipCheck("not a success")
    try:
        document = exchange.json()
    except ValueError:
        raise SkipCheck("not JSON (the envelope check reports it)") from None
    if not isinstance(document, dict):
        raise SkipCheck("not an object (the envelope check reports it)")
    return document


def _resources(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(where, resource)`` for the primary data and every included resource."""
    data = document.get("data")
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(data, dict):
        found.append(("data", data))
    elif isinstance(data, list):
        found += [(f"data[{i}]", r) for i, r in enumerate(data) if isinstance(r, dict)]
    included = document.get("included")
    if isinstance(included, list):
        found += [(f"included[{i}]", r) for i, r in enumerate(included) if isinstance(r, dict)]
    return found


def _identity(resource: Any) -> tuple[str, str] | None:
    if (
        isinstance(resource, dict)
        and isinstance(resource.get("type"), str)
        and isinstance(resource.get("id"), str)
    ):
        return resource["type"], resource["id"]
    return None


def _linkage(resource: dict[str, Any]) -> list[tuple[str, tuple[str, str]]]:
    """``(relationship name, (type, id))`` for each resource identifier ``resource`` links to."""
    found = []
    relationships = resource.get("relationships")
    for name, relationship in (relationships if isinstance(relationships, dict) else {}).items():
        linkage = relationship.get("data") if isinstance(relationship, dict) else None
        for item in linkage if isinstance(linkage, list) else [linkage]:
            identity = _identity(item)
            if identity is not None:
                found.append((name, identity))
    return found


def _requested_includes(exchange: Exchange) -> set[str]:
    query = parse_qs(urlsplit(exchange.request.url).query)
    names: set[str] = set()
    for value in query.get("include", []):
        for path in value.split(","):
            names.update(part.strip() for part in path.split(".") if part.strip())
    return names


@response_check(API)
def glue_included_linkage(exchange: Exchange, operation: Operation | None) -> None:
    """Compound documents: every included resource is linked, every requested one included."""
    document = _success_document(exchange)
    primary = [r for where, r in _resources(document) if where.startswith("data")]
    included: dict[tuple[str, str], Any] = {}
    for where, resource in _resources(document):
        identity = _identity(resource)
        if where.startswith("included") and identity is not None:
            included[identity] = resource
    if not included and not any(_linkage(r) for r in primary):
        raise SkipCheck("not a compound document")
    reached: set[tuple[str, str]] = set()
    queue = list(primary)
    while queue:
        for _, identity in _linkage(queue.pop()):
            if identity not in reached:
                reached.add(identity)
                if identity in included:
                    queue.append(included[identity])
    orphans = sorted(f"{t}:{i}" for (t, i) in included if (t, i) not in reached)
    expect(
        not orphans,
        f"Included resource {orphans[0] if orphans else ''} is linked from nothing",
        f"{describe(exchange)}: no relationship of the primary data (or of another included "
        f"resource) names {', '.join(orphans[:5])}",
        contract=INCLUDED_CONTRACT,
        exchange=exchange,
    )
    requested = _requested_includes(exchange)
    primary_ids = {_identity(r) for r in primary}
    missing = sorted(
        f"{name} → {t}:{i}"
        for _, resource in _resources(document)
        for name, (t, i) in _linkage(resource)
        if name in requested and (t, i) not in included and (t, i) not in primary_ids
    )
    expect(
        not missing,
        f"Requested relationship {missing[0].split(' ')[0] if missing else ''} is not included",
        f"{describe(exchange)}: linkage without its resource in `included`: "
        f"{', '.join(missing[:5])}",
        contract=INCLUDED_CONTRACT,
        exchange=exchange,
    )


@response_check(API)
def glue_included_unique(exchange: Exchange, operation: Operation | None) -> None:
    """A compound document holds each `type`/`id` pair once."""
    document = _success_document(exchange)
    if not isinstance(document.get("included"), list):
        raise SkipCheck("no `included`")
    seen: list[tuple[str, str]] = [
        identity for _, r in _resources(document) if (identity := _identity(r)) is not None
    ]
    twice = sorted({f"{t}:{i}" for (t, i) in seen if seen.count((t, i)) > 1})
    expect(
        not twice,
        f"Resource {twice[0] if twice else ''} appears more than once",
        f"{describe(exchange)}: repeated in `data`/`included`: {', '.join(twice[:5])}",
        contract=UNIQUE_CONTRACT,
        exchange=exchange,
    )


@response_check(API)
def glue_resource_self_link(exchange: Exchange, operation: Operation | None) -> None:
    """Each resource object's `links.self` names that resource (`…/{type}/{id}`)."""
    document = _success_document(exchange)
    resources = _resources(document)
    if not resources:
        raise SkipCheck("no resource objects")
    wrong = []
    for where, resource in resources:
        kind, ident = resource.get("type"), resource.get("id")
        if not isinstance(kind, str):
            continue  # the envelope check reports it
        links = resource.get("links")
        self_link = links.get("self") if isinstance(links, dict) else None
        if isinstance(self_link, dict):
            self_link = self_link.get("href")
        if not isinstance(self_link, str):
            wrong.append(f"{where} ({kind}) has no links.self")
            continue
        tail = f"/{kind}/{ident}" if isinstance(ident, str) else f"/{kind}"
        path = unquote(urlsplit(self_link).path).rstrip("/")
        if not path.endswith(tail):
            wrong.append(f"{where}.links.self {self_link!r} does not end with {tail!r}")
    expect(
        not wrong,
        "A resource's self link does not name the resource",
        f"{describe(exchange)}: " + "; ".join(wrong[:4]),
        contract=SELF_LINK_CONTRACT,
        exchange=exchange,
    )


@response_check(API)
def glue_top_level_self_link(exchange: Exchange, operation: Operation | None) -> None:
    """A collection's top-level `links.self` names the requested collection."""
    document = _success_document(exchange)
    if operation is None or not isinstance(document.get("data"), list):
        raise SkipCheck("not a collection of the contract")
    if exchange.request.method != operation.method:
        raise SkipCheck("another method than the operation's")
    links = document.get("links")
    self_link = links.get("self") if isinstance(links, dict) else None
    if isinstance(self_link, dict):
        self_link = self_link.get("href")
    expect(
        isinstance(self_link, str),
        "A collection has no top-level links.self",
        describe(exchange),
        contract=TOP_SELF_CONTRACT,
        exchange=exchange,
    )
    depth = len([p for p in operation.path.split("/") if p])
    requested = [p for p in unquote(urlsplit(exchange.request.url).path).split("/") if p]
    linked = [p for p in unquote(urlsplit(str(self_link)).path).split("/") if p]
    expect(
        linked[-depth:] == requested[-depth:],
        f"links.self names /{'/'.join(linked[-depth:])}, not the requested "
        f"/{'/'.join(requested[-depth:])}",
        f"{describe(exchange)}: links.self = {self_link!r}",
        contract=TOP_SELF_CONTRACT,
        exchange=exchange,
    )


@response_check(API)
def glue_links_same_origin(exchange: Exchange, operation: Operation | None) -> None:
    """Every link points at the API's own scheme, host and port."""
    _skip_without_body(exchange)
    try:
        document = exchange.json()
    except ValueError:
        raise SkipCheck("not JSON") from None
    found = list(links_of(document))
    if not found:
        raise SkipCheck("no links")
    foreign = foreign_links(exchange, found)
    expect(
        not foreign,
        "A link points at another origin",
        f"{describe(exchange)}: " + "; ".join(foreign[:4]),
        contract=SAME_ORIGIN_RULE,
        exchange=exchange,
    )


def _order_items_in(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Order-item attribute objects of a document: order items, embedded and included ones."""
    found: list[tuple[str, dict[str, Any]]] = []
    for where, resource in _resources(document):
        attributes = resource.get("attributes")
        if not isinstance(attributes, dict):
            continue
        if resource.get("type") == "order-items":
            found.append((f"{where}.attributes", attributes))
        for member, inner in (("items", None), ("returnItems", "orderItem")):
            entries = attributes.get(member)
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                item = entry.get(inner) if inner and isinstance(entry, dict) else entry
                if isinstance(item, dict):
                    label = f"{where}.attributes.{member}[{index}]" + (f".{inner}" if inner else "")
                    found.append((label, item))
    return found


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@response_check(API)
def glue_item_sums(exchange: Exchange, operation: Operation | None) -> None:
    """Each order item's sums are its unit amounts times its quantity."""
    document = _success_document(exchange)
    items = _order_items_in(document)
    if not items:
        raise SkipCheck("no order items")
    wrong = []
    for where, item in items:
        quantity = item.get("quantity")
        if not _integer(quantity):
            continue  # the schema check reports it
        for unit, total in SUM_PAIRS:
            if (
                _integer(item.get(unit))
                and _integer(item.get(total))
                and item[total] != item[unit] * quantity
            ):
                wrong.append(
                    f"{where}: {total} {item[total]} ≠ {unit} {item[unit]} * quantity {quantity}"
                )
    expect(
        not wrong,
        "An item's sum is not unit * quantity",
        f"{describe(exchange)}: " + "; ".join(wrong[:4]),
        contract=SUMS_CONTRACT,
        exchange=exchange,
    )


# --------------------------------------------------------------------------- refusals

REFUSAL_3601_CONTRACT = (
    "POST /returns is refused with 422 and code 3601 when an item is unknown, not the "
    "customer's, not returnable or already returned (contract `ReturnCantBeCreated`; seed 001 "
    "'3601 Return can't be created.'; x-seed-decisions glue-C10)."
)
REFUSAL_3603_CONTRACT = (
    "POST /returns with items from more than one merchant is refused with 422 and code 3603 "
    "'Return contains items from different merchants.' (seed 001 error table; contract "
    "`ReturnCantBeCreated`; glue-C10)."
)
UNCHANGED_CONTRACT = (
    "A refused return is not created: the items stay returnable (`isReturnable: true` in "
    "GET /orders/{orderReference}) and GET /returns lists the same returns as before (seed 001: "
    "'Return can't be created.'; contract `ReturnCantBeCreated`)."
)


def _return_body_of(store: str, uuids: list[str]) -> dict[str, Any]:
    body = _return_body(store, uuids[0])
    body["data"]["attributes"]["returnItems"] = [
        {"salesOrderItemUuid": uuid, "reason": "conformance check"} for uuid in uuids
    ]
    return body


def _return_ids(ctx: ScenarioContext) -> set[str]:
    return {_key(r) for r in _walk(ctx, "/returns", title="GET /returns failed")}


def _refuse(
    ctx: ScenarioContext,
    uuids: list[str],
    returnable: list[str],
    code: str,
    title: str,
    contract: str,
    refusals: list[dict[str, Any]],
) -> None:
    """POST a return that must be refused with ``code``; remember what must stay unchanged."""
    before = _return_ids(ctx)
    exchange = ctx.client.post("/returns", json=_return_body_of(_store(ctx), uuids))
    if exchange.response.status >= 400:
        refusals.append(
            {"exchange": exchange, "before": before, "after": _return_ids(ctx), "items": returnable}
        )
    statuses = _statuses(ctx, "createReturn", code, 422)
    _expect_error(exchange, statuses, code, title, contract)


@scenario(
    API,
    reports={
        "glue_unreturnable_item_is_422_3601": "Unknown, foreign or non-returnable items are "
        "refused with 422/3601",
        "glue_two_merchants_is_422_3603": "Items of two merchants are refused with 422/3603",
        "glue_refused_return_changes_nothing": "A refused return leaves the items returnable and "
        "adds no return",
    },
)
def glue_create_refusals(ctx: ScenarioContext) -> None:
    """Returns that must be refused are refused, and the refusal changes nothing."""
    names = (
        "glue_unreturnable_item_is_422_3601",
        "glue_two_merchants_is_422_3603",
        "glue_refused_return_changes_nothing",
    )
    try:
        items = _scan_items(ctx)
    except (CheckFailed, ForeignOriginError) as exc:
        for name in names:
            ctx.skip(name, f"the orders could not be read: {exc}")
        return
    returnable = _returnable(items)
    refusals: list[dict[str, Any]] = []
    with ctx.check(names[0], operation="POST /returns"):
        if not returnable:
            raise SkipCheck(NO_RETURNABLE_ITEM)
        uuid = returnable[0][1]["uuid"]
        unknown = f"conformance-unknown-{ctx.rng.randrange(16**12):012x}"
        _refuse(
            ctx,
            [uuid, unknown],
            [uuid],
            RETURN_CANT_BE_CREATED,
            "A return with an unknown item was not refused",
            REFUSAL_3601_CONTRACT,
            refusals,
        )
        blocked = next((i for _, i in items if i.get("isReturnable") is False), None)
        if blocked is not None:
            _refuse(
                ctx,
                [blocked["uuid"]],
                [],
                RETURN_CANT_BE_CREATED,
                "A return of a non-returnable item was not refused",
                REFUSAL_3601_CONTRACT,
                refusals,
            )
        if ctx.other is not None:
            theirs = _returnable(_scan_items(ctx, ctx.other))
            if theirs:
                _refuse(
                    ctx,
                    [theirs[0][1]["uuid"]],
                    [],
                    RETURN_CANT_BE_CREATED,
                    "A return of another customer's item was not refused",
                    REFUSAL_3601_CONTRACT,
                    refusals,
                )
    with ctx.check(names[1], operation="POST /returns"):
        merchants: dict[str, str] = {}
        for _, item in returnable:
            merchant = item.get("merchantReference")
            if isinstance(merchant, str) and merchant not in merchants:
                merchants[merchant] = item["uuid"]
        if len(merchants) < 2:
            raise SkipCheck(
                "needs returnable items of two merchants (merchantReference) and the customer "
                "has not: pass a marketplace customer with such items, or reset the target"
            )
        pair = list(merchants.values())[:2]
        _refuse(
            ctx,
            pair,
            pair,
            "3603",
            "A return with items of two merchants was not refused with 3603",
            REFUSAL_3603_CONTRACT,
            refusals,
        )
    with ctx.check(names[2], operation="POST /returns"):
        if not refusals:
            raise SkipCheck("no return was refused (see the two refusal checks)")
        for refusal in refusals:
            added = sorted(refusal["after"] - refusal["before"])
            expect(
                not added,
                "A refused return was created anyway",
                f"after {describe(refusal['exchange'])}, GET /returns also lists "
                f"{', '.join(added[:3])}",
                contract=UNCHANGED_CONTRACT,
                exchange=refusal["exchange"],
            )
        still = {i["uuid"]: o for o, i in _returnable(_scan_items(ctx))}
        for refusal in refusals:
            lost = [uuid for uuid in refusal["items"] if uuid not in still]
            expect(
                not lost,
                "An item of a refused return is no longer returnable",
                f"after {describe(refusal['exchange'])}, item {lost[0] if lost else ''} has "
                "isReturnable false (or vanished) in GET /orders",
                contract=UNCHANGED_CONTRACT,
                exchange=refusal["exchange"],
            )


# --------------------------------------------------------------------------- token lifecycle

LOGIN_CONTRACT = (
    "POST /access-tokens with the customer's e-mail and password answers 201 with "
    "`tokenType: Bearer` and an `accessToken` that opens the protected resources "
    "(`Authorization: Bearer <accessToken>`; contract createAccessToken, domain-facts A2)."
)
WRONG_PASSWORD_CONTRACT = (
    "POST /access-tokens with a wrong password answers 401 with code 003 'Failed to "
    "authenticate user.' (contract `FailedToAuthenticate`; domain-facts A3)."
)
ROTATION_CONTRACT = (
    "POST /refresh-tokens exchanges a refresh token for a new access token; the refresh token "
    "is rotated, so the one just used is refused afterwards with 401 and code 004 (contract "
    "refreshAccessToken 'the refresh token is rotated', `FailedToRefreshToken`: 'Unknown, "
    "revoked or expired refresh token (code 004)')."
)
REVOKE_CONTRACT = (
    "DELETE /refresh-tokens/mine revokes the customer's refresh tokens (204); a revoked "
    "refresh token is refused by POST /refresh-tokens with 401 and code 004 (domain-facts A2 "
    "'revoke DELETE /refresh-tokens/mine|{token} → 204'; contract `FailedToRefreshToken`)."
)
SECRET_MEMBERS = frozenset({"password", "accessToken", "refreshToken"})
FILTERED = "[Filtered]"
WRONG_PASSWORD = "conformance-wrong-password-0"


def _mask_json(body: bytes | None) -> bytes | None:
    """A JSON body with passwords and tokens replaced, for what a violation keeps."""
    if not body:
        return body

    def scrub(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: FILTERED if k in SECRET_MEMBERS else scrub(v) for k, v in node.items()}
        if isinstance(node, list):
            return [scrub(v) for v in node]
        return node

    try:
        return json.dumps(scrub(json.loads(body))).encode()
    except ValueError:
        return b"(not JSON; not kept: it may hold credentials)"


def _masked(exchange: Exchange) -> Exchange:
    """A copy of a login or refresh exchange without the secrets it carries."""
    request = replace(exchange.request, body=_mask_json(exchange.request.body))
    response = replace(exchange.response, body=_mask_json(exchange.response.body) or b"")
    return replace(exchange, request=request, response=response)


def _token_body(kind: str, attributes: dict[str, str]) -> dict[str, Any]:
    return {"data": {"type": kind, "attributes": attributes}}


def _tokens(exchange: Exchange, title: str, contract: str) -> tuple[str, str]:
    """(access token, refresh token) of a 201 token response, or a violation."""
    masked = _masked(exchange)
    expect(
        exchange.response.status == 201,
        f"{title}: got {exchange.response.status}",
        f"{describe(masked)}: {masked.response.text(300)}",
        contract=contract,
        exchange=masked,
    )
    try:
        attributes = exchange.json()["data"]["attributes"]
        access, refresh = attributes["accessToken"], attributes["refreshToken"]
    except (ValueError, KeyError, TypeError):
        access = refresh = None
    expect(
        isinstance(access, str) and isinstance(refresh, str),
        f"{title}: no accessToken/refreshToken in data.attributes",
        describe(masked),
        contract=contract,
        exchange=masked,
    )
    return str(access), str(refresh)


def _token_opens(ctx: ScenarioContext, access: str, title: str, contract: str) -> None:
    listing = next(
        (op for op in ctx.contract.secured_operations if op.method == "GET" and "{" not in op.path),
        None,
    )
    if listing is None:
        return
    exchange = ctx.client.get(listing.path, auth=f"Bearer {access}")
    expect(
        exchange.response.status == 200,
        f"{title}: GET {listing.path} with it answers {exchange.response.status}",
        f"{describe(exchange)}: {exchange.response.text(200)}",
        contract=contract,
        exchange=exchange,
    )


def _revoke_operation(ctx: ScenarioContext) -> Operation | None:
    return next(
        (
            op
            for op in ctx.contract.operations
            if op.method == "DELETE" and op.path.startswith("/refresh-tokens/{")
        ),
        None,
    )


@scenario(
    API,
    reports={
        "glue_login_token_works": "Logging in issues a Bearer token that opens protected resources",
        "glue_wrong_password_is_401_003": "A wrong password is refused with 401/003",
        "glue_refresh_token_rotates": "A refresh issues a working token; the used refresh token "
        "is then refused with 004",
        "glue_revoked_refresh_token_refused": "A revoked refresh token is refused with 004",
    },
)
def glue_token_lifecycle(ctx: ScenarioContext) -> None:
    """Log in, refresh, reuse and revoke refresh tokens as a client does."""
    username, password = ctx.credentials.get("username"), ctx.credentials.get("password")
    names = (
        "glue_login_token_works",
        "glue_wrong_password_is_401_003",
        "glue_refresh_token_rotates",
        "glue_revoked_refresh_token_refused",
    )
    if not (username and password):
        for name in names:
            ctx.skip(name, "needs --username/--password (a --token alone cannot log in)")
        return
    state: dict[str, str] = {}
    with ctx.check(names[0], operation="POST /access-tokens"):
        login = ctx.client.post(
            "/access-tokens",
            json=_token_body("access-tokens", {"username": username, "password": password}),
            auth=False,
        )
        access, refresh = _tokens(login, "Logging in failed", LOGIN_CONTRACT)
        _token_opens(ctx, access, "The new access token does not work", LOGIN_CONTRACT)
        state.update(access=access, refresh=refresh)
    with ctx.check(names[1], operation="POST /access-tokens"):
        refused = ctx.client.post(
            "/access-tokens",
            json=_token_body("access-tokens", {"username": username, "password": WRONG_PASSWORD}),
            auth=False,
        )
        statuses = _statuses(ctx, "createAccessToken", "003", 401)
        _expect_error(
            _masked(refused),
            statuses,
            "003",
            "A wrong password was not refused with 003",
            WRONG_PASSWORD_CONTRACT,
        )
    if not ctx.ok(names[0]):
        for name in names[2:]:
            ctx.skip(name, f"needs a login ({names[0]} did not pass; see its note)")
        return
    statuses = _statuses(ctx, "refreshAccessToken", "004", 401)
    with ctx.check(names[2], operation="POST /refresh-tokens"):
        body = _token_body("refresh-tokens", {"refreshToken": state["refresh"]})
        refreshed = ctx.client.post("/refresh-tokens", json=body, auth=False)
        access, _ = _tokens(refreshed, "Refreshing failed", ROTATION_CONTRACT)
        _token_opens(ctx, access, "The refreshed access token does not work", ROTATION_CONTRACT)
        again = ctx.client.post("/refresh-tokens", json=body, auth=False)
        _expect_error(
            _masked(again),
            statuses,
            "004",
            "The refresh token just used was accepted again",
            ROTATION_CONTRACT,
        )
    with ctx.check(names[3], operation="POST /refresh-tokens"):
        revoke = _revoke_operation(ctx)
        if revoke is None:
            raise SkipCheck(
                "the contract documents no DELETE /refresh-tokens/{refreshToken}: use a "
                "contract that does (--spec) to check revocation"
            )
        login = ctx.client.post(
            "/access-tokens",
            json=_token_body("access-tokens", {"username": username, "password": password}),
            auth=False,
        )
        access, refresh = _tokens(login, "Logging in failed", REVOKE_CONTRACT)
        path = re.sub(r"\{[^}]+\}", "mine", revoke.path)
        revoked = ctx.client.request("DELETE", path, auth=f"Bearer {access}")
        expect(
            200 <= revoked.response.status < 300,
            f"DELETE {path} answered {revoked.response.status}",
            f"{describe(revoked)}: {revoked.response.text(200)}",
            contract=REVOKE_CONTRACT,
            exchange=revoked,
        )
        body = _token_body("refresh-tokens", {"refreshToken": refresh})
        after = ctx.client.post("/refresh-tokens", json=body, auth=False)
        _expect_error(
            _masked(after),
            statuses,
            "004",
            "A revoked refresh token was accepted",
            REVOKE_CONTRACT,
        )


# --------------------------------------------------------------------------- anonymous header

ANONYMOUS_CONTRACT = (
    "A request carrying both `Authorization` and `X-Anonymous-Customer-Unique-Id` is refused "
    "with code 005 'Headers request error. A user can't act as logged and not logged user at "
    "the same time.' (domain-facts A3, A4; Spryker `RESPONSE_CODE_ANONYMOUS_USER_WITH_ACCESS_"
    "TOKEN`, status 400)."
)
ANONYMOUS_CODE = "005"


@scenario(API)
def glue_anonymous_id_with_token_is_005(ctx: ScenarioContext) -> None:
    """A token together with X-Anonymous-Customer-Unique-Id is refused with code 005."""
    name = "glue_anonymous_id_with_token_is_005"
    documented = [
        op
        for op in ctx.contract.operations
        if op.method == "GET" and op.statuses_with_code(ANONYMOUS_CODE)
    ]
    if not documented:
        ctx.skip(
            name,
            "the contract documents code 005 on no GET operation: use a contract that does "
            "(--spec) to check it",
        )
        return
    with ctx.check(name):
        for operation in documented:
            exchange = ctx.client.request(
                "GET",
                operation.concrete_path(),
                headers={"X-Anonymous-Customer-Unique-Id": "conformance-guest-1"},
            )
            _expect_error(
                exchange,
                tuple(operation.statuses_with_code(ANONYMOUS_CODE)),
                ANONYMOUS_CODE,
                f"{operation.label} with a token and X-Anonymous-Customer-Unique-Id",
                ANONYMOUS_CONTRACT,
            )
