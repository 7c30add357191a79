"""Reference Sendcloud Returns API v2 backend, written from the vendor contract (seed 004) and
``domain-facts.md`` section B, deliberately unlike our mock where the documentation leaves room.

Django REST framework behaviour, as Sendcloud's v2 is built on it: authentication before the
method check (an anonymous ``POST`` is 401, an authenticated one 405 with
``Allow: GET, HEAD, OPTIONS``), ``HEAD`` answered like ``GET`` (the server drops the body). Cursor
pagination by position (``p`` = id of the last return shown, ``r=1`` backwards, standard
Base64 with padding), 15 returns a page, ids that are neither small nor contiguous.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import Response

from .http import json_response

PAGE_SIZE = 15
RETURN_COUNT = 53
FIRST_ID = 40211
PUBLIC_KEY = "4c1f7e2a9b3d4e5f8a6b7c8d9e0f1a2b"
SECRET_KEY = "d2e9b0c7a6f54e3d8c1b2a3f4e5d6c7b"
OAUTH_TOKEN = "sc-oauth-8b1d5e0f2c7a4936a1e4"  # an OAuth2 client-credentials access token
ALLOW = "GET, HEAD, OPTIONS"
CHALLENGE = 'Basic realm="api"'
NOT_FOUND = "No Return matches the given query."
VIENNA = timezone(timedelta(hours=1))
REFUND_TYPES = [("money", "Money back", False), ("credit", "Store credit", False),
                ("exchange", "Exchange", True)]  # fmt: skip
DELIVERY_OPTIONS = ["drop_off_point", "drop_off_labelless", "in_store", "pickup"]


class SendcloudError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _parcel(number: int, email: str, name: str, status: int, slug: str) -> dict[str, Any]:
    tracking = f"3SABCD{number:010d}"
    return {
        "tracking_url": f"https://tracking.sendcloud.sc/forward?carrier=postat&code={tracking}",
        "tracking_number": tracking,
        "parcel_status": status,
        "global_status_slug": slug,
        "brand_name": "Alpenwerk Outdoor",
        "order_number": f"AW-{number}",
        "from_email": email,
        "deleted": False,
        "collo_count": 1,
        "from_country": "AT",
        "from_name": name,
        "shipping_method": 8021,
        "extra_data": {},
    }


def build_returns() -> list[dict[str, Any]]:
    """The returns, oldest first; money in euros adds up: refund = items - return fee."""
    start = datetime(2025, 9, 1, 8, 15, 0, 123456, tzinfo=VIENNA)
    returns = []
    for index in range(RETURN_COUNT):
        return_id = FIRST_ID + index * 7
        created = start + timedelta(hours=17 * index, microseconds=index)
        items_cost = round(19.9 + (index * 13.37) % 180, 2)
        return_fee = 0.0 if index % 3 == 0 else 2.95
        code, label, require_message = REFUND_TYPES[index % 3]
        delivered = index % 4 != 3
        name = f"Kundin {index:02d}"
        email = f"kundin{index:02d}@example.at"
        ret: dict[str, Any] = {
            "id": return_id,
            "created_at": _stamp(created),
            "reason": 1 + index % 6,
            "outgoing_parcel": 900000 + index * 2,
            "incoming_parcel": 900001 + index * 2,
            "message": "Passt leider nicht" if index % 2 else "Zu klein",
            "refund": {
                "total_refund": f'"{items_cost - return_fee:.2f}"',  # quoted, as documented
                "refunded_at": int((created + timedelta(days=6)).timestamp() * 1000),
                "message": "",
                "refund_type": {"code": code, "label": label, "require_message": require_message},
            },
            "is_cancellable": not delivered,
            "return_fee": return_fee,
            "return_fee_currency": "EUR",
            "label_cost": 5.49,
            "label_currency": "EUR",
            "items_cost": items_cost,
            "delivery_option": DELIVERY_OPTIONS[index % 4],
            "outgoing_parcel_data": _parcel(
                900000 + index * 2, "shop@alpenwerk.example", "Alpenwerk", 11, "delivered"
            ),
            "incoming_parcel_data": _parcel(
                900001 + index * 2,
                email,
                name,
                11 if delivered else 1,
                "delivered" if delivered else "ready_to_send",
            ),
            "incoming_parcel_status": {
                "id": 11,
                "message": "Delivered",
                "global_status_slug": "delivered",
            }
            if delivered
            else {"id": 1, "message": "Ready to send", "global_status_slug": "ready_to_send"},
            "images": [],
            "rule_modifications": [],
        }
        if delivered:
            ret["delivered_at"] = _stamp(created + timedelta(days=3))
        if ret["delivery_option"] == "in_store":
            ret["store_location"] = 3
        returns.append(ret)
    return returns


def encode_cursor(position: int, reverse: bool) -> str:
    """DRF-style cursor: Base64 of ``p=<id>`` (after it) or ``r=1&p=<id>`` (before it)."""
    raw = f"r=1&p={position}" if reverse else f"p={position}"
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, bool]:
    """(position, reverse), or 404 ``Invalid cursor`` for anything this server did not issue."""
    try:
        raw = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
        fields = parse_qs(raw, keep_blank_values=True, strict_parsing=True)
    except (ValueError, UnicodeError, binascii.Error):
        raise SendcloudError(404, "Invalid cursor") from None
    position = fields.get("p", [""])
    reverse = fields.get("r", ["0"])
    if set(fields) - {"p", "r"} or len(position) != 1 or not re.fullmatch(r"\d{1,12}", position[0]):
        raise SendcloudError(404, "Invalid cursor")
    if len(reverse) != 1 or reverse[0] not in ("0", "1"):
        raise SendcloudError(404, "Invalid cursor")
    return int(position[0]), reverse[0] == "1"


class SendcloudBackend:
    """The ASGI app; ``prefix`` is where it is mounted (``/sendcloud/api/v2``)."""

    def __init__(self, prefix: str = "/sendcloud/api/v2") -> None:
        self.prefix = prefix
        self.returns = build_returns()
        self.by_id = {r["id"]: r for r in self.returns}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        try:
            response = self.dispatch(request)
        except SendcloudError as error:
            body = {"error": {"code": error.status, "request": self.request_name(request),
                              "message": error.message}}  # fmt: skip
            response = json_response(body, error.status, "application/json", error.headers)
        await response(scope, receive, send)

    @staticmethod
    def request_name(request: Request) -> str:
        """``request`` of the error envelope: the path without its leading slash."""
        return request.url.path.lstrip("/")

    def dispatch(self, request: Request) -> Response:
        path = request.url.path[len(self.prefix) :].rstrip("/") or "/"
        match = re.fullmatch(r"/returns(?:/(?P<id>[^/]+))?", path)
        if match is None:
            raise SendcloudError(404, "Not found.")
        self.authenticate(request.headers.get("authorization"))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            message = f'Method "{request.method}" not allowed.'
            raise SendcloudError(405, message, {"Allow": ALLOW})
        name = "Return Detail" if match["id"] else "Return List"
        if request.method == "OPTIONS":
            metadata = {"name": name, "description": "", "renders": ["application/json"],
                        "parses": ["application/json"]}  # fmt: skip
            return json_response(metadata, 200, "application/json", {"Allow": ALLOW})
        if match["id"] is None:
            return self.list_returns(request)
        ret = self.by_id.get(int(match["id"])) if re.fullmatch(r"\d{1,19}", match["id"]) else None
        if ret is None:
            raise SendcloudError(404, NOT_FOUND)
        return json_response(ret, 200, "application/json")

    @staticmethod
    def authenticate(header: str | None) -> None:
        if header is None:
            raise SendcloudError(401, "Authentication credentials were not provided.",
                                 {"WWW-Authenticate": CHALLENGE})  # fmt: skip
        kind, _, value = header.strip().partition(" ")
        value = value.strip()
        if kind.lower() == "bearer" and value == OAUTH_TOKEN:
            return
        if kind.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (ValueError, UnicodeError, binascii.Error):
                decoded = ""
            if decoded == f"{PUBLIC_KEY}:{SECRET_KEY}":
                return
        raise SendcloudError(401, "Invalid username/password.", {"WWW-Authenticate": CHALLENGE})

    def list_returns(self, request: Request) -> Response:
        cursor = request.query_params.get("cursor")
        ids = [r["id"] for r in self.returns]
        if cursor is None:
            start = 0
        else:
            position, reverse = decode_cursor(cursor)
            if reverse:
                end = sum(1 for i in ids if i < position)
                start = max(end - PAGE_SIZE, 0)
            else:
                start = sum(1 for i in ids if i <= position)
        page = self.returns[start : start + PAGE_SIZE]
        url = f"{request.url.scheme}://{request.url.netloc}{self.prefix}/returns?cursor="
        more = start + PAGE_SIZE < len(ids)
        body = {
            "next": url + quote(encode_cursor(page[-1]["id"], False), safe="") if more else None,
            "previous": url + quote(encode_cursor(page[0]["id"], True), safe="")
            if start > 0 and page
            else None,
            "returns": page,
        }
        return json_response(body, 200, "application/json")
