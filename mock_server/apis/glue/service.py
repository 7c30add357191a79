"""Glue behaviour: auth, request preconditions, state changes and the operation handlers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers

from ...api import same_secret
from ...config import Settings
from ...derived_secrets import derived_key
from ...errors import ApiError
from ...request_context import RequestContext
from ...store import StateStore
from . import envelope as E
from .resources import (
    VND,
    collection_links,
    included_for,
    order_detail,
    order_summary,
    return_resource,
)
from .world import STORE, Customer, OrderItem, World, build_world, create_return

BASE_PATH = "/glue"
REFRESH_TTL = 2_628_000
MINE = "mine"  # DELETE /refresh-tokens/mine revokes all of the caller's refresh tokens
ANONYMOUS_HEADER = "x-anonymous-customer-unique-id"
HINT = "X-Mock-Hint"  # mock-only: why a request was refused; the body stays the real one
MAX_ENDED = 4096  # ended tokens remembered (and why) for the hint
DIGITS = re.compile(r"[0-9]+")
ACCEPTABLE = ("application/vnd.api+json", "application/*", "*/*")
REASONS = {
    "en": ("en_US", ("Damaged", "Wrong Item", "No longer needed")),
    "de": ("de_DE", ("Beschädigt", "Falscher Artikel", "Nicht mehr benötigt")),
}


@dataclass
class Session:
    """An issued access token (or refresh token) and whom it belongs to."""

    customer_reference: str
    expires_at: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _php_truthy(value: str | None) -> bool:
    """A header value as Spryker's ``if ($a && $b)`` reads it: "" and "0" are false."""
    return value not in (None, "", "0")


def hinted(error: type[ApiError], hint: str) -> ApiError:
    """A fresh ``error`` with the mock-only ``X-Mock-Hint`` header (the real body unchanged)."""
    return error().with_headers({HINT: hint})


def jwt_segments(token: str) -> tuple[str, str, str] | None:
    """The three base64url segments of a compact JWS, or None for anything else."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts) or len(token) > 8192:
        return None
    return parts[0], parts[1], parts[2]


def accepts_jsonapi(accept: str | None) -> bool:
    """True when an ``Accept`` header allows ``application/vnd.api+json``."""
    if not accept:
        return False
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            weight = float(q)
        except ValueError:
            weight = 0.0
        if media.lower() in ACCEPTABLE and weight > 0:
            return True
    return False


def locale_for(accept_language: str | None) -> str:
    """`en` or `de`, the first supported language of ``Accept-Language`` by weight."""
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(","):
        tag, *params = (p.strip() for p in part.split(";"))
        language = tag.split("-")[0].split("_")[0].lower()
        try:
            q = float(next((p[2:] for p in params if p.startswith("q=")), "1"))
        except ValueError:
            q = 0.0
        if language in REASONS and q > best_q:
            best, best_q = language, q
    return best


class GlueService:
    """The Spryker Glue Return Management API behind its contract."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: StateStore[World] = StateStore(build_world, settings.seed)
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._refresh: OrderedDict[str, Session] = OrderedDict()
        self._ended: OrderedDict[str, str] = OrderedDict()  # token → why it ended (for the hint)
        self._issued = 0
        self._created = 0
        self.handlers: dict[str, Callable[..., Any]] = {
            "createAccessToken": self.create_access_token,
            "refreshAccessToken": self.refresh_access_token,
            "revokeRefreshToken": self.revoke_refresh_token,
            "listReturnReasons": self.list_return_reasons,
            "listOrders": self.list_orders,
            "getOrder": self.get_order,
            "createReturn": self.create_return,
            "listReturns": self.list_returns,
            "getReturn": self.get_return,
        }

    # ------------------------------------------------------------------ gate
    def check_request(self, method: str, headers: Headers, has_body: bool) -> None:
        """Glue's request validators, in Spryker's order: headers (406/415), then the
        simultaneous-authentication check (005), then any token given, on every route (001)."""
        if not accepts_jsonapi(headers.get("accept")):
            raise hinted(E.NOT_ACCEPTABLE, f"expected Accept: {VND} (or application/*, */*)")
        if method in ("POST", "PATCH", "PUT"):
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != VND:
                raise hinted(E.UNSUPPORTED_MEDIA_TYPE, f"expected Content-Type: {VND}")
        authorization = (headers.get("authorization") or "").strip()
        if _php_truthy(headers.get("authorization")) and _php_truthy(headers.get(ANONYMOUS_HEADER)):
            raise hinted(
                E.ANONYMOUS_WITH_TOKEN,
                "send either Authorization or X-Anonymous-Customer-Unique-Id, not both",
            )
        if authorization:
            self._session_for(authorization)

    def authenticate(self, headers: Headers, schemes: list[str]) -> Customer:
        authorization = (headers.get("authorization") or "").strip()
        if not authorization:
            raise hinted(E.MISSING_ACCESS_TOKEN, "expected Authorization: Bearer <accessToken>")
        session = self._session_for(authorization)
        return self.store.world.customers[session.customer_reference]

    def _session_for(self, authorization: str) -> Session:
        """The live session of an ``Authorization`` value, or 401/001 saying why not."""
        kind, _, token = authorization.partition(" ")
        token = token.strip()
        if kind.lower() != "bearer" or jwt_segments(token) is None:
            raise hinted(E.INVALID_ACCESS_TOKEN, "malformed: expected Bearer <JWT>")
        session = self._sessions.get(token)
        if session is not None and session.expires_at >= time.monotonic():
            return session
        if session is not None:
            reason = "expired (exp has passed; POST /refresh-tokens for a new one)"
        elif token in self._ended:
            reason = self._ended[token]
        elif not self._signed_here(token):
            reason = f"not issued under seed {self.store.seed} (another seed or server)"
        else:
            reason = "unknown to this mock process (issued before a restart or a reset)"
        raise hinted(E.INVALID_ACCESS_TOKEN, reason)

    def _secret(self) -> bytes:
        """Signing key of the current world: a token issued under another seed (or in another
        session) fails its check; unpredictable under ``--random-secrets``."""
        session = f"|session:{self.settings.session}" if self.settings.session else ""
        return derived_key(self.settings, f"glue-mock-{self.store.seed}{session}")

    def _signed_here(self, token: str) -> bool:
        segments = jwt_segments(token)
        if segments is None:
            return False
        header, payload, signature = segments
        expected = hmac.new(self._secret(), f"{header}.{payload}".encode(), "sha256").digest()
        return same_secret(_b64(expected), signature)  # constant time, any characters

    def _end(self, token: str, reason: str) -> None:
        self._ended[token] = reason
        while len(self._ended) > MAX_ENDED:
            self._ended.popitem(last=False)

    # ------------------------------------------------------------------ admin
    def reset(self, seed: int | None = None) -> None:
        """Back to the seeded world; another seed also ends every session (its customers differ)."""
        if seed is not None and seed != self.store.seed:
            with self.store.lock:
                for table in (self._sessions, self._refresh):
                    for token in table:
                        self._end(token, f"ended by POST /__admin/reset to seed {seed}")
                    table.clear()
        self.store.reset(seed)
        self._created = 0

    def accounts(self) -> dict:
        return {
            "customers": [
                {
                    "username": c.email,
                    "password": c.password,
                    "customerReference": c.reference,
                    "name": f"{c.first_name} {c.last_name}",
                }
                for c in self.store.world.customers.values()
            ]
        }

    def counts(self) -> dict:
        world = self.store.world
        return {
            "seed": self.store.seed,
            "customers": len(world.customers),
            "orders": len(world.orders),
            "orderItems": len(world.items),
            "returnableItems": sum(world.is_returnable(i) for i in world.items.values()),
            "returns": len(world.returns),
            "returnsCreated": self._created,
            "activeTokens": len(self._sessions),
            "tokensIssued": self._issued,
        }

    # ------------------------------------------------------------------ tokens
    def _issue(self, ctx: RequestContext, customer: Customer, resource_type: str) -> dict:
        """A JWT with Spryker's claims (aud, jti, iat, nbf, exp = iat + expiresIn, sub, scopes,
        as in Spryker's "authenticate as a customer" sample) and an opaque refresh token."""
        ttl = self.settings.token_ttl
        with self.store.lock:
            self._issued += 1
            secret = self._secret()
            jti = hmac.new(secret, f"{customer.reference}:{self._issued}".encode(), "sha256")
            header = _b64(b'{"typ":"JWT","alg":"HS256"}')
            issued_at = int(time.time())
            claims = {
                "aud": "frontend",
                "jti": jti.hexdigest() + jti.hexdigest()[:16],
                "iat": issued_at,
                "nbf": issued_at,
                "exp": issued_at + ttl,
                "sub": json.dumps(
                    {
                        "id_company_user": None,
                        "id_agent": None,
                        "customer_reference": customer.reference,
                        "id_customer": customer.id_customer,
                        "permissions": None,
                    },
                    separators=(",", ":"),
                ),
                "scopes": ["customer"],
            }
            payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
            signature = _b64(hmac.new(secret, f"{header}.{payload}".encode(), "sha256").digest())
            access = f"{header}.{payload}.{signature}"
            refresh = "def50200" + hashlib.sha256(f"refresh:{access}".encode()).hexdigest()
            now = time.monotonic()
            self._remember(self._sessions, access, Session(customer.reference, now + ttl))
            self._remember(self._refresh, refresh, Session(customer.reference, now + REFRESH_TTL))
        return {
            "data": {
                "type": resource_type,
                "id": None,
                "attributes": {
                    "tokenType": "Bearer",
                    "expiresIn": ttl,
                    "accessToken": access,
                    "refreshToken": refresh,
                    "idCompanyUser": None,
                },
                "links": {"self": f"{self._base(ctx)}/{resource_type}"},
            }
        }

    def _remember(self, table: OrderedDict[str, Session], token: str, session: Session) -> None:
        """Keep at most ``max_tokens_per_customer`` live tokens per customer (oldest dropped)."""
        table[token] = session
        mine = [t for t, s in table.items() if s.customer_reference == session.customer_reference]
        cap = self.settings.max_tokens_per_customer
        for stale in mine[: max(0, len(mine) - cap)]:
            del table[stale]
            self._end(stale, f"dropped: this mock keeps at most {cap} tokens per customer")

    async def create_access_token(self, ctx: RequestContext, body: dict, **_: Any) -> tuple:
        attributes = body["data"]["attributes"]
        username, password = attributes["username"], attributes["password"]
        for field, value in (("username", username), ("password", password)):
            if not value.strip():
                raise ApiError(422, f"{field} => This value should not be blank.", "901")
        customer = self.store.world.customer_by_email(username)
        if customer is None or not same_secret(customer.password, password):
            raise hinted(E.FAILED_TO_AUTHENTICATE, "unknown username or wrong password")
        return self._issue(ctx, customer, "access-tokens"), 201, self._headers()

    async def refresh_access_token(self, ctx: RequestContext, body: dict, **_: Any) -> tuple:
        token = body["data"]["attributes"]["refreshToken"]
        with self.store.lock:
            session = self._refresh.pop(token, None)
            if session is not None:
                self._end(token, "used: refresh tokens are rotated on every refresh")
        if session is None or session.expires_at < time.monotonic():
            reason = self._ended.get(token, "unknown or expired refresh token")
            raise hinted(E.FAILED_TO_REFRESH, reason)
        customer = self.store.world.customers[session.customer_reference]
        return self._issue(ctx, customer, "refresh-tokens"), 201, self._headers()

    async def revoke_refresh_token(self, ctx: RequestContext, refreshToken: str, **_: Any) -> tuple:
        """``DELETE /refresh-tokens/mine`` revokes all of the caller's refresh tokens, ``DELETE
        /refresh-tokens/{token}`` that one if it is the caller's; 204 either way, as Spryker."""
        customer = self._customer(ctx)
        with self.store.lock:
            revoked = [
                token
                for token, session in self._refresh.items()
                if session.customer_reference == customer.reference
                and (refreshToken == MINE or token == refreshToken)
            ]
            for token in revoked:
                del self._refresh[token]
                self._end(token, "revoked by DELETE /refresh-tokens")
        return None, 204, {}

    # ------------------------------------------------------------------ reads
    async def list_return_reasons(self, ctx: RequestContext, **params: Any) -> tuple:
        language, reasons = REASONS[locale_for(ctx.headers.get("accept-language"))]
        base = self._base(ctx)
        items = [
            {
                "type": "return-reasons",
                "id": None,
                "attributes": {"reason": r},
                "links": {"self": f"{base}/return-reasons"},
            }
            for r in reasons
        ]
        document = self._collection(ctx, items, "return-reasons", params)
        return document, 200, self._headers({"Content-Language": language})

    async def list_orders(self, ctx: RequestContext, **params: Any) -> tuple:
        customer = self._customer(ctx)
        base = self._base(ctx)
        orders = [
            o
            for o in reversed(self.store.world.orders.values())
            if o.customer_reference == customer.reference
        ]
        return (
            self._collection(ctx, [order_summary(o, base) for o in orders], "orders", params),
            200,
            self._headers(),
        )

    async def get_order(self, ctx: RequestContext, orderReference: str, **_: Any) -> tuple:
        customer = self._customer(ctx)
        world = self.store.world
        order = world.orders.get(orderReference)
        if order is None or order.customer_reference != customer.reference:
            raise E.ORDER_NOT_FOUND
        document = {"data": order_detail(order, customer, world, self._base(ctx))}
        return self._with_query_in_self(ctx, document), 200, self._headers()

    async def list_returns(
        self, ctx: RequestContext, include: str | None = None, **params: Any
    ) -> tuple:
        customer = self._customer(ctx)
        world = self.store.world
        wanted = _include_set(include)
        base = self._base(ctx)
        mine = [
            r
            for r in reversed(world.returns.values())
            if r.customer_reference == customer.reference
        ]
        page = self._page(params)
        shown = mine[page[0] : page[0] + page[1]] if page else mine
        data = [
            return_resource(
                r, world, base, embed_items=False, relationships="return-items" in wanted
            )
            for r in shown
        ]
        document: dict[str, Any] = {
            "data": data,
            "links": collection_links(base, "returns", self._query(ctx), len(mine), page),
        }
        included = included_for(shown, world, base, wanted)
        if included:
            document["included"] = included
        return document, 200, self._headers()

    async def get_return(
        self, ctx: RequestContext, returnReference: str, include: str | None = None, **_: Any
    ) -> tuple:
        customer = self._customer(ctx)
        world = self.store.world
        found = world.returns.get(returnReference)
        if found is None or found.customer_reference != customer.reference:
            raise E.RETURN_NOT_FOUND
        return self._return_document(ctx, found, world, include), 200, self._headers()

    # ------------------------------------------------------------------ writes
    async def create_return(
        self, ctx: RequestContext, body: dict, include: str | None = None, **_: Any
    ) -> tuple:
        customer = self._customer(ctx)
        attributes = body["data"]["attributes"]
        requested = attributes["returnItems"]
        with self.store.lock:
            world = self.store.world
            items = self._returnable_items(world, customer, attributes["store"], requested)
            if len({item.merchant_reference for item, _ in items}) > 1:
                raise E.MULTIPLE_MERCHANTS
            if (
                world.return_counters.get(customer.reference, 0)
                >= self.settings.max_returns_per_customer
            ):
                raise ApiError(
                    422,
                    "Return can't be created. This mock keeps at most "
                    f"{self.settings.max_returns_per_customer} returns per customer; "
                    "POST /__admin/reset to start over.",
                    "3601",
                )
            created = create_return(world, customer.reference, items)
            self.store.touch()
            self._created += 1
        return self._return_document(ctx, created, world, include), 201, self._headers()

    @staticmethod
    def _returnable_items(
        world: World, customer: Customer, store: str, requested: list[dict]
    ) -> list[tuple[OrderItem, str | None]]:
        uuids = [entry["salesOrderItemUuid"] for entry in requested]
        if store != STORE or len(set(uuids)) != len(uuids):
            raise E.RETURN_CANT_BE_CREATED
        items = []
        for entry in requested:
            item = world.items.get(entry["salesOrderItemUuid"])
            if (
                item is None
                or world.orders[item.order_reference].customer_reference != customer.reference
                or not world.is_returnable(item)
            ):
                raise E.RETURN_CANT_BE_CREATED
            items.append((item, entry.get("reason")))
        return items

    # ------------------------------------------------------------------ helpers
    def _return_document(
        self, ctx: RequestContext, ret: Any, world: World, include: str | None
    ) -> dict:
        wanted = _include_set(include)
        base = self._base(ctx)
        document: dict[str, Any] = {
            "data": return_resource(
                ret, world, base, embed_items=True, relationships="return-items" in wanted
            )
        }
        included = included_for([ret], world, base, wanted)
        if included:
            document["included"] = included
        return self._with_query_in_self(ctx, document)

    def _with_query_in_self(self, ctx: RequestContext, document: dict) -> dict:
        """The requested resource's ``links.self`` carries the request's query, brackets
        unencoded, as Glue writes it (domain-facts A2b: `…/returns/DE--21-R4?include=…`)."""
        query = "&".join(f"{k}={v}" for k, v in self._query(ctx))
        if query:
            links = document["data"]["links"]
            links["self"] = f"{links['self']}?{query}"
        return document

    def _collection(self, ctx: RequestContext, items: list[dict], path: str, params: dict) -> dict:
        page = self._page(params)
        shown = items[page[0] : page[0] + page[1]] if page else items
        return {
            "data": shown,
            "links": collection_links(self._base(ctx), path, self._query(ctx), len(items), page),
        }

    @staticmethod
    def _page(params: dict) -> tuple[int, int] | None:
        """Spryker's ``setPaginationFields``: a page only when both ``page[offset]`` and
        ``page[limit]`` are given; a lone well-formed one is ignored. A value that is not plain
        digits (or a limit of 0) is 400 "Pagination parameters are invalid." (no code), also
        alone, as later Spryker versions answer (glue-F5)."""
        offset, limit = params.get("page_offset"), params.get("page_limit")
        for name, value in (("page[offset]", offset), ("page[limit]", limit)):
            if value is not None and not DIGITS.fullmatch(str(value)):
                raise hinted(E.PAGINATION_INVALID, f"{name} must be plain digits")
        if limit is not None and int(limit) <= 0:
            raise hinted(E.PAGINATION_INVALID, "page[limit] must be greater than 0")
        if offset is None or limit is None:
            return None
        return int(offset), int(limit)

    @staticmethod
    def _customer(ctx: RequestContext) -> Customer:
        customer: Customer = ctx.principal
        return customer

    @staticmethod
    def _query(ctx: RequestContext) -> list[tuple[str, str]]:
        return list(ctx.query)

    @staticmethod
    def _base(ctx: RequestContext) -> str:
        return ctx.base_url

    @staticmethod
    def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Content-Type": VND, **(extra or {})}


def _include_set(include: str | None) -> set[str]:
    return {part.strip() for part in (include or "").split(",") if part.strip()}
