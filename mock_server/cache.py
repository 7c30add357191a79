"""Memoized responses for repeated reads of an unchanged world (the mock's fast path).

A successful ``GET`` is a pure function of the request and the API's world. This middleware
sits right after :class:`~mock_server.gate.GateMiddleware` — so ``Prefer``, latency, faults,
the API's preconditions and authentication still run on every request — and before request
validation. On a miss it lets the request through and records a 200 response; on a hit (same
operation, scheme, root path, path, query, caller, language, ``Prefer`` and ``Host``, and the
world's version unchanged — everything a response is a function of)
it replays the recorded status, headers and bytes. The first request was validated, so an
identical one would be too; responses are checked at recording time when response validation is
on. Any state change (a created return, a reset) bumps the world version and retires the entries.

The recorded responses (:class:`ResponseCache`) are made by ``create_app``, which hands them to
the middleware (:class:`ResponseCacheMiddleware`) and to the runtime (for ``/__admin/state``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .request_context import principal_of
from .runtime import Runtime
from .sessions import service_for, session_serial

MAX_ENTRIES = 4096
MAX_BODY = 256 * 1024  # larger bodies are not recorded
MAX_BYTES = 32 * 1024 * 1024  # recorded bodies in all; the least recently used go first
_VARY = (b"accept-language", b"prefer", b"host")


def _principal_key(principal: Any) -> str:
    return str(getattr(principal, "reference", principal))


_Entry = tuple[int, int, list, bytes]  # (world version, status, headers, body)


class ResponseCache:
    """LRU of recorded 200 responses, keyed by request and world version."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.bytes = 0  # sum of the recorded bodies
        self.hits = 0

    def stats(self) -> dict:
        """For /__admin/state."""
        return {"entries": len(self.entries), "bytes": self.bytes, "hits": self.hits}

    def get(self, key: tuple, version: int) -> _Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] != version:
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return entry

    def store(self, key: tuple, entry: _Entry) -> None:
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.bytes -= len(previous[3])
        self.entries[key] = entry
        self.bytes += len(entry[3])
        while self.entries and (
            len(self.entries) > self.max_entries or self.bytes > self.max_bytes
        ):
            _, evicted = self.entries.popitem(last=False)
            self.bytes -= len(evicted[3])


class ResponseCacheMiddleware:
    """Replays a recorded response for a repeated read, records a fresh one otherwise."""

    def __init__(self, app: ASGIApp, runtime: Runtime, cache: ResponseCache) -> None:
        self.app = app
        self.runtime = runtime
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_read = scope["type"] == "http" and scope["method"] == "GET"
        routed = self.runtime.routed(scope) if is_read else None
        if routed is None:
            await self.app(scope, receive, send)
            return
        mounted, operation = routed
        principal = principal_of(scope)
        vary = tuple(v for k, v in scope["headers"] if k in _VARY)
        key = (
            operation.operation_id,
            scope.get("scheme", "http"),  # links are absolute: scheme, Host and root path
            scope.get("root_path", ""),
            scope["path"],
            scope.get("query_string", b""),
            _principal_key(principal),
            vary,
            session_serial(scope),  # one world per session instance
        )
        store = service_for(scope, mounted).store  # the request's session
        version = store.version
        entry = self.cache.get(key, version)
        if entry is not None:
            _, status, headers, body = entry
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, self._recorder(key, version, store, send))

    def _recorder(self, key: tuple, version: int, store: Any, send: Send) -> Send:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and start.get("status") == 200:
                chunks.append(message.get("body", b""))
                done = not message.get("more_body", False)
                size = sum(map(len, chunks))
                if done and size <= MAX_BODY and store.version == version:
                    entry = (version, 200, list(start["headers"]), b"".join(chunks))
                    self.cache.store(key, entry)
            await send(message)

        return record
