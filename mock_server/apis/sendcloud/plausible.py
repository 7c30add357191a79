"""Sendcloud bodies served from the contract (``Prefer: example=/code=/dynamic=true``), made fit
for the request: list links point at the mock, generated returns read like real ones
(sendcloud-F10). Data URLs (carrier tracking links, images) stay as documented."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from ...generator import ServedRequest, plausible_instant, rebase_url

DOCUMENTED_BASE = "https://panel.sendcloud.sc/api/v2"  # the contract's server URL
CURRENCY = "EUR"
COUNTRIES = ("NL", "BE", "DE")
EARLIEST = datetime(2022, 1, 1, tzinfo=UTC)
CURRENCY_FIELDS = ("return_fee_currency", "label_currency")


def shape_body(body: Any, request: ServedRequest) -> Any:
    """``body`` (a private copy) with list links to the mock and, if generated, plausible data."""
    if not isinstance(body, dict):
        return body
    if "returns" in body:  # the list
        if request.dynamic:
            _plausible_list(body, request)
        for name in ("next", "previous"):
            if isinstance(body.get(name), str):
                body[name] = rebase_url(body[name], DOCUMENTED_BASE, request.base_url)
    elif request.dynamic and "error" not in body:
        path_id = request.relative_path.rstrip("/").rsplit("/", 1)[-1]
        _plausible_return(body, int(path_id) if path_id.isdigit() else 1)
    return body


def _plausible_list(body: dict, request: ServedRequest) -> None:
    returns = [r for r in body.get("returns") or [] if isinstance(r, dict)]
    first = zlib.crc32(request.query.encode()) % 9000 + 1000
    for offset, ret in enumerate(returns):
        _plausible_return(ret, first + offset)
    body["returns"] = returns
    body["next"] = None  # one generated page: nothing after it
    body["previous"] = f"{request.base_url}/returns" if "cursor=" in request.query else None


def _plausible_return(ret: dict, return_id: int) -> None:
    ret["id"] = return_id
    for name in CURRENCY_FIELDS:
        if name in ret:
            ret[name] = CURRENCY
    country = COUNTRIES[return_id % len(COUNTRIES)]
    for parcel in ("outgoing_parcel_data", "incoming_parcel_data"):
        data = ret.get(parcel)
        if isinstance(data, dict) and "from_country" in data:
            data["from_country"] = "NL" if parcel == "outgoing_parcel_data" else country
    created = plausible_instant(f"created-{return_id}", EARLIEST, 3 * 365)
    ret["created_at"] = created.isoformat()
    delivered = created + timedelta(hours=20 + return_id % 76)
    if "delivered_at" in ret:
        ret["delivered_at"] = delivered.isoformat()
    fee = ret.get("return_fee")
    cost = ret.get("items_cost")
    if isinstance(fee, int | float) and isinstance(cost, int | float) and cost < fee:
        ret["items_cost"], ret["return_fee"] = fee, cost
    refund = ret.get("refund")
    if isinstance(refund, dict):
        if "refunded_at" in refund:
            refunded = delivered + timedelta(hours=1 + return_id % 47)
            refund["refunded_at"] = int(refunded.timestamp() * 1000)
        if "total_refund" in refund:
            items_cost = ret.get("items_cost", 0.0)
            return_fee = ret.get("return_fee", 0.0)
            if isinstance(items_cost, int | float) and isinstance(return_fee, int | float):
                refund["total_refund"] = f"{items_cost - return_fee:.2f}"
