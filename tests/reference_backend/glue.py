"""Reference Glue backend: Spryker's classic Glue REST API for returns, written from the
documentation (``domain-facts.md`` section A) and deliberately unlike our mock where the
documentation leaves room.

Where it differs from the mock: 404 "Not Found" (no code, no ``Allow``) for any unsupported
method, 400 for a lone ``page[offset]``/``page[limit]``, default pagination of 10 (maximum 100)
with links even without page parameters, eager loading of ``return-items``/``order-items``
without ``include``, no embedded ``returnItems`` attribute, literal ``[``/``]`` in links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from .glue_data import REASONS, STORE, Item, Order, Return, World, build_world
from .http import BodyTooLarge, json_response, read_body
from .tokens import ACCESS_TTL, TokenService

JSONAPI = "application/vnd.api+json"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
WWW_AUTHENTICATE = 'Bearer realm="Access to shop API"'
ANONYMOUS_HEADER = "x-anonymous-customer-unique-id"
MESSAGES = {
    "001": (401, "Invalid access token."),
    "002": (403, "Missing access token."),
    "003": (401, "Failed to authenticate user."),
    "004": (401, "Failed to refresh token."),
    "005": (
        400,
        "Headers request error. A user can't act as logged and not logged user at the same time.",
    ),
    "801": (404, "Can't find order by the given order reference"),
    "3601": (422, "Return can't be created."),
    "3602": (404, "Can't find return by the given return reference."),
    "3603": (422, "Return contains items from different merchants."),
}


class GlueError(Exception):
    """An error answered in Glue's envelope; ``code`` is None for framework errors."""

    def __init__(self, status: int, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.code = status, detail, code

    @classmethod
    def of(cls, code: str) -> GlueError:
        status, detail = MESSAGES[code]
        return cls(status, detail, code)

    def response(self) -> Response:
        error: dict[str, Any] = {"status": self.status, "detail": self.detail}
        if self.code is not None:
            error["code"] = self.code
        headers = {"WWW-Authenticate": WWW_AUTHENTICATE} if self.code == "001" else None
        return json_response({"errors": [error]}, self.status, JSONAPI, headers)


def invalid(field: str, message: str = "This value should not be blank.") -> GlueError:
    return GlueError(422, f"{field} => {message}", "901")


@dataclass
class Call:
    """One request as the handlers see it."""

    request: Request
    base: str  # absolute URL of the API root, e.g. http://127.0.0.1:8000/glue
    path: str  # below the root, e.g. /returns
    params: dict[str, str]
    customer: str | None
    body: Any = None

    @property
    def query(self) -> str:
        return self.request.url.query

    def decoded_query(self, *, without_page: bool = False) -> str:
        """The query string as Glue writes it into links: ``urldecode(http_build_query(...))``,
        i.e. every value decoded (``[``/``]``, ``,``, spaces, UTF-8 written literally)."""
        pairs = parse_qsl(self.query, keep_blank_values=True)
        if without_page:
            pairs = [(k, v) for k, v in pairs if not k.startswith("page[")]
        return "&".join(f"{k}={v}" for k, v in pairs)

    def self_link(self, path: str) -> str:
        """``{base}{path}`` + the decoded query (GA ``ResponseBuilder::buildQueryString``)."""
        query = self.decoded_query()
        return f"{self.base}{path}" + (f"?{query}" if query else "")


Handler = Callable[["GlueBackend", Call], Awaitable[Response]]
ROUTES: list[tuple[str, re.Pattern[str], bool, str]] = []  # method, path, protected, handler


def route(method: str, pattern: str, *, protected: bool = True) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(pattern + r"\Z"), protected, handler.__name__))
        return handler

    return register


def resource(
    type_: str, id_: str | None, attributes: dict[str, Any], self_link: str
) -> dict[str, Any]:
    return {"type": type_, "id": id_, "attributes": attributes, "links": {"self": self_link}}


Entry = tuple[dict[str, Any], list[dict[str, Any]]]  # a resource and its included resources


def document(
    data: Any,
    status: int = 200,
    links: dict[str, str] | None = None,
    included: list[dict[str, Any]] | None = None,
) -> Response:
    """A JSON:API document; ``links`` and ``included`` only when there are some."""
    body: dict[str, Any] = {"data": data}
    if links:
        body["links"] = links
    if included:
        body["included"] = included
    return json_response(body, status, JSONAPI)


def acceptable(accept: str | None) -> bool:
    """``Accept`` allows ``application/vnd.api+json`` (directly, ``application/*`` or ``*/*``)."""
    for media_range in (accept or "").split(","):
        kind, *params = [part.strip() for part in media_range.split(";")]
        quality = next((p[2:] for p in params if p.replace(" ", "").startswith("q=")), "1")
        try:
            positive = float(quality) > 0
        except ValueError:
            positive = False
        if positive and kind.lower() in (JSONAPI, "application/*", "*/*"):
            return True
    return False


class GlueBackend:
    """The ASGI app; ``prefix`` is where it is mounted (``/glue``)."""

    def __init__(self, prefix: str = "/glue", access_ttl: int = ACCESS_TTL) -> None:
        self.prefix = prefix
        self.world: World = build_world()
        self.tokens = TokenService(access_ttl)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        try:
            response = await self.dispatch(request)
        except GlueError as error:
            response = error.response()
        except BodyTooLarge:
            response = GlueError(413, "Request Entity Too Large").response()
        await response(scope, receive, send)

    async def dispatch(self, request: Request) -> Response:
        path = request.url.path[len(self.prefix) :] or "/"
        base = f"{request.url.scheme}://{request.url.netloc}{self.prefix}"
        found: tuple[dict[str, str], bool, Handler] | None = None
        for method, pattern, protected, name in ROUTES:
            match = pattern.match(path)
            if match and method == request.method:
                found = (match.groupdict(), protected, getattr(GlueBackend, name))
        if found is None:  # "Wrong request URL, type, or method": 404 for all three
            raise GlueError(404, "Not Found")
        params, protected, handler = found
        if not acceptable(request.headers.get("accept")):
            raise GlueError(406, "Not acceptable.")
        self.page(request.url.query)
        body = None
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            if content_type.lower() != JSONAPI:
                raise GlueError(415, "Unsupported media type.")
            body = self.parse_body(await read_body(request))
        customer = self.authenticate(request, protected)
        return await handler(self, Call(request, base, path, params, customer, body))

    def authenticate(self, request: Request, protected: bool) -> str | None:
        header = request.headers.get("authorization")
        if header is None:
            if protected:
                raise GlueError.of("002")
            return None
        if request.headers.get(ANONYMOUS_HEADER):
            raise GlueError.of("005")
        kind, _, token = header.strip().partition(" ")
        customer = self.tokens.customer_of(token.strip()) if kind.lower() == "bearer" else None
        if customer is None:  # also on public routes: a sent token must be valid
            raise GlueError.of("001")
        return customer

    @staticmethod
    def parse_body(raw: bytes) -> Any:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise GlueError(400, "Post data is invalid.") from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise GlueError(400, "Post data is invalid.")
        return body

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def attributes(call: Call, type_: str) -> dict[str, Any]:
        data = call.body["data"]
        if data.get("type") != type_:
            raise GlueError(400, "Invalid type.")
        attributes = data.get("attributes")
        if not isinstance(attributes, dict):
            raise GlueError(400, "Post data is invalid.")
        return attributes

    @staticmethod
    def text(attributes: dict[str, Any], field: str, *, label: str | None = None) -> str:
        value = attributes.get(field)
        if value is not None and not isinstance(value, str):
            raise invalid(label or field, "This value should be of type string.")
        if value is None or not value.strip():
            raise invalid(label or field)
        return value

    @staticmethod
    def page(query_string: str) -> tuple[int, int]:
        """(offset, limit); both parameters or neither, else 400 (later Spryker versions).

        Glue checks them on every request, before authentication
        (``PaginationParametersHttpRequestValidator`` is one of the HTTP request validators).
        """
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        offset, limit = query.get("page[offset]"), query.get("page[limit]")
        if offset is None and limit is None:
            return 0, DEFAULT_LIMIT
        ascii_digits = re.compile(r"[0-9]+")  # str.isdigit() would take "١٢"; PHP does not
        if not (
            offset and limit and ascii_digits.fullmatch(offset) and ascii_digits.fullmatch(limit)
        ):
            raise GlueError(400, "Pagination parameters are invalid.")
        if int(limit) < 1:
            raise GlueError(400, "Pagination parameters are invalid.")
        return int(offset), min(int(limit), MAX_LIMIT)

    def collection(self, call: Call, entries: list[Entry]) -> Response:
        """One page of ``(resource, its included resources)`` entries, with Glue's links."""
        offset, limit = self.page(call.query)
        resources = [resource_ for resource_, _ in entries]
        page = resources[offset : offset + limit]
        links: dict[str, str] = {"self": call.self_link(call.path)}
        total = len(resources)
        if total:
            others = call.decoded_query(without_page=True)

            def at(start: int) -> str:  # GA ResponsePagination::getPaginationLink
                query = f"{others}&" if others else ""
                return f"{call.base}{call.path}?{query}page[offset]={start}&page[limit]={limit}"

            links["last"] = at(limit * ((total - 1) // limit))
            links["first"] = at(0)
            if offset > 0:
                links["prev"] = at(max(offset - limit, 0))
            if offset + limit < total:
                links["next"] = at(offset + limit)
        included = [r for _, related in entries[offset : offset + limit] for r in related]
        return document(page, links=links, included=included)

    def order_of(self, call: Call, reference: str) -> Order:
        order = self.world.orders.get(reference)
        if order is None or order.customer != call.customer:
            raise GlueError.of("801")
        return order

    # ------------------------------------------------------------------ returns documents

    @staticmethod
    def includes(call: Call) -> set[str]:
        """Eager loading (Glue's core default) without ``include``; ``include=`` loads none."""
        query = dict(parse_qsl(call.query, keep_blank_values=True))
        if "include" not in query:
            return {"return-items", "order-items"}
        return {name.strip() for name in query["include"].split(",")}

    def return_document(self, call: Call, ret: Return, self_link: str) -> Entry:
        """The ``returns`` resource and its included resources (as ``include`` asks)."""
        attributes = {
            "returnReference": ret.reference,
            "store": STORE,
            "customerReference": ret.customer,
            "merchantReference": ret.items[0].item.merchant,
            "returnTotals": ret.totals(),
        }
        data = resource("returns", ret.reference, attributes, self_link)
        wanted = self.includes(call)
        included: list[dict[str, Any]] = []
        if "return-items" not in wanted:
            return data, included
        data["relationships"] = {
            "return-items": {"data": [{"type": "return-items", "id": r.uuid} for r in ret.items]}
        }
        for returned in ret.items:
            item = returned.item
            link = f"{call.base}/returns/{ret.reference}/return-items/{returned.uuid}"
            attrs = {"uuid": returned.uuid, "reason": returned.reason, "orderItemUuid": item.uuid}
            included.append(resource("return-items", returned.uuid, attrs, link))
            if "order-items" in wanted:
                included[-1]["relationships"] = {
                    "order-items": {"data": [{"type": "order-items", "id": item.uuid}]}
                }
                link = f"{call.base}/orders/{item.order_reference}/order-items/{item.uuid}"
                order_item = item.attributes(item.order_reference)
                included.append(resource("order-items", item.uuid, order_item, link))
        return data, included

    # ------------------------------------------------------------------ handlers

    @route("POST", "/access-tokens", protected=False)
    async def create_access_token(self, call: Call) -> Response:
        attributes = self.attributes(call, "access-tokens")
        username = self.text(attributes, "username")
        password = self.text(attributes, "password")
        customer = self.world.customers.get(username)
        if customer is None or customer.password != password:
            raise GlueError.of("003")
        return self.token_document(call, "access-tokens", *self.tokens.issue(customer.reference))

    @route("POST", "/refresh-tokens", protected=False)
    async def refresh_access_token(self, call: Call) -> Response:
        attributes = self.attributes(call, "refresh-tokens")
        pair = self.tokens.rotate(self.text(attributes, "refreshToken"))
        if pair is None:
            raise GlueError.of("004")
        return self.token_document(call, "refresh-tokens", *pair)

    def token_document(self, call: Call, type_: str, access: str, refresh: str) -> Response:
        attributes = {
            "tokenType": "Bearer",
            "expiresIn": self.tokens.access_ttl,
            "accessToken": access,
            "refreshToken": refresh,
            "idCompanyUser": None,
        }
        return document(resource(type_, None, attributes, call.self_link(f"/{type_}")), 201)

    @route("DELETE", r"/refresh-tokens/(?P<token>[^/]+)")
    async def revoke_refresh_token(self, call: Call) -> Response:
        assert call.customer is not None
        self.tokens.revoke(call.customer, call.params["token"])
        return Response(status_code=204)

    @route("GET", "/return-reasons", protected=False)
    async def list_return_reasons(self, call: Call) -> Response:
        language = (call.request.headers.get("accept-language") or "en")[:2].lower()
        locale = "de_DE" if language == "de" else "en_US"
        reasons = REASONS["de" if language == "de" else "en"]
        link = call.self_link("/return-reasons")  # id null: the type plus the query string
        data: list[Entry] = [
            (resource("return-reasons", None, {"reason": r}, link), []) for r in reasons
        ]
        response = self.collection(call, data)
        response.headers["Content-Language"] = locale
        return response

    @route("GET", "/orders")
    async def list_orders(self, call: Call) -> Response:
        data: list[Entry] = []
        for order in self.world.orders_of(call.customer or ""):
            attributes = {
                "createdAt": order.created_at,
                "totals": order.totals(),
                "currencyIsoCode": "EUR",
                "priceMode": "GROSS_MODE",
            }
            link = call.self_link(f"/orders/{order.reference}")
            data.append((resource("orders", order.reference, attributes, link), []))
        return self.collection(call, data)

    @route("GET", r"/orders/(?P<reference>[^/]+)")
    async def get_order(self, call: Call) -> Response:
        order = self.order_of(call, call.params["reference"])
        customer = next(c for c in self.world.customers.values() if c.reference == order.customer)
        address = {
            "salutation": "Ms" if customer.first_name == "Lena" else "Mr",
            "firstName": customer.first_name,
            "lastName": customer.last_name,
            "address1": "Mariahilfer Straße",
            "address2": "47",
            "city": "Wien",
            "zipCode": "1060",
            "country": "Austria",
            "iso2Code": STORE,
        }
        totals = order.totals()
        attributes = {
            "merchantReferences": sorted({i.merchant for i in order.items}),
            "itemStates": sorted({i.state for i in order.items}),
            "createdAt": order.created_at,
            "currencyIsoCode": "EUR",
            "priceMode": "GROSS_MODE",
            "totals": totals,
            "billingAddress": address,
            "shippingAddress": address,
            "items": [item.attributes(None) for item in order.items],
            "expenses": [order.shipment_expense()],
            "payments": [
                {
                    "amount": totals["grandTotal"],
                    "paymentProvider": "DummyPayment",
                    "paymentMethod": "Credit Card",
                }
            ],
            "shipments": [],
            "calculatedDiscounts": [],
            "bundleItems": [],
        }
        return document(resource("orders", order.reference, attributes, call.self_link(call.path)))

    @route("GET", "/returns")
    async def list_returns(self, call: Call) -> Response:
        entries = [  # each main resource links to itself with the request's query string
            self.return_document(call, ret, call.self_link(f"/returns/{ret.reference}"))
            for ret in self.world.returns_of(call.customer or "")
        ]
        return self.collection(call, entries)

    @route("GET", r"/returns/(?P<reference>[^/]+)")
    async def get_return(self, call: Call) -> Response:
        ret = self.world.returns.get(call.params["reference"])
        if ret is None or ret.customer != call.customer:
            raise GlueError.of("3602")
        data, included = self.return_document(call, ret, call.self_link(call.path))
        return document(data, included=included)

    @route("POST", "/returns")
    async def create_return(self, call: Call) -> Response:
        attributes = self.attributes(call, "returns")
        store = self.text(attributes, "store")
        requested = attributes.get("returnItems")
        if not isinstance(requested, list):
            raise invalid("returnItems", "This value should be of type array." if requested else
                          "This value should not be blank.")  # fmt: skip
        if not requested:
            raise invalid("returnItems")
        wanted: list[tuple[Item, str | None]] = []
        for index, entry in enumerate(requested):
            label = f"returnItems[{index}]"
            if not isinstance(entry, dict):
                raise invalid(label, "This value should be of type array.")
            uuid = self.text(entry, "salesOrderItemUuid", label=f"{label}[salesOrderItemUuid]")
            reason = entry.get("reason")
            if "reason" in entry and not isinstance(reason, str):  # the contract: a string
                raise invalid(f"{label}[reason]", "This value should be of type string.")
            item = self.world.items.get(uuid)
            owner = self.world.orders[item.order_reference].customer if item else None
            if item is None or owner != call.customer or not item.is_returnable:
                raise GlueError.of("3601")
            wanted.append((item, reason))
        if store != STORE or len({item.uuid for item, _ in wanted}) != len(wanted):
            raise GlueError.of("3601")
        if len({item.merchant for item, _ in wanted}) > 1:
            raise GlueError.of("3603")
        assert call.customer is not None
        created = self.world.add_return(call.customer, wanted)
        link = call.self_link(f"/returns/{created.reference}")
        data, included = self.return_document(call, created, link)
        return document(data, 201, included=included)
