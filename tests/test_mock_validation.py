"""The response-validation switch: the mock never sends a body its own contract rejects."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from support import GLUE_HEADERS, SONIA, access_token_body

from mock_server.apis.glue import service as glue_service
from mock_server.apis.sendcloud.world import SendcloudWorld
from mock_server.app import MockServer, create_app
from mock_server.config import Settings

REJECTED = "The mock produced a response its contract rejects: "


def call(app: MockServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to the in-process app (after logging in as Sonia for Glue paths)."""

    async def run() -> httpx.Response:
        """Log in (Glue) and send the request, over ASGI."""
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock.test") as client:
            headers = dict(kwargs.pop("headers", {}))
            if path.startswith("/glue"):
                login = await client.post(
                    "/glue/access-tokens",
                    headers=GLUE_HEADERS,
                    json=access_token_body(SONIA),
                )
                token = login.json()["data"]["attributes"]["accessToken"]
                headers |= GLUE_HEADERS | {"Authorization": f"Bearer {token}"}
            return await client.request(method, path, headers=headers, **kwargs)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def shared_apps() -> dict[bool, MockServer]:
    """One in-process mock with response validation on, one with it off."""
    return {flag: create_app(Settings(validate_responses=flag)) for flag in (True, False)}


@pytest.fixture
def apps(shared_apps: dict[bool, MockServer]) -> dict[bool, MockServer]:
    """The shared mocks with their worlds marked changed: the tests swap the code behind the
    handlers, which the response cache (keyed by world version) cannot see by itself."""
    for app in shared_apps.values():
        for mounted in app.runtime.apis.values():
            mounted.service.store.touch()
    return shared_apps


@pytest.fixture
def broken_glue(monkeypatch: pytest.MonkeyPatch) -> None:
    """getReturn's handler drops the required ``returnReference`` attribute (a violation)."""
    original = glue_service.return_resource

    def return_resource(*args: Any, **kwargs: Any) -> dict:
        """The real resource without ``returnReference``."""
        resource = original(*args, **kwargs)
        del resource["attributes"]["returnReference"]
        return resource

    monkeypatch.setattr(glue_service, "return_resource", return_resource)


@pytest.fixture
def broken_sendcloud(monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /returns/{id} answers an ``id`` that is not an integer."""
    original = SendcloudWorld.by_id

    def by_id(self: SendcloudWorld, return_id: int) -> dict | None:
        """The real return with a string ``id``."""
        found = original(self, return_id)
        return None if found is None else found | {"id": "not-an-integer"}

    monkeypatch.setattr(SendcloudWorld, "by_id", by_id)


@pytest.mark.usefixtures("broken_glue")
def test_glue_violation_is_500_when_validation_is_on(apps: dict[bool, MockServer]) -> None:
    response = call(apps[True], "GET", "/glue/returns/DE--1-R1")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/vnd.api+json"
    [error] = response.json()["errors"]
    assert error["status"] == 500
    assert "code" not in error
    assert error["detail"].startswith(REJECTED)
    assert "returnReference" in error["detail"]


@pytest.mark.usefixtures("broken_glue")
def test_glue_violation_passes_through_when_validation_is_off(
    apps: dict[bool, MockServer],
) -> None:
    response = call(apps[False], "GET", "/glue/returns/DE--1-R1")

    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert "returnReference" not in attributes
    assert attributes["customerReference"] == "DE--1"


def sendcloud_call(app: MockServer) -> httpx.Response:
    """GET the first seeded Sendcloud return with the seeded Basic credentials."""
    basic = app.runtime.apis["/sendcloud/api/v2"].service.accounts()["basic"][0]
    first = app.runtime.apis["/sendcloud/api/v2"].service.store.world.returns[0]["id"]
    return call(
        app,
        "GET",
        f"/sendcloud/api/v2/returns/{first}",
        auth=(basic["publicKey"], basic["secretKey"]),
    )


@pytest.mark.usefixtures("broken_sendcloud")
def test_sendcloud_violation_is_500_when_validation_is_on(apps: dict[bool, MockServer]) -> None:
    response = sendcloud_call(apps[True])

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == 500
    assert error["request"].startswith("api/v2/returns/")
    assert error["message"].startswith(REJECTED)


@pytest.mark.usefixtures("broken_sendcloud")
def test_sendcloud_violation_passes_through_when_validation_is_off(
    apps: dict[bool, MockServer],
) -> None:
    response = sendcloud_call(apps[False])

    assert response.status_code == 200
    assert response.json()["id"] == "not-an-integer"


@pytest.mark.parametrize("validate", [True, False])
def test_conforming_responses_pass_either_way(validate: bool, apps: dict[bool, MockServer]) -> None:
    response = call(apps[validate], "GET", "/glue/returns/DE--1-R1")
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["returnReference"] == "DE--1-R1"
    assert sendcloud_call(apps[validate]).status_code == 200
