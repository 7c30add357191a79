"""One pass over each request for the access log and the session's journal.

:func:`observed` wraps ``receive`` and ``send`` of one request: it keeps the first bytes of the
request body and of an error response, the status and the time taken, then writes one access-log
line (``POST /glue/returns session=ci-1 201 - 3.1ms``; ``-`` when there is no API error code)
and completes the journal entry. Nothing is parsed unless an error is logged.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .journal import MAX_BODY, MAX_ERROR_BODY, Journal, error_code

logger = logging.getLogger("mock_server.access")
# A decoded path may hold control characters (%0A): escaped, so one request stays one line.
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F]}


async def observed(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    session_name: str,
    journal: Journal | None,
    access_log: bool,
) -> None:
    """Run ``app`` for one HTTP request, journaling it (when ``journal``) and logging it."""
    log = access_log and logger.isEnabledFor(logging.INFO)
    if journal is None and not log:
        await app(scope, receive, send)
        return
    started = time.perf_counter()
    path = scope.get("path", "")
    entry = (
        journal.start(scope["method"], path, scope.get("query_string", b""), scope["headers"])
        if journal is not None
        else None
    )
    body: list[bytes] = []
    body_size = 0
    status = 0
    error: list[bytes] = []

    async def receive_and_keep() -> Message:
        nonlocal body_size
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if body_size + len(chunk) <= MAX_BODY:
                body.append(chunk)
            body_size += len(chunk)
        return message

    async def send_and_keep(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif (
            message["type"] == "http.response.body"
            and status >= 400
            and sum(map(len, error)) < MAX_ERROR_BODY
        ):
            error.append(message.get("body", b"")[:MAX_ERROR_BODY])
        await send(message)

    try:
        await app(scope, receive_and_keep if entry is not None else receive, send_and_keep)
    finally:
        elapsed = (time.perf_counter() - started) * 1000
        error_bytes = b"".join(error)
        if entry is not None and journal is not None:
            kept = b"".join(body) if body_size <= MAX_BODY else b""
            journal.finish(entry, kept, body_size, status or 500, error_bytes, elapsed)
        if log:
            query = scope.get("query_string", b"")
            target = path + ("?" + query.decode("latin-1") if query else "")
            logger.info(
                "%s %s session=%s %s %s %.1fms",
                scope["method"],
                target[:2048].translate(_CONTROLS),
                session_name,
                status or 500,
                error_code(error_bytes) or "-",
                elapsed,
            )
