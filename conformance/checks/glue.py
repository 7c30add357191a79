"""Business checks of the Spryker Glue Return Management API that no schema can express.

Response checks (every response, from Schemathesis and from the scenarios):
``glue_jsonapi_media_type``, ``glue_jsonapi_envelope``, ``glue_error_status_and_code``.

Scenarios: the create flow (``glue_create_return_flow``, ``glue_returned_item_not_returnable``,
``glue_duplicate_return_is_422_3601``), pagination links, auth errors (``002``/``001``),
unknown and foreign returns (``3602``), unknown orders (``801``) and the public return reasons.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import urlencode

from ..contract import Operation
from ..model import Exchange
from .base import (
    CheckFailed,
    ScenarioContext,
    SkipCheck,
    describe,
    expect,
    response_check,
    scenario,
)
from .envelopes import (
    JSONAPI_MEDIA_TYPE,
    error_status_matches,
    jsonapi_document_problems,
    jsonapi_error_codes,
    jsonapi_errors,
)

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
    "once, in order."
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
        return  # no operation, or a probe with an undocumented method (issue 10 point 6)
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


def _find_returnable_item(ctx: ScenarioContext, client: Any = None) -> tuple[str, str] | None:
    """(order reference, sales order item uuid) of a returnable item of the client's orders."""
    client = client or ctx.client
    orders = _walk(ctx.with_client(client), "/orders", title="GET /orders failed")
    for order in orders[:MAX_ORDERS_SCANNED]:
        reference = order.get("id")
        if not isinstance(reference, str):
            continue
        _, items = _order_items(ctx, reference, client)
        for item in items:
            if item.get("isReturnable") is True and isinstance(item.get("uuid"), str):
                return reference, item["uuid"]
    return None


def _store(ctx: ScenarioContext) -> str:
    if ctx.credentials.get("store"):
        return str(ctx.credentials["store"])
    create = ctx.contract.by_id("createReturn")
    example = create.request_example() if create else None
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
    },
)
def glue_create_return(ctx: ScenarioContext) -> None:
    """Create a return for a returnable item and follow it through the API."""
    flow = "glue_create_return_flow"
    state: dict[str, Any] = {}
    with ctx.check(flow, operation="POST /returns"):
        found = _find_returnable_item(ctx)
        if found is None:
            raise SkipCheck("the customer has no returnable item (isReturnable) in GET /orders")
        order_reference, uuid = found
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
        state.update(order=order_reference, uuid=uuid, body=body, reference=reference)
    if not ctx.ok(flow):
        for name in ("glue_returned_item_not_returnable", "glue_duplicate_return_is_422_3601"):
            ctx.skip(name, f"needs a created return ({flow} did not pass)")
        return
    with ctx.check("glue_returned_item_not_returnable", operation="GET /orders/{orderReference}"):
        exchange, items = _order_items(ctx, state["order"])
        item = next((i for i in items if i.get("uuid") == state["uuid"]), None)
        contract = (
            "An item in a return is no longer returnable: `isReturnable` is false in "
            "GET /orders/{orderReference}."
        )
        expect(
            item is not None,
            "The returned item vanished from its order",
            f"order {state['order']} no longer lists item {state['uuid']}",
            contract=contract,
            exchange=exchange,
        )
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


@scenario(API)
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
    if not collections:
        ctx.skip(name, "the contract declares no paginated collection")
        return
    checked = []
    with ctx.check(name):
        for operation in collections:
            if _check_collection_pages(ctx, operation):
                checked.append(operation.path)
        if not checked:
            raise SkipCheck("no collection has two items or more to page through")


def _check_collection_pages(ctx: ScenarioContext, operation: Operation) -> bool:
    anonymous = not operation.secured
    client = ctx.anonymous if anonymous else ctx.client
    full = [
        _key(r)
        for r in _walk(
            ctx, operation.path, anonymous=anonymous, title=f"GET {operation.path} failed"
        )
    ]
    if len(full) < 2:
        return False
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
    return True


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
        theirs = [
            r.get("id")
            for r in _walk(other, "/returns", title="GET /returns (second customer) failed")
        ]
        theirs = [r for r in theirs if isinstance(r, str)]
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
        mine = {r.get("id") for r in _walk(ctx, "/returns", title="GET /returns failed")}
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
