"""``Prefer: code=500`` / ``code=503``: a server error for one request, on any operation.

Contracts rarely document 5xx answers, yet a client must survive them. When ``Prefer`` asks for
one the operation does not document, the mock answers it anyway, in the API's own error
envelope (a documented 500/503 is answered from the contract as any other ``code=``).
"""

from __future__ import annotations

from .errors import ApiError

SIMULATED_SERVER_ERRORS = (500, 503)
RETRY_AFTER_SECONDS = "1"


def simulated_server_error(status: int) -> ApiError:
    detail = (
        "Internal Server Error (simulated: Prefer: code=500)."
        if status == 500
        else "Service Unavailable (simulated: Prefer: code=503)."
    )
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status == 503 else {}
    return ApiError(status, detail, headers=headers)
