"""The third API's behaviour: bearer auth, offset pagination, read by id, create."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.datastructures import Headers

from mock_server.api import same_secret
from mock_server.config import Settings
from mock_server.derived_secrets import derived_key
from mock_server.request_context import RequestContext
from mock_server.store import StateStore

from .envelope import NO_TOKEN, RETURN_NOT_FOUND, TOO_MANY_RETURNS, WRONG_TOKEN
from .world import ThirdWorld, build_world

JSON = {"Content-Type": "application/json"}
DEFAULT_LIMIT = 10
MAX_RETURNS = 500  # contract third-D4: the world stays bounded


def _after(timestamp: str) -> str:
    """A minute after ``timestamp``: creation times stay deterministic (same seed, same bytes)."""
    later = datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + timedelta(minutes=1)
    return later.isoformat().replace("+00:00", "Z")


class ThirdService:
    """Handlers take the explicit :class:`RequestContext` first, then the routed arguments."""

    def __init__(self, settings: Settings) -> None:
        def world_for(seed: int) -> ThirdWorld:
            if settings.secret_salt is None:
                return build_world(seed)  # the token derives from the seed (not secret)
            return build_world(seed, "third-" + derived_key(settings, f"third-{seed}").hex()[:24])

        self.store: StateStore[ThirdWorld] = StateStore(world_for, settings.seed)
        self.handlers: dict[str, Callable[..., Any]] = {
            "listReturns": self.list_returns,
            "getReturn": self.get_return,
            "createReturn": self.create_return,
        }

    def check_request(self, method: str, headers: Headers, has_body: bool) -> None:
        return None  # no Accept or media-type rule beyond what the contract validates

    def authenticate(self, headers: Headers, schemes: list[str]) -> str:
        authorization = headers.get("authorization")
        if not authorization:
            raise NO_TOKEN
        kind, _, token = authorization.strip().partition(" ")
        if kind.lower() == "bearer" and same_secret(token.strip(), self.store.world.token):
            return "client"
        raise WRONG_TOKEN

    def reset(self, seed: int | None = None) -> None:
        self.store.reset(seed)

    def accounts(self) -> dict:
        return {"bearer": [{"token": self.store.world.token}]}

    def counts(self) -> dict:
        world = self.store.world
        return {"seed": self.store.seed, "returns": len(world.returns), "created": world.created}

    async def list_returns(
        self, ctx: RequestContext, limit: str | None = None, offset: str | None = None, **_: Any
    ) -> tuple:
        size = int(limit) if limit is not None else DEFAULT_LIMIT  # validated: 1..50
        start = int(offset) if offset is not None else 0
        returns = self.store.world.returns
        end = start + size
        following = (
            f"{ctx.base_url}/returns?limit={size}&offset={end}" if end < len(returns) else None
        )
        return {"data": returns[start:end], "next": following}, 200, JSON

    async def get_return(self, ctx: RequestContext, returnId: str, **_: Any) -> tuple:
        found = self.store.world.by_id.get(returnId)
        if found is None:
            raise RETURN_NOT_FOUND
        return found, 200, JSON

    async def create_return(self, ctx: RequestContext, body: dict, **_: Any) -> tuple:
        with self.store.lock:
            world = self.store.world
            if len(world.returns) >= MAX_RETURNS:
                raise TOO_MANY_RETURNS
            created = world.add(
                {
                    "id": world.next_id(),
                    "orderNumber": body["orderNumber"],
                    "reason": body["reason"],
                    "status": "requested",
                    "createdAt": _after(world.returns[-1]["createdAt"]),
                    "note": body.get("note"),
                }
            )
            world.created += 1
            self.store.touch()
        location = f"{ctx.base_url}/returns/{created['id']}"
        return created, 201, {**JSON, "Location": location}
