"""Sendcloud behaviour: Basic/OAuth2 auth, cursor pagination and the two v2 read operations."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from starlette.datastructures import Headers

from ...api import same_secret
from ...config import Settings
from ...derived_secrets import derived_key
from ...request_context import RequestContext
from ...store import StateStore
from .envelope import INVALID_CREDENTIALS, INVALID_CURSOR, NOT_PROVIDED, RETURN_NOT_FOUND
from .world import SendcloudWorld, build_world

PAGE_SIZE = 20
JSON = {"Content-Type": "application/json"}


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o={offset}".encode()).decode()


def decode_cursor(cursor: str, total: int) -> int:
    """The offset a cursor points at, or :data:`INVALID_CURSOR`."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii")
        key, _, value = text.partition("=")
        offset = int(value)
    except (UnicodeError, ValueError, binascii.Error):
        raise INVALID_CURSOR from None
    if key != "o" or not 0 <= offset < max(total, 1) or not value.isdigit():
        raise INVALID_CURSOR
    return offset


class SendcloudService:
    """The Sendcloud Returns API v2 behind its contract."""

    def __init__(self, settings: Settings) -> None:
        def world_for(seed: int) -> SendcloudWorld:
            world = build_world(seed)
            if settings.secret_salt is None:
                return world  # keys derived from the seed (not secret)
            key = derived_key(settings, f"sendcloud-{seed}").hex()
            return replace(
                world, public_key=key[:32], secret_key=key[32:], oauth_token="scoauth-" + key[:24]
            )

        self.store: StateStore[SendcloudWorld] = StateStore(world_for, settings.seed)
        self.handlers: dict[str, Callable[..., Any]] = {
            "sc-public-v2-scp-get-all_returns": self.list_returns,
            "sc-public-v2-scp-get-return_by_id": self.get_return,
        }

    def check_request(self, method: str, headers: Headers, has_body: bool) -> None:
        return None

    def authenticate(self, headers: Headers, schemes: list[str]) -> str:
        world = self.store.world
        authorization = headers.get("authorization")
        if not authorization:
            raise NOT_PROVIDED
        kind, _, credentials = authorization.strip().partition(" ")
        if kind.lower() == "basic" and "HTTPBasicAuth" in schemes:
            try:
                public, _, secret = (
                    base64.b64decode(credentials, validate=True).decode().partition(":")
                )
            except (ValueError, UnicodeDecodeError):  # binascii.Error, or non-ASCII input
                raise INVALID_CREDENTIALS from None
            if same_secret(public, world.public_key) and same_secret(secret, world.secret_key):
                return public
        if (
            kind.lower() == "bearer"
            and "OAuth2ClientCreds" in schemes
            and same_secret(credentials.strip(), world.oauth_token)
        ):
            return "oauth2-client"
        raise INVALID_CREDENTIALS

    def reset(self, seed: int | None = None) -> None:
        self.store.reset(seed)

    def accounts(self) -> dict:
        world = self.store.world
        return {
            "basic": [{"publicKey": world.public_key, "secretKey": world.secret_key}],
            "oauth2": [{"accessToken": world.oauth_token}],
        }

    def counts(self) -> dict:
        return {"seed": self.store.seed, "returns": len(self.store.world.returns)}

    async def list_returns(self, ctx: RequestContext, cursor: str | None = None, **_: Any) -> tuple:
        world = self.store.world
        total = len(world.returns)
        offset = decode_cursor(cursor, total) if cursor is not None else 0
        base = f"{ctx.base_url}/returns"
        end = offset + PAGE_SIZE
        previous = None
        if offset > 0:
            previous = f"{base}?cursor={encode_cursor(max(offset - PAGE_SIZE, 0))}"
        body = {
            "next": f"{base}?cursor={encode_cursor(end)}" if end < total else None,
            "previous": previous,
            "returns": world.returns[offset:end],
        }
        return body, 200, JSON

    async def get_return(self, ctx: RequestContext, id: int, **_: Any) -> tuple:
        found = self.store.world.by_id(id)
        if found is None:
            raise RETURN_NOT_FOUND
        return found, 200, JSON
