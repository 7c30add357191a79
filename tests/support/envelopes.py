"""Assertions on each API's own error envelope."""

from __future__ import annotations

from typing import Any

import httpx

from .constants import JSONAPI


def assert_no_leak(response: httpx.Response) -> None:
    """Never Connexion's problem+json, never a traceback in the body."""
    assert "problem" not in response.headers.get("content-type", ""), response.headers
    assert "Traceback" not in response.text, response.text


def assert_glue_error(
    response: httpx.Response, status: int, detail: str, code: str | None = None
) -> None:
    """Exactly Glue's JSON:API error document: ``{"errors":[{"status","code"?,"detail"}]}``."""
    assert_no_leak(response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == JSONAPI, response.headers
    entry: dict[str, Any] = {"status": status}
    if code is not None:
        entry["code"] = code
    entry["detail"] = detail
    assert response.json() == {"errors": [entry]}


def assert_sendcloud_error(
    response: httpx.Response, status: int, request: str, message: str
) -> None:
    """Exactly Sendcloud's error envelope: ``{"error":{"code","request","message"}}``."""
    assert_no_leak(response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/json", response.headers
    assert response.json() == {"error": {"code": status, "request": request, "message": message}}
