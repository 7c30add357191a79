"""Size limits of a request: head (431), URL (414) and body (413), in the API's envelope.

The HTTP server enforces its own, larger caps while reading (``http_protocol.py``); these are
the documented limits the mock answers with before any work is done for a request.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope

from .config import Settings
from .errors import ApiError

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def head_error(scope: Scope, settings: Settings) -> ApiError | None:
    """431 when the request headers, 414 when the URL are larger than allowed, else None."""
    if sum(len(k) + len(v) for k, v in scope["headers"]) > settings.max_header_bytes:
        return ApiError(431, "Request header fields too large.")
    url_bytes = len(scope.get("raw_path") or b"") + len(scope.get("query_string", b""))
    if url_bytes > settings.max_url_bytes:
        return ApiError(414, "Request-URI too long.")
    return None


def check_content_length(headers: Headers, limit: int) -> None:
    """413 for a declared body over ``limit`` (or a ``Content-Length`` that is no length)."""
    length = headers.get("content-length")
    if length and (not _ASCII_DIGITS.fullmatch(length) or int(length) > limit):
        raise ApiError(413, "Request body is too large.")


async def buffered_body(scope: Scope, receive: Receive, limit: int) -> tuple[Scope, Receive]:
    """Read a chunked body (stopping as soon as it exceeds ``limit``) and present it with a
    ``Content-Length``, which Connexion's body validators rely on."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "Request body is too large.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    headers = [(k, v) for k, v in scope["headers"] if k != b"transfer-encoding"]
    headers.append((b"content-length", str(len(body)).encode()))
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return {**scope, "headers": headers}, replay
