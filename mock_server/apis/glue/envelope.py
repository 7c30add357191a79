"""Glue's JSON:API error envelope: ``{"errors":[{"status","code","detail"}]}``."""

from __future__ import annotations

from ...errors import (
    ApiError,
    EnvelopeBase,
    MalformedBodyError,
    RequestBodyError,
    RequestParameterError,
    error_type,
)

WWW_AUTHENTICATE = 'Bearer realm="Access to shop API"'

INVALID_ACCESS_TOKEN = error_type(
    401, "Invalid access token.", "001", {"WWW-Authenticate": WWW_AUTHENTICATE}
)
MISSING_ACCESS_TOKEN = error_type(403, "Missing access token.", "002")
FAILED_TO_AUTHENTICATE = error_type(401, "Failed to authenticate user.", "003")
FAILED_TO_REFRESH = error_type(401, "Failed to refresh token.", "004")
# spryker/auth-rest-api Processor/AccessTokens/SimultaneousAuthenticationRestRequestValidator.php
ANONYMOUS_WITH_TOKEN = error_type(
    400,
    "Headers request error. A user can't act as logged and not logged user at the same time.",
    "005",
)
RETURN_CANT_BE_CREATED = error_type(422, "Return can't be created.", "3601")
RETURN_NOT_FOUND = error_type(404, "Can't find return by the given return reference.", "3602")
MULTIPLE_MERCHANTS = error_type(422, "Return contains items from different merchants.", "3603")
ORDER_NOT_FOUND = error_type(404, "Can't find order by the given order reference", "801")
PAGINATION_INVALID = error_type(400, "Pagination parameters are invalid.")
NOT_ACCEPTABLE = error_type(406, "Not acceptable.")
UNSUPPORTED_MEDIA_TYPE = error_type(415, "Unsupported media type.")
INVALID_TYPE = error_type(400, "Invalid type.")
# GA Controller/ErrorRestController::resourceNotFoundAction; Spryker's generic errors page:
# 404 "Wrong request URL, type, or method" — Glue has no 405.
ROUTE_NOT_FOUND = error_type(404, "Not Found")
POST_DATA_INVALID = error_type(400, "Post data is invalid.")

# Symfony-style wording of Spryker's request validator (code 901).
_SYMFONY = {
    "required": "This value should not be blank.",
    "minItems": "This collection should contain 1 element or more.",
    "minLength": "This value should not be blank.",
}


class GlueEnvelope(EnvelopeBase):
    """Maps every failure to a JSON:API error document with Glue's codes."""

    media_type = "application/vnd.api+json"
    status_messages = {
        404: "Not Found",
        405: "Method Not Allowed",
        413: "Request body is too large.",
        415: UNSUPPORTED_MEDIA_TYPE.detail,
    }

    def translate(self, exc: Exception, path: str) -> ApiError:
        """As the shared mapping, except that a wrong method is Glue's 404 (no ``Allow``)."""
        error = super().translate(exc, path)
        if error.status == 405:
            return ROUTE_NOT_FOUND(headers={"X-Mock-Hint": "method not documented here"})
        return error

    def render(self, error: ApiError, path: str) -> dict:
        entry: dict = {"status": error.status}
        if error.code is not None:
            entry["code"] = error.code
        entry["detail"] = error.detail
        return {"errors": [entry]}

    def body_error(self, exc: RequestBodyError) -> ApiError:
        if exc.pointer in ("", "/data", "/data/attributes") and exc.keyword == "type":
            return POST_DATA_INVALID()
        if exc.pointer == "/data/type":
            return INVALID_TYPE()
        if exc.pointer in ("/data", "/data/attributes") and exc.keyword == "required":
            return POST_DATA_INVALID()
        field = exc.pointer.removeprefix("/data/attributes").strip("/").replace("/", ".")
        message = _SYMFONY.get(exc.keyword, exc.message)
        return ApiError(422, f"{field or 'data'} => {message}", "901")

    def malformed_body(self, exc: MalformedBodyError) -> ApiError:
        return POST_DATA_INVALID()

    def parameter_error(self, exc: RequestParameterError) -> ApiError:
        if exc.name.startswith("page["):  # the real body; the mock-only hint says why
            hint = f"{exc.name} must be plain digits (page[limit] > 0)"
            return PAGINATION_INVALID(headers={"X-Mock-Hint": hint})
        return ApiError(400, exc.detail)
