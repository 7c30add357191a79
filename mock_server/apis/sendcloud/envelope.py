"""Sendcloud's error envelope: ``{"error":{"code","request","message"}}``."""

from __future__ import annotations

import re

from ...errors import ApiError, EnvelopeBase, RequestParameterError, error_type

BASE_PATH = "/sendcloud/api/v2"
WWW_AUTHENTICATE = 'Basic realm="api"'
# X-Mock-Hint is mock-only: why the request was refused; the body stays Sendcloud's (sendcloud-F11).
EXPECTED_AUTH = (
    "expected HTTP Basic <public key>:<secret key> or Bearer <OAuth2 token> "
    "as seeded (GET /__admin/accounts)"
)
NOT_PROVIDED = error_type(
    401,
    "Authentication credentials were not provided.",
    headers={"WWW-Authenticate": WWW_AUTHENTICATE, "X-Mock-Hint": EXPECTED_AUTH},
)
INVALID_CREDENTIALS = error_type(
    401,
    "Invalid username/password.",
    headers={"WWW-Authenticate": WWW_AUTHENTICATE, "X-Mock-Hint": EXPECTED_AUTH},
)
RETURN_NOT_FOUND = error_type(404, "No Return matches the given query.")
INVALID_CURSOR = error_type(404, "Invalid cursor")
# Connexion routes `/returns/{id}` with an int converter, so a non-integer id misses the route.
RETURN_PATH = re.compile(re.escape(BASE_PATH) + r"/returns/[^/]+/?")


class SendcloudEnvelope(EnvelopeBase):
    """Errors as Sendcloud (Django REST framework) words them; ``request`` is the API path."""

    media_type = "application/json"
    status_messages = {
        404: "Not found.",
        405: "Method not allowed.",
        413: "Request body is too large.",
        415: "Unsupported media type in request.",
    }

    def render(self, error: ApiError, path: str) -> dict:
        request = path[len("/sendcloud/") :] if path.startswith("/sendcloud/") else path.lstrip("/")
        return {"error": {"code": error.status, "request": request, "message": error.detail}}

    def translate(self, exc: Exception, path: str) -> ApiError:
        error = super().translate(exc, path)
        if error.status == 404 and error.code is None and RETURN_PATH.fullmatch(path):
            return RETURN_NOT_FOUND()  # any id that matches no return (sendcloud-C9)
        return error

    def parameter_error(self, exc: RequestParameterError) -> ApiError:
        if exc.location == "path":  # a non-integer id matches no return (sendcloud-C9)
            return RETURN_NOT_FOUND()
        return ApiError(400, exc.detail)
