"""Glue bodies served from the contract (``Prefer: example=/code=/dynamic=true``), made fit for
the request: links point at the mock, and generated data reads like Spryker's (glue-F10)."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import datetime
from typing import Any

from ...generator import ServedRequest, plausible_instant, rebase_url
from .world import CURRENCY, ITEM_STATES, STORE

DOCUMENTED_BASE = "https://glue.mysprykershop.com"  # the contract's server URL
LINK_NAMES = ("self", "first", "last", "prev", "next")
PAGE_LINKS = ("first", "last", "prev", "next")
COUNTRY = ("Germany", "DE")  # the DE store's country, as in the order samples
TOKEN_TYPES = ("access-tokens", "refresh-tokens")
EARLIEST = datetime(2020, 1, 1)


def shape_body(body: Any, request: ServedRequest) -> Any:
    """``body`` (a private copy) with links to the mock and, if generated, plausible data."""
    if not isinstance(body, dict):
        return body
    if request.dynamic:
        _plausible_document(body, request)
    _rebase_links(body, request.base_url)
    return body


def _rebase_links(node: Any, base_url: str) -> None:
    """Every JSON:API ``links`` member that points at the documented server now points here."""
    if isinstance(node, dict):
        links = node.get("links")
        if isinstance(links, dict):
            for name, value in links.items():
                if isinstance(value, str):
                    links[name] = rebase_url(value, DOCUMENTED_BASE, base_url)
        for key, value in node.items():
            if key != "links":
                _rebase_links(value, base_url)
    elif isinstance(node, list):
        for value in node:
            _rebase_links(value, base_url)


def _plausible_document(document: dict, request: ServedRequest) -> None:
    segments = [s for s in request.relative_path.split("/") if s]
    kind = segments[0] if segments else ""
    path_id = segments[1] if len(segments) > 1 else None
    base = request.base_url
    query = f"?{request.query}" if request.query else ""
    data = document.get("data")
    if isinstance(data, dict):
        _plausible_resource(data, base, path_id, 1)
        if isinstance(data.get("links"), dict) and data.get("id") is not None:
            data["links"]["self"] = f"{base}/{data['type']}/{data['id']}{query}"
    elif isinstance(data, list):
        for position, resource in enumerate(data, start=1):
            if isinstance(resource, dict):
                _plausible_resource(resource, base, None, position)
        links = document.get("links")
        if isinstance(links, dict):
            for name in PAGE_LINKS:  # no page was served: only `self` (glue-A5)
                links.pop(name, None)
            links["self"] = f"{base}/{kind}{query}"
    for resource in document.get("included") or []:
        if isinstance(resource, dict):
            _plausible_resource(resource, base, None, 1)


def _plausible_resource(resource: dict, base: str, path_id: str | None, position: int) -> None:
    kind = resource.get("type")
    attributes = resource.get("attributes")
    attributes = attributes if isinstance(attributes, dict) else {}
    if kind == "returns":
        reference = path_id or f"DE--1-R{position}"
        resource["id"] = reference
        customer = reference.rsplit("-R", 1)[0]
        attributes.update(returnReference=reference, customerReference=customer, store=STORE)
        for item in attributes.get("returnItems") or []:
            if isinstance(item, dict):
                _plausible_values(item)
    elif kind == "orders":
        resource["id"] = path_id or f"DE--{position}"
    elif kind == "return-items" and isinstance(attributes.get("uuid"), str):
        resource["id"] = attributes["uuid"]
    elif kind in TOKEN_TYPES:
        _plausible_token(attributes)
    _plausible_values(attributes)
    links = resource.get("links")
    if isinstance(links, dict):
        if kind in TOKEN_TYPES or kind == "return-reasons":
            links["self"] = f"{base}/{kind}"
        elif resource.get("id") is not None:
            links["self"] = f"{base}/{kind}/{resource['id']}"


def _plausible_item(item: dict) -> None:
    """An order item whose money adds up (sum = unit x quantity) with a Spryker merchant."""
    unit = item.get("unitGrossPrice")
    unit = unit if isinstance(unit, int) and unit > 0 else 9999
    quantity = unit % 3 + 1
    item.update(quantity=quantity, unitGrossPrice=unit, unitPrice=unit)
    for key in ("sumPrice", "sumGrossPrice", "sumSubtotalAggregation"):
        if key in item:
            item[key] = unit * quantity
    if isinstance(item.get("merchantReference"), str):
        item["merchantReference"] = f"MER00000{unit % 5 + 1}"
    if isinstance(item.get("state"), str):
        item["state"] = ITEM_STATES[unit % len(ITEM_STATES)]


def _plausible_values(node: Any) -> None:
    """Codes and dates where the contract names them: ISO 4217/3166 codes, Spryker's date."""
    if isinstance(node, dict):
        if "sku" in node and "quantity" in node:
            _plausible_item(node)
        for key, value in node.items():
            if key == "currencyIsoCode":
                node[key] = CURRENCY
            elif key == "iso2Code":
                node[key] = COUNTRY[1]
            elif key == "country" and isinstance(value, str):
                node[key] = COUNTRY[0]
            elif key == "createdAt" and isinstance(value, str):
                moment = plausible_instant(value, EARLIEST, 5 * 365)
                node[key] = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
            elif key == "merchantReference" and isinstance(value, str):
                node[key] = f"MER00000{zlib.crc32(value.encode()) % 5 + 1}"
            elif key == "orderReference" and isinstance(value, str):
                node[key] = f"DE--{zlib.crc32(value.encode()) % 50 + 1}"
            elif key == "taxRate" or key == "taxRateAverageAggregation":
                node[key] = "19.00" if value is not None else None
            else:
                _plausible_values(value)
    elif isinstance(node, list):
        for value in node:
            _plausible_values(value)


def _plausible_token(attributes: dict) -> None:
    """A decodable JWT with Spryker's claims and the default lifetime (glue-F1)."""
    issued = int(plausible_instant(str(attributes.get("accessToken")), EARLIEST, 365).timestamp())
    ttl = 28800
    claims = {
        "aud": "frontend",
        "jti": f"{zlib.crc32(str(issued).encode()):08x}" * 10,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "sub": json.dumps({"customer_reference": "DE--1", "id_customer": 1}),
        "scopes": ["customer"],
    }
    header = _b64(b'{"typ":"JWT","alg":"HS256"}')
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    attributes.update(
        tokenType="Bearer",
        expiresIn=ttl,
        accessToken=f"{header}.{payload}.{_b64(b'mock-signature')}",
    )
    if "refreshToken" in attributes:
        attributes["refreshToken"] = "def50200" + f"{zlib.crc32(payload.encode()):08x}" * 8
    if "idCompanyUser" in attributes:
        attributes["idCompanyUser"] = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
