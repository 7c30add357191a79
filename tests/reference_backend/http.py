"""The little HTTP plumbing both reference APIs share: a bounded body read and a JSON response."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

MAX_BODY = 1024 * 1024


class BodyTooLarge(Exception):
    """The request body is over :data:`MAX_BODY`."""


async def read_body(request: Request) -> bytes:
    """The request body, refused (without reading on) once it exceeds :data:`MAX_BODY`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def json_response(
    body: Any, status: int, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status, headers=headers, media_type=media_type)
