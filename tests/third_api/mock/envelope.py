"""The third API's flat error object: ``{"type", "status", "message"}`` (contract third-D1)."""

from __future__ import annotations

from http import HTTPStatus

from mock_server.errors import ApiError, EnvelopeBase, error_type

WWW_AUTHENTICATE = {"WWW-Authenticate": "Bearer"}
NO_TOKEN = error_type(401, "A bearer token is required.", headers=WWW_AUTHENTICATE)
WRONG_TOKEN = error_type(401, "The bearer token is not valid.", headers=WWW_AUTHENTICATE)
RETURN_NOT_FOUND = error_type(404, "No return has this id.")
TOO_MANY_RETURNS = error_type(409, "No more returns can be created; reset the mock.")


def error_type_name(status: int) -> str:
    """``not_found`` for 404: the status phrase in snake case."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return "error"
    return "".join(c if c.isalnum() else "_" for c in phrase.lower()).strip("_")


class ThirdEnvelope(EnvelopeBase):
    """Every error as ``{"type": "not_found", "status": 404, "message": "…"}``."""

    media_type = "application/json"

    def render(self, error: ApiError, path: str) -> dict:
        return {
            "type": error_type_name(error.status),
            "status": error.status,
            "message": error.detail,
        }
