"""The Sendcloud error envelope: ``{"error": {"code": <status>, "request": <path>, "message": …}}``.

Each function returns a list of problems (empty = fine), so callers decide how to report them.
"""

from __future__ import annotations

from typing import Any


def sendcloud_error_problems(document: Any, status: int, path: str | None = None) -> list[str]:
    """Problems of a Sendcloud ``{"error": {code, request, message}}`` envelope.

    ``path`` is the request path (without query); ``request`` must name it without the leading
    slash (``api/v2/returns/1`` for ``/api/v2/returns/1``). Behind a proxy the API may be
    mounted deeper, so ``request`` only has to be a suffix of the path.
    """
    if not isinstance(document, dict):
        return ["the body is not a JSON object"]
    error = document.get("error")
    if not isinstance(error, dict):
        return ["the body has no `error` object"]
    problems = []
    code = error.get("code")
    if isinstance(code, bool) or not isinstance(code, int):
        problems.append("`error.code` is missing or not an integer")
    elif code != status:
        problems.append(f"`error.code` is {code} but the HTTP status is {status}")
    request = error.get("request")
    if not isinstance(request, str):
        problems.append("`error.request` is missing or not a string")
    elif path is not None:
        if request.startswith("/"):
            problems.append(f"`error.request` ({request!r}) must not start with a slash")
        elif not request or not ("/" + path.strip("/")).endswith("/" + request.strip("/")):
            problems.append(
                f"`error.request` ({request!r}) does not name the request path {path!r}"
            )
    if not isinstance(error.get("message"), str):
        problems.append("`error.message` is missing or not a string")
    return problems
